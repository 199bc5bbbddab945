import { throwIfAborted } from "../abort.js";
import { type Budget, BudgetExhaustedError } from "../budget.js";
import { type Clock, systemClock } from "../clock.js";
import { BlockedTaskError } from "../errors/blocked-task-error.js";
import type { ExhaustionLimit } from "../errors/exhausted-error.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { StatsStoreError } from "../errors/stats-store-error.js";
import { emit, joinPath, listening } from "../events.js";
import { addUsage, type CallOptions, type GenerateRequest, type Generation } from "../model.js";
import { renderedChars } from "../prompt.js";
import type { StatsStore, TaskState } from "../record/stats-store.js";
import type { Rubric } from "../rubric/types.js";
import type { Attempt, Resumption, Skip, Usage } from "../trace.js";
import { makeAttempt } from "./attempt.js";
import type { BreakerPermit } from "./breaker.js";
import type { BreakerAdmission, BreakerRegistry } from "./breaker-registry.js";
import { answerFailureKinds, climbKinds } from "./classify.js";
import { finishExhausted, reportStoreError } from "./exhaust.js";
import { FeedbackLog, failureOf } from "./feedback.js";
import { guardCaller } from "./guard-caller.js";
import type { NormalizedRung } from "./ladder.js";
import type { RoutingPolicy } from "./routing/policy.js";
import { type ArrivalContext, arrivalSkip } from "./rung-skip.js";
import { earlierFailures, guardedStore, resumeAt, taskFeedbackKept } from "./task-state.js";

/** The resolved settings of one engine (validated by `retryWithContext` / `escalateAcross`). @internal */
export interface EngineConfig {
  /** The event path segment: `"retry"` or `"escalate"`. */
  segment: string;
  /** The composed model's id, for messages. */
  id: string;
  rungs: readonly NormalizedRung[];
  rubric: Rubric | undefined;
  maxAttempts: number;
  /** What a store that cannot be read does to the run. */
  whenUnavailable: "fail-open" | "fail-closed";
  /** Most ms one attempt's call may take before it is aborted as `timeout` (a rung's own limit wins). */
  attemptTimeoutMs: number;
  maxFeedbackChars: number;
  onExhausted: "throw" | "best";
  breakers: BreakerRegistry | undefined;
  store: StatsStore | undefined;
  minAcceptRate: number | undefined;
  minSamples: number;
  /** Let every n-th learned skip of a rung through (per task class); undefined never explores. */
  exploreEvery: number | undefined;
  /** Chooses rungs from the store, and names extra keys to count attempts under. */
  routing: RoutingPolicy | undefined;
  /** Learned skips since the last try, by task class and model id (this composed model's own count). */
  learnedSkips: Map<string, number>;
  clock: Clock | undefined;
}

/**
 * Reads the stats store: a failure is reported and read as "nothing known" (`fail-open`), or stops the run
 * with a {@link StatsStoreError} (`fail-closed`).
 */
async function readStore<T>(
  config: EngineConfig,
  operation: string,
  call: () => T | Promise<T>,
  guard: { signal?: AbortSignal | undefined; budget?: Budget | undefined },
): Promise<T | undefined> {
  // Either way a store that hangs cannot hold the call past the caller's abort or the deadline.
  return guardedStore(call, guard, config.whenUnavailable === "fail-closed" ? operation : undefined);
}

/**
 * The one attempt loop behind `retryWithContext` and `escalateAcross` (docs/architecture.md).
 *
 * Tries rungs in order: on arrival a rung may be skipped (recorded, with its reason); each attempt asks the
 * rung's breaker for a permit, carries the earlier failures as feedback within `maxFeedbackChars`, and is
 * judged. A failure's kind picks the next step: kinds asking again cannot fix climb at once and the model is
 * not asked again in this run; other failures retry the rung up to its `attempts`, then climb. The run ends
 * accepted, or exhausted: `maxAttempts` when the run's cap was spent, `everyRungTried` when the rungs ran
 * out first (the last one used its `attempts`), `notRetryable` when the last rung left failed in a way
 * asking again cannot fix or none could be tried. The caller's abort rethrows `signal.reason` at
 * once; a spent shared budget rethrows a `BudgetExhaustedError` carrying this run's attempts. Attempts never
 * sleep between each other.
 *
 * @throws BlockedTaskError before any call when `metadata.taskId` is blocked in the store.
 * @throws ExhaustedError when no attempt was accepted (unless `onExhausted: "best"` finds a judged one).
 */
export async function runAttempts(
  config: EngineConfig,
  request: GenerateRequest,
  options: CallOptions = {},
): Promise<Generation> {
  const { signal, budget, events, split } = options;
  // Under a treeSplit, this engine's rubric judges only the answer; notes have the split's notes rubric.
  const rubric = split !== undefined && split.stage !== "answer" ? split.notesRubric : config.rubric;
  const clock = options.clock ?? config.clock ?? budget?.clock ?? systemClock;
  const path = joinPath(options.path, config.segment);
  throwIfAborted(signal);
  // Caller code (stores, shared breakers) is raced against these: it may hang.
  const guard = { signal, budget };
  const { store } = config;
  const { taskId, taskClass } = request.metadata ?? {};
  // One rule for ids from outside, in the check and the give-up alike: a string, or nothing. A numeric
  // taskId was written as blocked but never checked (so a blocked task ran).
  for (const [name, id] of [
    ["taskId", taskId],
    ["taskClass", taskClass],
  ] as const) {
    if (id !== undefined && (typeof id !== "string" || id.length === 0)) {
      throw new InvalidArgumentError({
        parameter: `metadata.${name}`,
        value: typeof id,
        message: `${config.id}: "metadata.${name}" must be a non-empty string (got ${typeof id === "string" ? "an empty string" : typeof id}). Pass String(${name}) if it is a number.`,
      });
    }
  }
  // The task's memory across runs: blocked, or where its earlier runs got to (docs/architecture.md).
  const tracked = store !== undefined && typeof taskId === "string" ? { store, taskId } : undefined;
  let state: TaskState | undefined;
  if (tracked !== undefined) {
    // A store that cannot be read is reported and treated as knowing nothing, as failed writes are.
    const blockedAt = await readStore(
      config,
      "blockedAt",
      () => tracked.store.blockedAt(tracked.taskId),
      guard,
    );
    if (blockedAt !== undefined) {
      emit(events, "task-block", { path, timestamp: clock.now(), taskId: tracked.taskId, blockedAt });
      throw new BlockedTaskError(tracked.taskId, blockedAt);
    }
    state = await readStore(config, "getTaskState", () => tracked.store.getTaskState(tracked.taskId), guard);
  }

  const attempts: Attempt[] = [];
  const skips: Skip[] = [];
  const log = new FeedbackLog();
  const refused = new Map<string, FailureKind>();
  const basePromptChars = renderedChars(request);
  const arrival: ArrivalContext = {
    request,
    attempts,
    refused,
    overflowedWindow: undefined,
    lastRung: config.rungs.length - 1,
    guard,
    learning:
      store !== undefined && typeof taskClass === "string" && config.minAcceptRate !== undefined
        ? {
            store,
            taskClass,
            minAcceptRate: config.minAcceptRate,
            minSamples: config.minSamples,
            exploreEvery: config.exploreEvery,
            skipsSinceTry: config.learnedSkips,
            failClosed: config.whenUnavailable === "fail-closed",
          }
        : undefined,
    routing:
      store !== undefined && config.routing !== undefined
        ? { policy: config.routing, store, modelIds: config.rungs.map((r) => r.model.id) }
        : undefined,
  };
  let usage: Usage = {};
  let best: { attempt: Attempt; modelId: string; rungModelId: string } | undefined;
  // Why the last rung left was left: decides the limit named when rungs run out.
  let leftBecause: ExhaustionLimit = "notRetryable";
  const skip = (rung: NormalizedRung, reason: Skip["reason"], detail: string) => {
    const entry: Skip = { rung: rung.index, modelId: rung.model.id, reason, detail, at: clock.now() };
    skips.push(entry);
    if (listening(events, "rung-skip")) emit(events, "rung-skip", { path, timestamp: entry.at, skip: entry });
  };
  const stop = (error: BudgetExhaustedError): never => {
    if (listening(events, "run-exhaust")) {
      emit(events, "run-exhaust", {
        path,
        timestamp: clock.now(),
        limit: error.limit,
        attemptCount: attempts.length,
      });
    }
    throw new BudgetExhaustedError({ limit: error.limit, attempts, message: error.message, cause: error });
  };
  // A store call inside the loop: a deadline that fires while it hangs stops the run with its attempts.
  const storeCall = async (call: () => unknown): Promise<void> => {
    try {
      await guardedStore(call, guard);
    } catch (error) {
      if (BudgetExhaustedError.isInstance(error)) stop(error);
      throw error;
    }
  };

  let position = 0;
  let resumed: Resumption | undefined;
  if (tracked !== undefined && state !== undefined) {
    resumed = resumeAt(config.rungs, tracked.taskId, state);
    if (listening(events, "task-resume"))
      emit(events, "task-resume", { path, timestamp: clock.now(), resumed });
    for (const failure of earlierFailures(state)) log.add(failure);
    for (; position < resumed.startRung; position += 1) {
      skip(config.rungs[position]!, "escalated", resumed.detail);
    }
  }
  // Whether the store holds a state for the task that an accepted answer must clear.
  let stateToReset = state !== undefined;
  let usedOnRung = 0;
  let arrived = false;
  while (attempts.length < config.maxAttempts && position < config.rungs.length) {
    throwIfAborted(signal);
    const rung = config.rungs[position]!;
    if (!arrived) {
      const deciding = arrivalSkip(rung, arrival);
      const decision = deciding instanceof Promise ? await deciding : deciding;
      if (decision !== undefined) {
        skip(rung, decision.reason, decision.detail);
        position += 1;
        continue;
      }
      arrived = true;
      usedOnRung = 0;
    }
    let permit: BreakerPermit | undefined;
    // A shared registry's release is awaited after the attempt, so the next attempt (here or in another
    // process) sees this one's outcome.
    let releasing: Promise<void> | undefined;
    if (config.breakers !== undefined) {
      const answer = config.breakers.admit(rung.model.id);
      const admission: BreakerAdmission = isPromise(answer) ? await guardCaller(() => answer, guard) : answer;
      if (admission.permit === undefined) {
        const { retryAt } = admission;
        skip(
          rung,
          "circuit-open",
          admission.detail ??
            (retryAt === undefined
              ? "its circuit is half-open and a probe is in flight"
              : `its circuit is open until ${new Date(retryAt).toISOString()}`),
        );
        position += 1;
        arrived = false;
        continue;
      }
      const held = admission.permit;
      permit = {
        probe: held.probe,
        deadline: held.deadline,
        release: (outcome) => {
          const settled = held.release(outcome);
          if (isPromise(settled)) releasing = settled;
        },
      };
    }
    const spent = budget?.exceeded();
    if (spent !== undefined) {
      permit?.release("ignore");
      if (releasing !== undefined) await guardCaller(() => releasing, guard);
      stop(budget!.error(spent, attempts));
    }

    const selection = log.select(request, config.maxFeedbackChars, rung.feedbackMode, split?.fits);
    const sent =
      selection.feedback === request.feedback ? request : { ...request, feedback: selection.feedback! };
    let result: Awaited<ReturnType<typeof makeAttempt>>;
    try {
      result = await makeAttempt({
        index: attempts.length + 1,
        rung,
        request: sent,
        promptChars: basePromptChars + selection.chars,
        feedbackChars: selection.chars,
        path,
        options,
        clock,
        rubric,
        timeoutMs: rung.attemptTimeoutMs ?? config.attemptTimeoutMs,
        permit,
      });
    } finally {
      if (releasing !== undefined) await guardCaller(() => releasing, guard);
    }
    const { attempt, generation } = result;
    if (attempt !== undefined) {
      attempts.push(attempt);
      usage = addUsage(usage, attempt.usage);
    }
    if (result.budgetError !== undefined) stop(result.budgetError);
    if (attempt === undefined) continue;

    const judgedAnswer = attempt.accepted || answerFailureKinds.has(attempt.kind!);
    if (store !== undefined && judgedAnswer) {
      // The task class, and with a routing policy the keys it learns from (e.g. features of the request).
      // A store that throws is reported; one that hangs cannot outlive the abort or the deadline (an
      // aborted call rejects even when its answer came back). The records go out together so a file
      // store coalesces them into one write.
      let keys: string[] = [];
      try {
        keys = [
          ...(typeof taskClass === "string" ? [taskClass] : []),
          ...(config.routing?.keys(request, attempts.slice(0, -1)) ?? []),
        ];
      } catch (error) {
        reportStoreError(error);
      }
      await Promise.all(
        keys.map((key) =>
          storeCall(() =>
            store.record({ taskClass: key, modelId: rung.model.id, accepted: attempt.accepted }),
          ),
        ),
      );
      throwIfAborted(signal);
    }
    if (attempt.accepted && generation !== undefined) {
      if (tracked !== undefined && stateToReset) {
        await storeCall(() => tracked.store.resetTask(tracked.taskId));
        throwIfAborted(signal);
      }
      const accepted: Generation = {
        text: generation.text,
        finishReason: generation.finishReason,
        usage,
        modelId: generation.modelId,
        trace: resumed === undefined ? { attempts, skips } : { attempts, skips, resumed },
        answeredBy: {
          rung: rung.index,
          modelId: rung.model.id,
          climbed: rung.index > 0,
          attemptCount: attempts.length,
        },
      };
      if (attempt.verdict !== undefined) accepted.verdict = attempt.verdict;
      if (attempt.verdict !== undefined && "value" in attempt.verdict) accepted.value = attempt.verdict.value;
      return accepted;
    }
    if (
      attempt.verdict !== undefined &&
      (best === undefined || attempt.verdict.score > best.attempt.verdict!.score)
    ) {
      best = { attempt, modelId: generation?.modelId ?? attempt.modelId, rungModelId: rung.model.id };
    }
    const failure = failureOf(attempt);
    log.add(failure);
    if (tracked !== undefined) {
      // Written per attempt, so a process that dies mid-run leaves where it got to for the next one.
      const entry = { rung: rung.index, modelId: rung.model.id, failure, at: attempt.endedAt };
      await storeCall(() =>
        tracked.store.recordTaskFailure(tracked.taskId, { ...entry, keep: taskFeedbackKept }),
      );
      stateToReset = true;
    }

    const kind = attempt.kind!;
    usedOnRung += 1;
    if (climbKinds.has(kind)) {
      refused.set(rung.model.id, kind);
      if (kind === "context-overflow") {
        arrival.overflowedWindow = rung.model.capabilities?.contextWindowTokens ?? arrival.overflowedWindow;
      }
      leftBecause = "notRetryable";
    } else if (usedOnRung >= rung.maxAttempts) {
      leftBecause = "everyRungTried";
    } else {
      continue;
    }
    position += 1;
    arrived = false;
  }

  const limit: ExhaustionLimit = attempts.length >= config.maxAttempts ? "maxAttempts" : leftBecause;
  // The ladder is exhausted (the task blocked) once its top rung was tried or no rung is left; a run cut
  // short by maxAttempts below the top leaves the task escalated for its next run instead.
  const top = config.rungs.length - 1;
  const givesUp = position > top || attempts.at(-1)?.rung === top;
  return finishExhausted({
    config,
    limit,
    attempts,
    skips,
    usage,
    best,
    path,
    events,
    clock,
    taskId: givesUp ? taskId : undefined,
    resumed,
    guard,
  });
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === "function";
}
