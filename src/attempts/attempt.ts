import { isAbortReason, raceAbort } from "../abort.js";
import { BudgetExhaustedError } from "../budget.js";
import type { Clock } from "../clock.js";
import { BlockedTaskError } from "../errors/blocked-task-error.js";
import { partialTextOf, transportRetriesOf } from "../errors/call-details.js";
import { CallerCodeError, isCallerBug } from "../errors/caller-code-error.js";
import { failureKindOf } from "../errors/classify.js";
import { ExhaustedError } from "../errors/exhausted-error.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { emit, joinPath, listening } from "../events.js";
import type { GenerateRequest } from "../messages.js";
import { addUsage, type CallOptions, type Generation } from "../model.js";
import { serializeError } from "../redact.js";
import type { Rubric, RuleContext } from "../rubric/types.js";
import type { PartSink } from "../stream/sink.js";
import { VisibleText } from "../stream/visible-text.js";
import type { Attempt, Usage } from "../trace.js";
import type { AttemptTimer } from "./attempt-timer.js";
import type { BreakerPermit } from "./breaker.js";
import { callRung } from "./call-rung.js";
import { verdictFailureKind } from "./classify.js";
import { discard } from "./discard.js";
import { isPromiseLike } from "./gates/gate.js";
import { guardCaller } from "./guard-caller.js";
import { judgeOutput } from "./judge-output.js";
import type { NormalizedRung } from "./ladder.js";
import type { AttemptOutcome } from "./outcome.js";

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
  /** The run's one time limit keeper (one timer and one controller per run). */
  timer: AttemptTimer;
  /** Set when the run is streamed: the attempt's parts go here, and a prefix may stop it early. */
  sink?: PartSink;
}

function sumUsage(attempts: readonly Attempt[]): Usage {
  let usage: Usage = {};
  for (const attempt of attempts) usage = addUsage(usage, attempt.usage);
  return usage;
}

/**
 * Makes one attempt: calls the rung, judges the output and reports `attempt-start` / `attempt-end`. The
 * breaker permit is released once, in one place, with what the provider showed: `success` when it
 * answered (whatever the rubric says), the failure kind when the call failed, `ignore` when nothing was
 * learned of it (aborted, budget spent, caller code). The caller's abort, a `BlockedTaskError` from a nested
 * engine and a {@link CallerCodeError} are rethrown as they are; every other failure is an outcome.
 */
export async function makeAttempt(input: AttemptInput): Promise<AttemptOutcome> {
  const { permit } = input;
  let release: FailureKind | "success" | "ignore" = "ignore";
  try {
    const outcome = await attemptOnce(input, (said) => {
      release = said;
    });
    if (input.sink !== undefined && outcome.type === "failed") await discard(input, outcome.attempt);
    return outcome;
  } finally {
    const settled = permit?.release(release);
    // A shared registry's release is awaited, so the next attempt (here or in another process) sees it.
    if (isPromiseLike(settled)) await guardCaller(() => settled, input.options);
  }
}

async function attemptOnce(
  input: AttemptInput,
  breakerHears: (outcome: FailureKind | "success") => void,
): Promise<AttemptOutcome> {
  const { index, rung, request, clock, options } = input;
  const attemptPath = joinPath(input.path, `attempt[${index}]`);
  const startedAt = clock.now();
  const base = {
    index,
    rung: rung.index,
    modelId: rung.model.id,
    path: input.path,
    startedAt,
    feedbackChars: input.feedbackChars,
    promptChars: input.promptChars,
  };
  if (listening(options.events, "attempt-start")) {
    emit(options.events, "attempt-start", { path: attemptPath, timestamp: startedAt, attempt: { ...base } });
  }
  const { sink } = input;
  if (sink !== undefined) {
    const pushed = sink.push({
      type: "attempt-start",
      path: attemptPath,
      attempt: index,
      rung: rung.index,
      modelId: rung.model.id,
    });
    if (pushed !== undefined) await raceAbort(pushed, options.signal);
  }
  const end = (attempt: Attempt): Attempt => {
    if (listening(options.events, "attempt-end")) {
      emit(options.events, "attempt-end", { path: attemptPath, timestamp: attempt.endedAt, attempt });
    }
    return attempt;
  };
  const failed = (error: unknown, kind: FailureKind, fields: Partial<Attempt> = {}): Attempt =>
    end({
      ...base,
      accepted: false,
      kind,
      text: "",
      usage: {},
      endedAt: clock.now(),
      error: serializeError(error),
      ...fields,
    });

  // Calls drawn from the shared budget during this attempt tell whether a refused run still made calls.
  const drawnBefore = options.budget?.callsUsed ?? 0;
  let generation: Generation;
  // Streamed: what the attempt has shown, kept for its record if it ends before its finish.
  const visible = sink === undefined ? undefined : new VisibleText();
  try {
    const called = await callRung(
      rung.model,
      request,
      { ...options, path: attemptPath },
      input.permit,
      clock,
      input.timeoutMs,
      input.timer,
      sink === undefined || visible === undefined
        ? undefined
        : { sink, rubric: input.rubric, context: prefixContext(input, attemptPath), visible },
    );
    if ("type" in called) {
      // Stopped early: the provider answered (so far) and a prefix already fails the rubric.
      breakerHears("success");
      const kind = verdictFailureKind(called.verdict) ?? "rejected";
      const attempt = end({
        ...base,
        accepted: false,
        kind,
        text: called.text,
        ...(called.toolCalls.length === 0 ? {} : { toolCalls: called.toolCalls }),
        verdict: called.verdict,
        usage: { outputTokens: called.deltas },
        stoppedEarly: true,
        endedAt: clock.now(),
      });
      return { type: "failed", kind, attempt };
    }
    generation = called;
  } catch (error) {
    if (isAbortReason(error, options.signal)) {
      failed(error, "aborted", visible !== undefined && visible.length > 0 ? { text: visible.text } : {});
      throw error;
    }
    if (BlockedTaskError.isInstance(error) || CallerCodeError.isInstance(error)) throw error;
    // A bug in the caller's function: no model can fix it, so the run stops here with it as the cause.
    if (isCallerBug(error))
      throw new CallerCodeError({ origin: "model", modelId: rung.model.id, cause: error });
    const nested = ExhaustedError.isInstance(error) ? error.attempts : [];
    // Nothing is lost: text a provider received before failing, and its transport retries, stay on record.
    const transportRetries = transportRetriesOf(error);
    const fields: Partial<Attempt> = {
      text: nested.at(-1)?.text ?? partialTextOf(error) ?? visible?.text ?? "",
      usage: sumUsage(nested),
    };
    if (nested.length > 0) fields.trace = { attempts: nested };
    if (transportRetries.length > 0) fields.transportRetries = transportRetries;
    if (BudgetExhaustedError.isInstance(error)) {
      // Recorded when calls were made beneath it (a continued rung whose next piece was refused, a deadline
      // hit mid-call); not when the budget refused the call before it started.
      const made =
        nested.length > 0 ||
        (options.budget !== undefined ? options.budget.callsUsed > drawnBefore : error.limit === "deadline");
      if (!made) return { type: "stopped", error };
      const kind =
        error.limit === "deadline" && nested.length === 0 ? "timeout" : failureKindOf(error, options.signal);
      return { type: "stopped", error, attempt: failed(error, kind, fields) };
    }
    const kind = failureKindOf(error, options.signal);
    breakerHears(kind);
    return { type: "failed", kind, attempt: failed(error, kind, fields) };
  }
  // The provider answered: whatever the rubric says, the breaker hears success.
  breakerHears("success");
  const answered = {
    ...base,
    text: generation.text,
    ...(generation.toolCalls === undefined ? {} : { toolCalls: generation.toolCalls }),
    finishReason: generation.finishReason,
    usage: generation.usage,
    ...(generation.trace === undefined ? {} : { trace: generation.trace }),
    ...(generation.trace?.transportRetries === undefined
      ? {}
      : { transportRetries: generation.trace.transportRetries }),
  };
  let judged: Awaited<ReturnType<typeof judgeOutput>>;
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
      const attempt = end({
        ...answered,
        accepted: false,
        kind: "rubric-error",
        endedAt: clock.now(),
        error: serializeError(error),
      });
      return { type: "stopped", error, attempt };
    }
    if (!CallerCodeError.isInstance(error))
      end({
        ...answered,
        accepted: false,
        kind: "aborted",
        endedAt: clock.now(),
        error: serializeError(error),
      });
    throw error;
  }
  const attempt: Attempt = { ...answered, accepted: judged.kind === undefined, endedAt: clock.now() };
  if (judged.kind !== undefined) attempt.kind = judged.kind;
  if (judged.verdict !== undefined) attempt.verdict = judged.verdict;
  if (judged.error !== undefined) attempt.error = serializeError(judged.error);
  end(attempt);
  return judged.kind === undefined
    ? { type: "accepted", attempt, generation }
    : { type: "failed", attempt, kind: judged.kind, generation };
}

/** What a rubric's prefix rules see: the same context as its whole-output rules. */
function prefixContext(input: AttemptInput, path: string): RuleContext {
  const { options } = input;
  const ctx: RuleContext = { request: input.request, modelId: input.rung.model.id, path };
  if (options.signal !== undefined) ctx.signal = options.signal;
  if (options.budget !== undefined) ctx.budget = options.budget;
  if (options.events !== undefined) ctx.events = options.events;
  return ctx;
}
