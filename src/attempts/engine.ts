import { isAbortReason, throwIfAborted } from "../abort.js";
import { BudgetExhaustedError } from "../budget.js";
import { type Clock, systemClock } from "../clock.js";
import { BlockedTaskError } from "../errors/blocked-task-error.js";
import type { ExhaustionLimit } from "../errors/exhausted-error.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { emit, joinPath } from "../events.js";
import { addUsage, type CallOptions, type GenerateRequest, type Generation } from "../model.js";
import { renderedChars } from "../prompt.js";
import type { StatsStore } from "../record/stats-store.js";
import type { Rubric } from "../rubric/types.js";
import type { Attempt, Skip, Usage } from "../trace.js";
import { makeAttempt } from "./attempt.js";
import type { CircuitBreakers } from "./breaker-registry.js";
import { answerFailureKinds, climbKinds } from "./classify.js";
import { finishExhausted, reportStoreError } from "./exhaust.js";
import { FeedbackLog, failureOf } from "./feedback.js";
import { guardCaller } from "./guard-caller.js";
import type { NormalizedRung } from "./ladder.js";
import { type ArrivalContext, arrivalSkip } from "./rung-skip.js";

/** The resolved settings of one engine (validated by `retryWithContext` / `escalateAcross`). @internal */
export interface EngineConfig {
  /** The event path segment: `"retry"` or `"escalate"`. */
  segment: string;
  /** The composed model's id, for messages. */
  id: string;
  rungs: readonly NormalizedRung[];
  rubric: Rubric | undefined;
  maxAttempts: number;
  feedbackBudget: number;
  onExhausted: "throw" | "best";
  breakers: CircuitBreakers | undefined;
  store: StatsStore | undefined;
  minAcceptRate: number | undefined;
  minSamples: number;
  /** Let every n-th learned skip of a rung through (per task class); undefined never explores. */
  exploreEvery: number | undefined;
  /** Learned skips since the last try, by task class and model id (this composed model's own count). */
  learnedSkips: Map<string, number>;
  clock: Clock | undefined;
}

/**
 * The one attempt loop behind `retryWithContext` and `escalateAcross` (DESIGN.md sections 2 and 3).
 *
 * Tries rungs in order: on arrival a rung may be skipped (recorded, with its reason); each attempt asks the
 * rung's breaker for a permit, carries the earlier failures as feedback within `feedbackBudget`, and is
 * judged. A failure's kind picks the next step: kinds asking again cannot fix climb at once and the model is
 * not asked again in this run; other failures retry the rung up to its `attempts`, then climb. The run ends
 * accepted, or exhausted (`maxAttempts` when a cap was spent, `notRetryable` when the last rung left failed
 * in a way asking again cannot fix or none could be tried). The caller's abort rethrows `signal.reason` at
 * once; a spent shared budget rethrows a `BudgetExhaustedError` carrying this run's attempts. Attempts never
 * sleep between each other.
 *
 * @throws BlockedTaskError before any call when `metadata.taskId` is given up in the store.
 * @throws ExhaustedError when no attempt was accepted (unless `onExhausted: "best"` finds a judged one).
 */
export async function runAttempts(
  config: EngineConfig,
  request: GenerateRequest,
  options: CallOptions = {},
): Promise<Generation> {
  const { signal, budget, events } = options;
  const clock = options.clock ?? config.clock ?? budget?.clock ?? systemClock;
  const path = joinPath(options.path, config.segment);
  throwIfAborted(signal);
  const { store } = config;
  const { taskId, taskClass } = request.metadata ?? {};
  if (store !== undefined && typeof taskId === "string") {
    // A store that cannot be read is reported and treated as "not blocked", as failed writes are. A store
    // that hangs cannot hold the call past the caller's abort or the deadline.
    const blockedAt = await guardCaller(() => store.givenUpAt(taskId), options).catch((error: unknown) => {
      if (isAbortReason(error, signal) || BudgetExhaustedError.isInstance(error)) throw error;
      reportStoreError(error);
      return undefined;
    });
    if (blockedAt !== undefined) throw new BlockedTaskError(taskId, blockedAt);
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
    guard: { signal, budget },
    learning:
      store !== undefined && typeof taskClass === "string" && config.minAcceptRate !== undefined
        ? {
            store,
            taskClass,
            minAcceptRate: config.minAcceptRate,
            minSamples: config.minSamples,
            exploreEvery: config.exploreEvery,
            skipsSinceTry: config.learnedSkips,
          }
        : undefined,
  };
  let usage: Usage = {};
  let best: { attempt: Attempt; modelId: string } | undefined;
  // Why the last rung left was left: decides the limit named when rungs run out.
  let leftBecause: ExhaustionLimit = "notRetryable";
  const skip = (rung: NormalizedRung, reason: Skip["reason"], detail: string) => {
    const entry: Skip = { rung: rung.index, modelId: rung.model.id, reason, detail, at: clock.now() };
    skips.push(entry);
    emit(events, "rung-skip", { path, timestamp: entry.at, skip: entry });
  };
  const stop = (error: BudgetExhaustedError): never => {
    emit(events, "exhausted", {
      path,
      timestamp: clock.now(),
      limit: error.limit,
      attempts: attempts.length,
    });
    throw new BudgetExhaustedError({ limit: error.limit, attempts, message: error.message, cause: error });
  };

  let position = 0;
  let usedOnRung = 0;
  let arrived = false;
  while (attempts.length < config.maxAttempts && position < config.rungs.length) {
    throwIfAborted(signal);
    const rung = config.rungs[position]!;
    if (!arrived) {
      const decision = await arrivalSkip(rung, arrival);
      if (decision !== undefined) {
        skip(rung, decision.reason, decision.detail);
        position += 1;
        continue;
      }
      arrived = true;
      usedOnRung = 0;
    }
    const breaker = config.breakers?.get(rung.model.id);
    const permit = breaker?.tryAcquire();
    if (breaker !== undefined && permit === undefined) {
      const retryAt = breaker.retryAt;
      skip(
        rung,
        "circuit-open",
        retryAt === undefined
          ? "its circuit is half-open and a probe is in flight"
          : `its circuit is open until ${new Date(retryAt).toISOString()}`,
      );
      position += 1;
      arrived = false;
      continue;
    }
    const spent = budget?.exceeded();
    if (spent !== undefined) {
      permit?.release("ignore");
      stop(budget!.error(spent, attempts));
    }

    const selection = log.select(request, config.feedbackBudget, rung.feedback);
    const sent =
      selection.feedback === request.feedback ? request : { ...request, feedback: selection.feedback! };
    const result = await makeAttempt({
      index: attempts.length + 1,
      rung,
      request: sent,
      promptChars: basePromptChars + selection.chars,
      feedbackChars: selection.chars,
      path,
      options,
      clock,
      rubric: config.rubric,
      permit,
    });
    const { attempt, generation } = result;
    if (attempt !== undefined) {
      attempts.push(attempt);
      usage = addUsage(usage, attempt.usage);
    }
    if (result.budgetError !== undefined) stop(result.budgetError);
    if (attempt === undefined) continue;

    const judgedAnswer = attempt.accepted || answerFailureKinds.has(attempt.kind!);
    if (store !== undefined && typeof taskClass === "string" && judgedAnswer) {
      // A store that throws is reported; one that hangs cannot outlive the abort or the deadline, and an
      // aborted call rejects even when its answer came back.
      try {
        await guardCaller(
          () => store.record({ taskClass, modelId: rung.model.id, accepted: attempt.accepted }),
          options,
        );
      } catch (error) {
        if (isAbortReason(error, signal)) throw error;
        if (BudgetExhaustedError.isInstance(error)) stop(error);
        reportStoreError(error);
      }
      throwIfAborted(signal);
    }
    if (attempt.accepted && generation !== undefined) {
      const accepted: Generation = {
        text: generation.text,
        finishReason: generation.finishReason,
        usage,
        modelId: generation.modelId,
        trace: { attempts, skips },
      };
      if (attempt.verdict !== undefined) accepted.verdict = attempt.verdict;
      return accepted;
    }
    if (
      attempt.verdict !== undefined &&
      (best === undefined || attempt.verdict.score > best.attempt.verdict!.score)
    ) {
      best = { attempt, modelId: generation?.modelId ?? attempt.modelId };
    }
    log.add(failureOf(attempt));

    const kind = attempt.kind!;
    usedOnRung += 1;
    if (climbKinds.has(kind)) {
      refused.set(rung.model.id, kind);
      if (kind === "context-overflow") {
        arrival.overflowedWindow = rung.model.capabilities?.contextWindowTokens ?? arrival.overflowedWindow;
      }
      leftBecause = "notRetryable";
    } else if (usedOnRung >= rung.attempts) {
      leftBecause = "maxAttempts";
    } else {
      continue;
    }
    position += 1;
    arrived = false;
  }

  const limit: ExhaustionLimit = attempts.length >= config.maxAttempts ? "maxAttempts" : leftBecause;
  return finishExhausted({ config, limit, attempts, skips, usage, best, path, events, clock, taskId });
}
