import type { SplitTrace } from "../trace.js";
import { ExhaustedError } from "./exhausted-error.js";

/** Where a tree-split could not make progress. */
export type NoProgressStage = "plan" | "reduce";

/**
 * `treeSplit` could not bring a request within its budget:
 * - `stage: "reduce"`: a reduce level returned a scratchpad no smaller than its input (`before` → `after`
 *   in budget units), so another level would loop rather than converge;
 * - `stage: "plan"`: the task itself (the messages and instructions, without any context) renders over
 *   the budget, so no shard of context can fit with it. No model was called.
 *
 * An {@link ExhaustedError} with `limit: "noProgress"` (so `ExhaustedError.isInstance` catches it too);
 * `attempts` is empty (tree-split calls are recorded in `trace`, the split tree so far).
 */
export class NoProgressError extends ExhaustedError {
  /** The error's class name, `"NoProgressError"`. */
  override name = "NoProgressError" as const;
  /**
   * The failure kind an outer attempt engine sees: the request cannot be brought within this model's budget,
   * so asking the same rung again cannot help (climb to a rung with a larger window, or stop).
   */
  readonly kind = "context-overflow" as const;
  /** Where the split stopped: `plan` (no shard fits beside the task) or `reduce` (a level did not shrink). */
  readonly stage: NoProgressStage;
  /** Reduce level that failed to shrink (1-based); 0 at plan. */
  readonly depth: number;
  /** Size before and after, in budget units (characters or tokens). */
  readonly before: number;
  /** Size after the level, in budget units. */
  readonly after: number;
  /** The split tree up to the failure. */
  readonly trace: SplitTrace | undefined;

  constructor(options: {
    stage: NoProgressStage;
    depth: number;
    before: number;
    after: number;
    message: string;
    trace?: SplitTrace;
  }) {
    super({ limit: "noProgress", attempts: [], message: options.message });
    this.stage = options.stage;
    this.depth = options.depth;
    this.before = options.before;
    this.after = options.after;
    this.trace = options.trace;
  }
}
