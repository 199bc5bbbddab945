import { isAbortReason } from "../abort.js";
import { BudgetExhaustedError } from "../budget.js";
import type { Clock } from "../clock.js";
import { BlockedTaskError } from "../errors/blocked-task-error.js";
import { partialTextOf, transportRetriesOf } from "../errors/call-details.js";
import { CallerCodeError, isCallerBug } from "../errors/caller-code-error.js";
import { failureKindOf } from "../errors/classify.js";
import { ExhaustedError } from "../errors/exhausted-error.js";
import { emit, joinPath, listening } from "../events.js";
import { addUsage, type CallOptions, type GenerateRequest, type Generation } from "../model.js";
import { serializeError } from "../redact.js";
import type { Rubric } from "../rubric/types.js";
import type { Attempt, Usage } from "../trace.js";
import type { BreakerPermit } from "./breaker.js";
import { callRung } from "./call-rung.js";
import { type Judgement, judgeOutput } from "./judge-output.js";
import type { NormalizedRung } from "./ladder.js";

/** Everything one attempt needs. */
export interface AttemptInput {
  index: number;
  rung: NormalizedRung;
  /** The request as sent (with this attempt's feedback). */
  request: GenerateRequest;
  promptChars: number;
  feedbackChars: number;
  /** The engine's event path; the attempt's is `path/attempt[index]`. */
  path: string;
  options: CallOptions;
  clock: Clock;
  rubric: Rubric | undefined;
  /** Most ms the call may take; past it the call is aborted and the attempt fails as `timeout`. */
  timeoutMs: number;
  permit: BreakerPermit | undefined;
}

/** A finished attempt, and the generation when the call returned one. */
export interface AttemptResult {
  /** Absent only when a spent budget refused the call before it started (no call was made). */
  attempt?: Attempt;
  generation?: Generation;
  /** A shared budget ran out during the call: the run must stop at once with this error. */
  budgetError?: BudgetExhaustedError;
}

function sumUsage(attempts: readonly Attempt[]): Usage {
  let usage: Usage = {};
  for (const attempt of attempts) usage = addUsage(usage, attempt.usage);
  return usage;
}

/**
 * Makes one attempt: calls the rung, judges the output, releases the breaker permit (whatever happens) and
 * reports `attempt-start` / `attempt-end`. The caller's abort and a `BlockedTaskError` from a nested engine
 * are rethrown as they are; a spent shared budget comes back as `budgetError`. Every other failure becomes an
 * attempt with its kind: a nested engine's `ExhaustedError` keeps its attempts in `attempt.trace`.
 */
export async function makeAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { index, rung, request, clock, options, permit } = input;
  const attemptPath = joinPath(input.path, `attempt[${index}]`);
  const modelId = rung.model.id;
  const startedAt = clock.now();
  const base = {
    index,
    rung: rung.index,
    modelId,
    path: input.path,
    startedAt,
    feedbackChars: input.feedbackChars,
    promptChars: input.promptChars,
  };
  if (listening(options.events, "attempt-start")) {
    emit(options.events, "attempt-start", { path: attemptPath, timestamp: startedAt, attempt: { ...base } });
  }
  const end = (attempt: Attempt) => {
    if (listening(options.events, "attempt-end")) {
      emit(options.events, "attempt-end", { path: attemptPath, timestamp: attempt.endedAt, attempt });
    }
    return attempt;
  };
  const aborted = (error: unknown): never => {
    permit?.release("ignore");
    end({
      ...base,
      accepted: false,
      kind: "aborted",
      text: "",
      usage: {},
      endedAt: clock.now(),
      error: serializeError(error),
    });
    throw error;
  };

  // Calls drawn from the shared budget during this attempt tell whether a refused run still made calls.
  const drawnBefore = options.budget?.callsUsed ?? 0;
  let generation: Generation;
  try {
    generation = await callRung(
      rung.model,
      request,
      { ...options, path: attemptPath },
      permit,
      clock,
      input.timeoutMs,
    );
  } catch (error) {
    if (isAbortReason(error, options.signal)) return aborted(error);
    if (BlockedTaskError.isInstance(error) || CallerCodeError.isInstance(error)) {
      permit?.release("ignore");
      throw error;
    }
    if (isCallerBug(error)) {
      // A bug in the caller's function: no model can fix it, so the run stops here with it as the cause.
      permit?.release("ignore");
      throw new CallerCodeError({ origin: "model", modelId, cause: error });
    }
    const nested = ExhaustedError.isInstance(error) ? error.attempts : [];
    // Nothing is lost: text a provider received before failing, and its transport retries, stay on record.
    const transportRetries = transportRetriesOf(error);
    const attempt: Attempt = {
      ...base,
      accepted: false,
      kind: failureKindOf(error, options.signal),
      text: nested.at(-1)?.text ?? partialTextOf(error) ?? "",
      usage: sumUsage(nested),
      endedAt: clock.now(),
      error: serializeError(error),
    };
    if (nested.length > 0) attempt.trace = { attempts: nested };
    if (transportRetries.length > 0) attempt.transportRetries = transportRetries;
    if (BudgetExhaustedError.isInstance(error)) {
      permit?.release("ignore");
      // Record the attempt when calls were made beneath it (a continued rung whose next piece was refused,
      // a deadline hit mid-call); not when the budget refused the call before it started.
      const made =
        nested.length > 0 ||
        (options.budget !== undefined ? options.budget.callsUsed > drawnBefore : error.limit === "deadline");
      if (error.limit === "deadline" && nested.length === 0) attempt.kind = "timeout";
      return made ? { attempt: end(attempt), budgetError: error } : { budgetError: error };
    }
    // An abort says nothing about the provider: it neither opens nor closes the breaker.
    permit?.release(attempt.kind === "aborted" ? "ignore" : (attempt.kind ?? "server-error"));
    return { attempt: end(attempt) };
  }

  let judged: Judgement;
  try {
    const judging = judgeOutput(generation, input.rubric, {
      request,
      signal: options.signal,
      options,
      path: attemptPath,
    });
    // A synchronous rubric's judgement is used as it is: no promise hop on the hot path.
    judged = judging instanceof Promise ? await judging : judging;
  } catch (error) {
    if (BudgetExhaustedError.isInstance(error)) {
      // The answer came back but the budget ran out while judging it (an LLM judge): keep the answer on
      // record, unjudged, and stop the run.
      permit?.release("success");
      const attempt: Attempt = {
        ...base,
        accepted: false,
        kind: "rubric-error",
        text: generation.text,
        finishReason: generation.finishReason,
        usage: generation.usage,
        endedAt: clock.now(),
        error: serializeError(error),
      };
      return { attempt: end(attempt), budgetError: error };
    }
    if (CallerCodeError.isInstance(error)) {
      permit?.release("ignore");
      throw error;
    }
    return aborted(error);
  }
  // The provider answered: whatever the rubric says, the breaker hears success.
  permit?.release("success");
  const attempt: Attempt = {
    ...base,
    accepted: judged.kind === undefined,
    text: generation.text,
    finishReason: generation.finishReason,
    usage: generation.usage,
    endedAt: clock.now(),
  };
  if (judged.kind !== undefined) attempt.kind = judged.kind;
  if (judged.verdict !== undefined) attempt.verdict = judged.verdict;
  if (judged.error !== undefined) attempt.error = serializeError(judged.error);
  if (generation.trace !== undefined) attempt.trace = generation.trace;
  if (generation.trace?.transportRetries !== undefined) {
    attempt.transportRetries = generation.trace.transportRetries;
  }
  return { attempt: end(attempt), generation };
}
