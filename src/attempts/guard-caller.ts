import { raceAbort } from "../abort.js";
import type { Budget } from "../budget.js";

/**
 * Runs caller-supplied code (a stats store, a custom rubric, a model) so it cannot hold a run past its
 * caller's abort or its budget's deadline: the result is raced against both. A synchronous throw becomes
 * a rejection. On abort it rejects with `signal.reason`; at the deadline with the budget's
 * `BudgetExhaustedError` (`limit: "deadline"`); what the code settles with later is ignored.
 */
export function guardCaller<T>(
  fn: () => T | PromiseLike<T>,
  options: { signal?: AbortSignal | undefined; budget?: Budget | undefined },
): Promise<T> {
  const { signal, budget } = options;
  if (budget !== undefined) return budget.runWithinDeadline(signal, () => Promise.resolve().then(fn));
  return raceAbort(Promise.resolve().then(fn), signal);
}
