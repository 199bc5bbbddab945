import type { ExhaustionLimit } from "../errors/exhausted-error.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { climbKinds } from "./classify.js";
import type { NormalizedRung } from "./ladder.js";

/** What the engine does after a failed attempt. */
export type Step =
  | { next: "retry" }
  /** Leave the rung; `because` names the limit if the rungs run out after it. */
  | { next: "climb"; because: ExhaustionLimit }
  | { next: "stop"; limit: ExhaustionLimit };

/**
 * Decides by failure kind (docs/architecture.md, *Failure kinds*): a `rubric-error` stops the run (asking a
 * model again cannot fix the judge); a kind asking the same model again cannot fix climbs at once (a
 * `rate-limited` rung was unavailable, not tried); any other failure retries the rung until it has used its
 * `maxAttempts`, then climbs.
 */
export function decide(kind: FailureKind, usedOnRung: number, rung: NormalizedRung): Step {
  if (kind === "rubric-error") return { next: "stop", limit: "rubricError" };
  if (climbKinds.has(kind)) {
    return { next: "climb", because: kind === "rate-limited" ? "rungsUnavailable" : "notRetryable" };
  }
  return usedOnRung >= rung.maxAttempts ? { next: "climb", because: "everyRungTried" } : { next: "retry" };
}
