import pLimit from "p-limit";
import { childController, isAbortReason, raceAbort } from "../abort.js";
import { BudgetExhaustedError } from "../budget.js";
import { CallerCodeError } from "../errors/caller-code-error.js";
import type { Generation } from "../model.js";

/** How one fanned-out call ended. */
export type FanOutcome = { ok: true; generation: Generation } | { ok: false; error: unknown };

/**
 * Runs `call(i, signal)` for `0..count-1` with at most `concurrency` in flight (p-limit).
 * - The caller's abort rejects at once with `signal.reason`; in-flight calls see the aborted signal and
 *   queued ones never start.
 * - An error stops everything (siblings aborted, the error rethrown) when `failFast` is set or when it
 *   cannot be skipped (the caller's abort, a spent shared `Budget`, a bug in the caller's code); otherwise
 *   it is returned as an outcome.
 */
export async function fanOut(
  count: number,
  concurrency: number,
  signal: AbortSignal | undefined,
  failFast: boolean,
  call: (index: number, signal: AbortSignal) => Promise<Generation>,
  onSettled: (index: number, outcome: FanOutcome) => void,
): Promise<FanOutcome[]> {
  const { controller, dispose } = childController(signal);
  const limit = pLimit(concurrency);
  let stop: { error: unknown } | undefined;
  const run = async (index: number): Promise<FanOutcome> => {
    if (controller.signal.aborted) return { ok: false, error: controller.signal.reason };
    let outcome: FanOutcome;
    try {
      outcome = { ok: true, generation: await call(index, controller.signal) };
    } catch (error) {
      outcome = { ok: false, error };
      if (stop === undefined && !controller.signal.aborted) {
        const unskippable =
          isAbortReason(error, signal) ||
          BudgetExhaustedError.isInstance(error) ||
          CallerCodeError.isInstance(error);
        if (failFast || unskippable) {
          stop = { error };
          controller.abort(error);
        }
      }
    }
    if (stop === undefined) onSettled(index, outcome);
    return outcome;
  };
  try {
    const outcomes = await raceAbort(
      Promise.all(Array.from({ length: count }, (_, index) => limit(run, index))),
      signal,
    );
    if (stop !== undefined) throw stop.error;
    return outcomes;
  } finally {
    limit.clearQueue();
    dispose();
  }
}
