import type { Clock } from "../clock.js";
import type { StatsStore } from "../record/stats-store.js";
import type { Rubric } from "../rubric/types.js";
import type { Gate } from "./gates/gate.js";
import type { NormalizedRung } from "./ladder.js";
import type { RoutingPolicy } from "./routing/policy.js";

/** The resolved settings of one engine (validated by `retryWithContext` / `escalateAcross`). @internal */
export interface EngineConfig {
  /** The event path segment: `"retry"` or `"escalate"`. */
  segment: string;
  /** The composed model's id, for messages. */
  id: string;
  rungs: readonly NormalizedRung[];
  rubric: Rubric | undefined;
  maxAttempts: number;
  /** What a store that cannot be read does to the run. */
  whenUnavailable: "fail-open" | "fail-closed";
  /** Most ms one attempt's call may take before it is aborted as `timeout` (a rung's own limit wins). */
  attemptTimeoutMs: number;
  maxFeedbackChars: number;
  /** Attempts on one rung that may never end before a task's next run starts above it. */
  maxUnfinishedAttempts: number;
  onExhausted: "throw" | "best";
  store: StatsStore | undefined;
  /** Chooses rungs from the store, and names extra keys to count attempts under. */
  routing: RoutingPolicy | undefined;
  /** What may pass over or hold a rung, in the order they are asked (built once per engine). */
  gates: readonly Gate[];
  clock: Clock | undefined;
}
