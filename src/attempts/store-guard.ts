import { isAbortReason } from "../abort.js";
import { type Budget, BudgetExhaustedError } from "../budget.js";
import { StatsStoreError } from "../errors/stats-store-error.js";
import { guardCaller } from "./guard-caller.js";

/** The caller's signal and shared budget: caller code (a store, a policy) is raced against both. */
export interface Guard {
  signal?: AbortSignal | undefined;
  budget?: Budget | undefined;
}

/**
 * Reports a stats store that failed. Learning and task memory are optimisations: a full disk must not
 * throw away an accepted answer, so the run goes on and the failure surfaces as a process warning.
 */
export function reportStoreError(error: unknown): void {
  globalThis.process?.emitWarning?.(
    `rungs: the stats store failed (the run goes on without it): ${error instanceof Error ? error.message : String(error)}`,
    { code: "RUNGS_STATS_STORE_ERROR" },
  );
}

/**
 * The one guarded store call: runs `call`; a store that throws or rejects is reported and read as knowing
 * nothing (`undefined`), or, when `failClosed` names the operation (`whenUnavailable: "fail-closed"`), stops
 * the run with a {@link StatsStoreError}. Raced against `guard`: a store that hangs rejects with the caller's
 * `signal.reason` or the budget's deadline error, which are rethrown, never reported.
 */
export async function guardedStore<T>(
  call: () => T | Promise<T>,
  guard: Guard = {},
  failClosed?: string,
): Promise<T | undefined> {
  // guardCaller runs `call` inside then(): a synchronous store that throws is caught too.
  return guardCaller(call, guard).catch((error: unknown) => {
    if (isAbortReason(error, guard.signal) || BudgetExhaustedError.isInstance(error)) throw error;
    if (failClosed !== undefined) throw new StatsStoreError(failClosed, error);
    reportStoreError(error);
    return undefined;
  });
}
