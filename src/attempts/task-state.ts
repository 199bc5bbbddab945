import { isAbortReason } from "../abort.js";
import { type Budget, BudgetExhaustedError } from "../budget.js";
import { StatsStoreError } from "../errors/stats-store-error.js";
import type { Failure } from "../prompt.js";
import type { TaskState } from "../record/stats-store.js";
import type { Resumption } from "../trace.js";
import { reportStoreError } from "./exhaust.js";
import { guardCaller } from "./guard-caller.js";
import type { NormalizedRung } from "./ladder.js";

/**
 * Failures a store keeps per task for the next run. More would never reach the prompt: the newest fill the
 * default `maxFeedbackChars` long before.
 */
export const taskFeedbackKept = 8;

/**
 * Runs one store call; a store that throws or rejects is reported and treated as knowing nothing, or, when
 * `failClosed` names the operation (`whenUnavailable: "fail-closed"`), stops the run with a
 * {@link StatsStoreError}. Raced against `guard`: a store that hangs rejects with the caller's
 * `signal.reason` or the budget's deadline error, which are rethrown, never reported.
 */
export async function guardedStore<T>(
  call: () => T | Promise<T>,
  guard: { signal?: AbortSignal | undefined; budget?: Budget | undefined } = {},
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

/**
 * Where a run of `taskId` starts, given the escalation state its earlier runs left: on the rung above the
 * one that last failed, the top rung staying the top. The failed rung is found by model id (the ladder may
 * have changed between runs); a model no longer on the ladder starts the run at the bottom.
 */
export function resumeAt(rungs: readonly NormalizedRung[], taskId: string, state: TaskState): Resumption {
  const top = rungs.length - 1;
  const failedAt =
    rungs[state.rung]?.model.id === state.modelId
      ? state.rung
      : rungs.findIndex((rung) => rung.model.id === state.modelId);
  const earlier = `task "${taskId}" has failed ${state.failures} attempt(s) since its last accepted answer, the last on "${state.modelId}"`;
  const startRung = failedAt === -1 ? 0 : Math.min(failedAt + 1, top);
  const detail =
    failedAt === -1
      ? `${earlier}, which is not on this ladder: starting at the bottom`
      : failedAt === top
        ? `${earlier}, the top rung: it stays at the top`
        : `${earlier} (rung ${failedAt}): starting at rung ${startRung} ("${rungs[startRung]!.model.id}")`;
  return {
    taskId,
    failures: state.failures,
    failedRung: state.rung,
    failedModelId: state.modelId,
    startRung,
    carriedFailures: state.feedback.length,
    detail,
  };
}

/** The stored failures as feedback entries marked as coming from an earlier run. */
export function earlierFailures(state: TaskState): Failure[] {
  return state.feedback.map((failure) => ({ ...failure, earlierRun: true }));
}
