import { isAbortReason } from "../abort.js";
import { type Budget, BudgetExhaustedError } from "../budget.js";
import type { Clock } from "../clock.js";
import { ExhaustedError, type ExhaustionLimit } from "../errors/exhausted-error.js";
import { emit, listening, type RungsEvents } from "../events.js";
import type { Generation } from "../model.js";
import type { Attempt, Resumption, Skip, Usage } from "../trace.js";
import type { EngineConfig } from "./engine.js";
import { guardCaller } from "./guard-caller.js";

/**
 * Reports a stats store that failed to record. Learning is an optimisation: a full disk must not throw away
 * an accepted answer, so the run goes on and the failure surfaces as a process warning.
 */
export function reportStoreError(error: unknown): void {
  globalThis.process?.emitWarning?.(
    `rungs: the stats store failed (the run goes on without it): ${error instanceof Error ? error.message : String(error)}`,
    { code: "RUNGS_STATS_STORE_ERROR" },
  );
}

function explain(
  config: EngineConfig,
  limit: ExhaustionLimit,
  attempts: readonly Attempt[],
  skips: readonly Skip[],
) {
  const last = attempts.at(-1);
  const lastText =
    last === undefined
      ? ""
      : ` The last attempt (${last.index}, model "${last.modelId}") failed with ${last.kind}${last.error ? `: ${last.error.message}` : last.verdict ? ` (${last.verdict.passed}/${last.verdict.total} rules passed)` : ""}.`;
  if (attempts.length === 0) {
    const reasons = skips.map((s) => `"${s.modelId}" ${s.reason}`).join(", ");
    return `${config.id}: no rung could be tried (${reasons}).${lastText} Reset or wait for open breakers, or add a rung.`;
  }
  if (limit === "everyRungTried") {
    return `${config.id}: no accepted answer after ${attempts.length} attempt(s); every rung was tried (the maxAttempts cap of ${config.maxAttempts} did not fire).${lastText} Raise a rung's attempts, add a stronger rung, or check the rubric with calibrate().`;
  }
  const fix =
    limit === "maxAttempts"
      ? "Raise maxAttempts or a rung's attempts, add a stronger rung, or check the rubric with calibrate()."
      : "Fix the failing model's configuration (key, model name, request) or add a rung that can serve it.";
  const what =
    limit === "maxAttempts"
      ? `the maxAttempts cap of ${config.maxAttempts} fired`
      : `the ${limit} limit fired`;
  return `${config.id}: no accepted answer after ${attempts.length} attempt(s); ${what}.${lastText} ${fix}`;
}

/** What ends an exhausted run. */
export interface ExhaustedRun {
  config: EngineConfig;
  limit: ExhaustionLimit;
  attempts: readonly Attempt[];
  skips: readonly Skip[];
  usage: Usage;
  best: { attempt: Attempt; modelId: string; rungModelId: string } | undefined;
  path: string;
  events: RungsEvents | undefined;
  clock: Clock;
  /** The task to mark blocked (undefined: none, or the run stopped below the top rung). */
  taskId: string | undefined;
  resumed: Resumption | undefined;
  /** The call's signal and budget: the give-up write is raced against them. */
  guard?: { signal?: AbortSignal | undefined; budget?: Budget | undefined };
}

/**
 * Ends a run that found no accepted answer: reports `run-exhaust`, marks `metadata.taskId` blocked in the
 * store, then returns the best-scoring judged attempt (`onExhausted: "best"`, `verdict.accepted === false`)
 * or throws {@link ExhaustedError} carrying every attempt and the limit that fired.
 */
export async function finishExhausted(run: ExhaustedRun): Promise<Generation> {
  const { config, limit, attempts, skips } = run;
  if (listening(run.events, "run-exhaust")) {
    emit(run.events, "run-exhaust", {
      path: run.path,
      timestamp: run.clock.now(),
      limit,
      attemptCount: attempts.length,
    });
  }
  if (config.store !== undefined && run.taskId !== undefined) {
    const { store } = config;
    const taskId = run.taskId;
    const guard = run.guard ?? {};
    await guardCaller(() => store.block(taskId, run.clock.now()), guard).catch((error: unknown) => {
      if (isAbortReason(error, guard.signal) || BudgetExhaustedError.isInstance(error)) throw error;
      reportStoreError(error);
    });
  }
  if (config.onExhausted === "best" && run.best !== undefined) {
    const { attempt, modelId, rungModelId } = run.best;
    const generation: Generation = {
      text: attempt.text,
      finishReason: attempt.finishReason ?? "stop",
      usage: run.usage,
      modelId,
      trace: run.resumed === undefined ? { attempts, skips } : { attempts, skips, resumed: run.resumed },
      answeredBy: {
        rung: attempt.rung,
        modelId: rungModelId,
        climbed: attempt.rung > 0,
        attemptCount: attempts.length,
      },
    };
    if (attempt.verdict !== undefined) generation.verdict = attempt.verdict;
    if (attempt.verdict !== undefined && "value" in attempt.verdict) generation.value = attempt.verdict.value;
    return generation;
  }
  throw new ExhaustedError({ limit, attempts, message: explain(config, limit, attempts, skips) });
}
