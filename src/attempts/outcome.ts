import type { BudgetExhaustedError } from "../budget.js";
import type { FailureKind } from "../errors/failure-kind.js";
import type { Generation } from "../model.js";
import type { Attempt } from "../trace.js";

/**
 * How one attempt ended, the one type the engine decides on:
 * - `accepted`: the answer passed (the rubric's verdict, or no rubric);
 * - `failed`: the call threw, or the answer was empty, cut off or rejected; `kind` picks the next step;
 * - `stopped`: a shared budget ran out (before the call, during it, or while judging): the run ends with
 *   `error`; `attempt` is absent only when no call was made.
 */
export type AttemptOutcome =
  | { type: "accepted"; attempt: Attempt; generation: Generation }
  | { type: "failed"; attempt: Attempt; kind: FailureKind; generation?: Generation }
  | { type: "stopped"; error: BudgetExhaustedError; attempt?: Attempt };
