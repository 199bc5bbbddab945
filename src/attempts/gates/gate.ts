import type { FailureKind } from "../../errors/failure-kind.js";
import type { GenerateRequest } from "../../messages.js";
import type { Attempt, Resumption, SkipReason } from "../../trace.js";
import type { BreakerPermit } from "../breaker.js";
import type { NormalizedRung } from "../ladder.js";
import type { Guard } from "../store-guard.js";

/** A gate's reason to pass a rung over: recorded as a `Skip` and a `rung-skip` event. */
export interface SkipDecision {
  reason: SkipReason;
  detail: string;
}

/**
 * What a gate answers:
 * - `undefined`: pass, ask the next gate;
 * - a {@link SkipDecision}: pass the rung over;
 * - `"admit"`: pass, and ask no further arrival gate (an exploring try, a store that cannot be read);
 * - a `BreakerPermit`: pass, holding a permit the attempt releases with its outcome.
 */
export type GateAnswer = SkipDecision | "admit" | BreakerPermit | undefined;

/** What the run knows when a gate is asked. */
export interface GateRun {
  /** The caller's request (without this engine's feedback). */
  readonly request: GenerateRequest;
  /** Attempts made so far in this run. */
  readonly attempts: readonly Attempt[];
  /** Models that failed in a way asking again cannot fix, with that kind. */
  readonly refused: ReadonlyMap<string, FailureKind>;
  /** The context window (tokens) of a model that overflowed, when known. */
  readonly overflowedWindow: number | undefined;
  /** Where a task resumed from the store, when it did. */
  readonly resumed: Resumption | undefined;
  /** The top rung's index. */
  readonly lastRung: number;
  /** Caller code a gate runs (a store, a policy) is raced against these. */
  readonly guard: Guard;
}

/**
 * Anything that may pass over or hold a rung (docs/architecture.md, *The attempt engine*). `arrival` gates
 * are asked once when the run reaches a rung, in order, until one answers; `attempt` gates before every
 * attempt on it. A gate may answer with a promise (it reads a store); the engine races it against the
 * caller's abort and the deadline.
 */
export interface Gate {
  /** When the gate is asked. */
  readonly on: "arrival" | "attempt";
  check(rung: NormalizedRung, run: GateRun): GateAnswer | Promise<GateAnswer>;
}

/** True when a gate's answer passes the rung over. */
export function isSkip(answer: GateAnswer): answer is SkipDecision {
  return typeof answer === "object" && "reason" in answer;
}

/** True for a promise, or any thenable (a shared registry from another copy of a library). */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}
