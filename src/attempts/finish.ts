import { ExhaustedError, type ExhaustionLimit } from "../errors/exhausted-error.js";
import type { Generation } from "../model.js";
import type { Attempt, Skip } from "../trace.js";
import type { NormalizedRung } from "./ladder.js";
import type { Run } from "./run.js";

/**
 * The generation a run returns, built in this one place: an accepted attempt's, or with `onExhausted:
 * "best"` the best judged one's (its `verdict.accepted` is false). Usage is summed over every attempt; the
 * trace holds the attempts, the skips and where a task resumed.
 */
export function answerOf(run: Run, attempt: Attempt, modelId: string, generation?: Generation): Generation {
  const rung: NormalizedRung = run.config.rungs[attempt.rung]!;
  const answer: Generation = {
    text: generation?.text ?? attempt.text,
    finishReason: generation?.finishReason ?? attempt.finishReason ?? "stop",
    usage: run.usage,
    modelId,
    trace:
      run.resumed === undefined
        ? { attempts: run.attempts, skips: run.skips }
        : { attempts: run.attempts, skips: run.skips, resumed: run.resumed },
    answeredBy: {
      rung: rung.index,
      modelId: rung.model.id,
      climbed: rung.index > 0,
      attemptCount: run.attempts.length,
    },
  };
  const toolCalls = generation?.toolCalls ?? attempt.toolCalls;
  if (toolCalls !== undefined) answer.toolCalls = toolCalls;
  if (attempt.verdict !== undefined) answer.verdict = attempt.verdict;
  if (attempt.verdict !== undefined && "value" in attempt.verdict) answer.value = attempt.verdict.value;
  return answer;
}

/**
 * Ends a run that found no accepted answer, in this one place: reports `run-exhaust`, blocks the task when
 * `block` (its ladder was really tried and failed), then returns the best judged attempt
 * (`onExhausted: "best"`) or throws {@link ExhaustedError} with every attempt, every skip and the limit.
 */
export async function exhaust(run: Run, limit: ExhaustionLimit, block: boolean): Promise<Generation> {
  run.exhausted(limit);
  if (block && run.memory !== undefined) {
    const memory = run.memory;
    await memory.block(run.clock.now());
  }
  if (run.config.onExhausted === "best" && run.best !== undefined) {
    return answerOf(run, run.best.attempt, run.best.modelId);
  }
  throw new ExhaustedError({ limit, attempts: run.attempts, skips: run.skips, message: explain(run, limit) });
}

/**
 * An id from outside (a model id, a rule id) quoted as JSON quotes it: control characters and terminal
 * escapes come out as `\u001b`, so a message printed to a terminal cannot be rewritten by an id.
 */
const quoted = (id: string): string => JSON.stringify(id);

function lastAttemptText(last: Attempt | undefined): string {
  if (last === undefined) return "";
  const errored = (last.verdict?.violations ?? []).filter((v) => v.errored === true);
  const why = last.error
    ? `: ${last.error.message}`
    : errored.length > 0
      ? `: ${errored.map((v) => `rule ${quoted(v.ruleId)}: ${v.message ?? "errored"}`).join("; ")}`
      : last.verdict
        ? ` (${last.verdict.passed}/${last.verdict.total} rules passed)`
        : "";
  return ` The last attempt (${last.index}, model ${quoted(last.modelId)}) failed with ${last.kind}${why}.`;
}

function skipsText(skips: readonly Skip[]): string {
  if (skips.length === 0) return "";
  return ` Passed over: ${skips.map((s) => `${quoted(s.modelId)} ${s.reason} (${s.detail})`).join(", ")}.`;
}

/** The error message: what happened, which limit fired, and the fix. */
function explain(run: Run, limit: ExhaustionLimit): string {
  const { config, attempts, skips } = run;
  const last = lastAttemptText(attempts.at(-1));
  const passed = skipsText(skips);
  if (attempts.length === 0) {
    return `${config.id}: no rung could be tried.${passed} Reset or wait for open breakers, or add a rung.`;
  }
  const head = `${config.id}: no accepted answer after ${attempts.length} attempt(s)`;
  switch (limit) {
    case "everyRungTried":
      return `${head}; ${skips.length === 0 ? "every rung was tried" : "every rung left was tried"} (the maxAttempts cap of ${config.maxAttempts} did not fire).${last}${passed} Raise a rung's maxAttempts, add a stronger rung, or check the rubric with calibrate().`;
    case "maxAttempts":
      return `${head}; the maxAttempts cap of ${config.maxAttempts} fired.${last}${passed} Raise maxAttempts or a rung's maxAttempts, add a stronger rung, or check the rubric with calibrate().`;
    case "rubricError":
      return `${head}; the rubric could not judge the answer, so no further model call was made (asking a model again cannot fix the judge).${last} Fix the rule (its error is in attempts[${attempts.length - 1}].verdict.violations and error).`;
    case "rungsUnavailable":
      return `${head}; the rungs left were unavailable (an open circuit breaker or a closed rate gate), so the task is not blocked.${last}${passed} Try again once they recover, or add a rung.`;
    default:
      return `${head}; the ${limit} limit fired.${last}${passed} Fix the failing model's configuration (key, model name, request) or add a rung that can serve it.`;
  }
}
