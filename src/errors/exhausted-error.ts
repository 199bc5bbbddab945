import type { Attempt, Skip } from "../trace.js";
import { RungsError } from "./rungs-error.js";

/**
 * Which cap ended a run:
 * - `maxAttempts`: the attempt cap of the run (`retryWithContext`, `escalateAcross`);
 * - `maxCalls`: the shared {@link Budget}'s cap on model calls (every leaf call, whichever primitive made it);
 * - `deadline`: the shared wall-clock deadline;
 * - `maxOutputTokens`: the shared output-token budget;
 * - `everyRungTried`: every rung of the ladder was tried (each used its `attempts`, or was passed over)
 *   before the `maxAttempts` cap was reached: the rungs ran out, the cap did not fire;
 * - `notRetryable`: every remaining rung failed in a way asking again cannot fix (auth, not found, ...);
 * - `rungsUnavailable`: the rungs left were passed over or refused only because they were unavailable (an
 *   open circuit breaker, a closed rate gate): nothing showed the task cannot be answered, so it is not
 *   blocked;
 * - `rubricError`: the rubric could not judge an answer (a rule threw, timed out or returned NaN): asking a
 *   model again cannot fix the judge, so no further model call is made;
 * - `noProgress`: a tree-split reduce level did not shrink the scratchpad.
 */
export type ExhaustionLimit =
  | "maxAttempts"
  | "maxCalls"
  | "everyRungTried"
  | "deadline"
  | "maxOutputTokens"
  | "notRetryable"
  | "rungsUnavailable"
  | "rubricError"
  | "noProgress";

/**
 * A run ended without an accepted answer. Carries every attempt (output, error, verdict, timings)
 * and which limit fired, so nothing the models produced is lost.
 */
export class ExhaustedError extends RungsError {
  /** The error's class name, `"ExhaustedError"` (or a subclass's). */
  override name: string = "ExhaustedError";
  /**
   * Which limit fired (see {@link ExhaustionLimit}): `maxAttempts`, `maxCalls`, `everyRungTried`,
   * `deadline`, `maxOutputTokens`, `notRetryable`, `rungsUnavailable`, `rubricError` or `noProgress`.
   */
  readonly limit: ExhaustionLimit;
  /** Every attempt the run made, in order, with its output, error and verdict. */
  readonly attempts: readonly Attempt[];
  /** Rungs passed over, with their reasons (empty when none was, or outside a ladder). */
  readonly skips: readonly Skip[];

  constructor(options: {
    /** Which limit fired. */
    limit: ExhaustionLimit;
    /** Every attempt the run made. */
    attempts: readonly Attempt[];
    /** Rungs passed over, with their reasons. */
    skips?: readonly Skip[];
    message?: string;
    cause?: unknown;
  }) {
    super(
      options.message ??
        `No accepted answer after ${options.attempts.length} attempt(s): the ${options.limit} limit fired.`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.limit = options.limit;
    this.attempts = options.attempts;
    this.skips = options.skips ?? [];
  }

  /** The last attempt made, if any. */
  get lastAttempt(): Attempt | undefined {
    return this.attempts[this.attempts.length - 1];
  }
}
