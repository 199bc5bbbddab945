import { throwIfAborted } from "../abort.js";
import { systemClock } from "../clock.js";
import type { ExhaustionLimit } from "../errors/exhausted-error.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { joinPath } from "../events.js";
import type { GenerateRequest } from "../messages.js";
import type { CallOptions, Generation } from "../model.js";
import { renderedChars } from "../prompt.js";
import type { PartSink } from "../stream/sink.js";
import { makeAttempt } from "./attempt.js";
import { decide } from "./decide.js";
import type { EngineConfig } from "./engine-config.js";
import { failureOf } from "./feedback.js";
import { answerOf, exhaust } from "./finish.js";
import { admit } from "./gates/admit.js";
import { isSkip } from "./gates/gate.js";
import { recordJudged } from "./learned-stats.js";
import { Run } from "./run.js";
import { TaskMemory } from "./task-memory.js";

/**
 * The one attempt loop behind `retryWithContext` and `escalateAcross` (docs/architecture.md, *The attempt
 * engine*). It knows only: pick the next rung, ask the gates, call, judge, decide (accept, retry, climb or
 * stop). The gates (a resumed task, `not-retryable`, `skip`, learned rates, routing, breakers) may pass a rung
 * over, always recorded with its reason. The run ends accepted, or exhausted with the limit that fired:
 * `maxAttempts` (the run's cap), `everyRungTried`, `notRetryable`, `rungsUnavailable` (what was left was
 * unavailable: the task is not blocked), `rubricError` (the judge failed: no further call). The caller's abort
 * rethrows `signal.reason` at once; a spent shared budget rethrows a `BudgetExhaustedError` carrying this
 * run's attempts. Attempts never sleep between each other. With a `sink` (a run for a stream), every attempt
 * streams its parts into it, each marked by `attempt-start` and, when rejected, `discard`; a prefix that
 * already fails the rubric stops the attempt early (src/attempts/stream-rung.ts).
 *
 * @throws BlockedTaskError before any call when `metadata.taskId` is blocked in the store.
 * @throws ExhaustedError when no attempt was accepted (unless `onExhausted: "best"` finds a judged one).
 */
export async function runAttempts(
  config: EngineConfig,
  request: GenerateRequest,
  options: CallOptions = {},
  sink?: PartSink,
): Promise<Generation> {
  const { signal, budget } = options;
  throwIfAborted(signal);
  const taskId = checkedId(config, request, "taskId");
  checkedId(config, request, "taskClass");
  const clock = options.clock ?? config.clock ?? budget?.clock ?? systemClock;
  const path = joinPath(options.path, config.segment);
  const { store } = config;
  const memory =
    store === undefined || taskId === undefined
      ? undefined
      : await TaskMemory.open({
          store,
          taskId,
          guard: { signal, budget },
          failClosed: config.whenUnavailable === "fail-closed",
          maxUnfinishedAttempts: config.maxUnfinishedAttempts,
          events: options.events,
          path,
          clock,
        });
  const run = new Run(config, request, options, path, clock, memory);
  run.sink = sink;
  run.resumed = memory?.resume(config.rungs);
  for (const failure of memory?.earlierFailures() ?? []) run.feedback.add(failure);
  try {
    return await climb(run);
  } finally {
    run.timer.dispose();
    // A run that stops during an attempt (abort, spent budget, caller code) ends it: only a death leaves a mark.
    memory?.attemptAbandoned();
  }
}

/** The loop: pick the next rung, ask the gates, call, judge, decide. */
async function climb(run: Run): Promise<Generation> {
  const { config, request, options, path, clock, memory } = run;
  const { signal, budget } = options;
  const { store } = config;
  const basePromptChars = renderedChars(request);

  let position = 0;
  let usedOnRung = 0;
  let arrived = false;
  let leftBecause: ExhaustionLimit = "notRetryable";
  // A rung passed over as unavailable (open breaker, closed rate gate) was not tried: no blocking for it.
  let unavailable = false;
  while (run.attempts.length < config.maxAttempts && position < config.rungs.length) {
    throwIfAborted(signal);
    const rung = config.rungs[position]!;
    const admission = await admit(config.gates, rung, run, !arrived);
    if (isSkip(admission)) {
      run.skip(rung, admission);
      if (admission.reason === "circuit-open") unavailable = true;
      position += 1;
      arrived = false;
      continue;
    }
    if (!arrived) [arrived, usedOnRung] = [true, 0];
    const spent = budget?.exceeded();
    if (spent !== undefined) {
      await admission?.release("ignore");
      throw run.budgetStop(budget!.error(spent));
    }
    const selection = run.feedback.select(
      request,
      config.maxFeedbackChars,
      rung.feedbackMode,
      options.promptFits,
    );
    // Marked started before the call, so a process killed during it leaves evidence (maxUnfinishedAttempts).
    if (memory !== undefined) await memory.attemptStarted(rung, clock.now());
    const outcome = await makeAttempt({
      index: run.attempts.length + 1,
      rung,
      request:
        selection.feedback === request.feedback ? request : { ...request, feedback: selection.feedback! },
      promptChars: basePromptChars + selection.chars,
      feedbackChars: selection.chars,
      path,
      options,
      clock,
      rubric: config.rubric,
      timeoutMs: rung.attemptTimeoutMs ?? config.attemptTimeoutMs,
      permit: admission,
      timer: run.timer,
      ...(run.sink === undefined ? {} : { sink: run.sink }),
    });
    const { attempt } = outcome;
    if (attempt !== undefined)
      run.add(
        attempt,
        outcome.type === "stopped" ? attempt.modelId : (outcome.generation?.modelId ?? attempt.modelId),
      );
    if (outcome.type === "stopped") throw run.budgetStop(outcome.error);
    if (store !== undefined) {
      await run.storeStep(() =>
        recordJudged(
          store,
          config.routing,
          request,
          run.attempts.slice(0, -1),
          rung,
          outcome.attempt,
          run.guard,
        ),
      );
      throwIfAborted(signal);
    }
    if (outcome.type === "accepted") {
      if (memory !== undefined) await run.storeStep(() => memory.accepted());
      throwIfAborted(signal);
      return answerOf(run, outcome.attempt, outcome.generation.modelId, outcome.generation);
    }
    const failure = failureOf(outcome.attempt);
    run.feedback.add(failure);
    // Written per attempt, so a process that dies mid-run leaves where it got to for the next one.
    if (memory !== undefined)
      await run.storeStep(() => memory.recordFailure(rung, failure, outcome.attempt.endedAt));
    usedOnRung += 1;
    const step = decide(outcome.kind, usedOnRung, rung);
    if (step.next === "stop") return exhaust(run, step.limit, false);
    if (step.next === "retry") continue;
    if (step.because !== "everyRungTried") run.refused.set(rung.model.id, outcome.kind);
    if (outcome.kind === "context-overflow") {
      run.overflowedWindow = rung.model.capabilities?.contextWindowTokens ?? run.overflowedWindow;
    }
    if (step.because === "rungsUnavailable") unavailable = true;
    leftBecause = step.because;
    position += 1;
    arrived = false;
  }

  const capped = run.attempts.length >= config.maxAttempts;
  const limit: ExhaustionLimit = capped ? "maxAttempts" : unavailable ? "rungsUnavailable" : leftBecause;
  // The task is blocked once its ladder was really tried: the top rung answered or failed, or no rung was
  // left. A run cut short by maxAttempts below the top leaves it escalated for its next run instead, and a
  // run that met unavailable rungs leaves it for when they recover.
  const triedToTheTop = position > run.lastRung || run.attempts.at(-1)?.rung === run.lastRung;
  return exhaust(run, limit, triedToTheTop && !unavailable);
}

/** One rule for ids from outside: a non-empty string, or nothing (a numeric taskId would never match). */
function checkedId(
  config: EngineConfig,
  request: GenerateRequest,
  name: "taskId" | "taskClass",
): string | undefined {
  const id = request.metadata?.[name];
  if (id === undefined) return undefined;
  if (typeof id === "string" && id.length > 0) return id;
  throw new InvalidArgumentError({
    parameter: `metadata.${name}`,
    value: typeof id,
    message: `${config.id}: "metadata.${name}" must be a non-empty string (got ${typeof id === "string" ? "an empty string" : typeof id}). Pass String(${name}) if it is a number.`,
  });
}
