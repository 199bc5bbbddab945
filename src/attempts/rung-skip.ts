import { isAbortReason } from "../abort.js";
import { type Budget, BudgetExhaustedError } from "../budget.js";
import { CallerCodeError, isCallerBug } from "../errors/caller-code-error.js";
import type { FailureKind } from "../errors/failure-kind.js";
import type { GenerateRequest } from "../model.js";
import { acceptRate, type RungStats, type StatsStore } from "../record/stats-store.js";
import type { Attempt, SkipReason } from "../trace.js";
import { reportStoreError } from "./exhaust.js";
import { guardCaller } from "./guard-caller.js";
import type { NormalizedRung } from "./ladder.js";
import type { RoutingPolicy } from "./routing/policy.js";
import { guardedStore } from "./task-state.js";

/** Why a rung is passed over on arrival, or `undefined` to try it. */
export interface SkipDecision {
  reason: SkipReason;
  detail: string;
}

/** What the run knows when it arrives at a rung. */
export interface ArrivalContext {
  request: GenerateRequest;
  attempts: readonly Attempt[];
  /** Models that failed in a way asking again cannot fix, with that kind. */
  refused: ReadonlyMap<string, FailureKind>;
  /** The context window (tokens) of a model that overflowed, when known. */
  overflowedWindow: number | undefined;
  /** The top rung's index: learning never skips it, so a ladder always has something to try. */
  lastRung: number;
  /** The call's signal and budget: a store read is raced against them. */
  guard: { signal?: AbortSignal | undefined; budget?: Budget | undefined };
  learning:
    | {
        store: StatsStore;
        taskClass: string;
        minAcceptRate: number;
        minSamples: number;
        exploreEvery: number | undefined;
        skipsSinceTry: Map<string, number>;
        /** A store that cannot be read stops the run (`StatsStoreError`) instead of learning nothing. */
        failClosed: boolean;
      }
    | undefined;
  /** The engine's routing policy, with its store and the ladder's model ids. */
  routing: { policy: RoutingPolicy; store: StatsStore; modelIds: readonly string[] } | undefined;
}

const isCount = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n >= 0;
function validStats(stats: unknown): stats is RungStats {
  if (typeof stats !== "object" || stats === null) return false;
  const { accepted, failed } = stats as { accepted?: unknown; failed?: unknown };
  return isCount(accepted) && isCount(failed);
}
function describeStats(stats: unknown): string {
  return typeof stats === "object" && stats !== null ? "an object without valid counts" : String(stats);
}

/**
 * Decides, once per arrival at a rung, whether to pass it over (the breaker is asked per attempt instead):
 * 1. `not-retryable`: its model already failed in this run with a kind asking again cannot fix, or its known
 *    context window is no larger than one that overflowed;
 * 2. `disabled`: its `skip` function returned a reason;
 * 3. `learned`: with a stats store and `minAcceptRate`, its acceptance rate for this `taskClass` over at
 *    least `minSamples` judged attempts is below the threshold (never the top rung);
 * 4. `learned`: the `routing` policy returned a reason (it may pass over the top rung).
 */
export function arrivalSkip(
  rung: NormalizedRung,
  context: ArrivalContext,
): SkipDecision | undefined | Promise<SkipDecision | undefined> {
  const id = rung.model.id;
  const refusedKind = context.refused.get(id);
  if (refusedKind !== undefined) {
    return { reason: "not-retryable", detail: `"${id}" already failed with ${refusedKind} in this run` };
  }
  const window = rung.model.capabilities?.contextWindowTokens;
  if (context.overflowedWindow !== undefined && window !== undefined && window <= context.overflowedWindow) {
    return {
      reason: "not-retryable",
      detail: `its context window (${window} tokens) is no larger than one that overflowed (${context.overflowedWindow})`,
    };
  }
  if (rung.skip !== undefined) {
    let skip: false | string;
    try {
      skip = rung.skip({
        request: context.request,
        rung: rung.index,
        modelId: id,
        attempts: context.attempts,
      });
    } catch (error) {
      throw new CallerCodeError({ origin: "skip", modelId: id, cause: error });
    }
    if (typeof skip === "string")
      return { reason: "disabled", detail: skip || "its skip() returned a reason" };
  }
  // Only learning and routing ask a store (asynchronously); every other decision is made here and now.
  const learn = context.learning !== undefined && rung.index !== context.lastRung;
  return learn || context.routing !== undefined ? storeSkip(rung, context, learn) : undefined;
}

/** 3 and 4: the learned rate (when `learn`), then the routing policy. */
async function storeSkip(
  rung: NormalizedRung,
  context: ArrivalContext,
  learn: boolean,
): Promise<SkipDecision | undefined> {
  const id = rung.model.id;
  const learned = learn ? await learnedSkip(id, context.learning!, context.guard) : undefined;
  if (learned === "try") return undefined;
  if (learned !== undefined) return learned;
  const { routing } = context;
  if (routing !== undefined) {
    // A policy (and the store it reads) that hangs cannot hold the call past the abort or the deadline.
    const reason = await guardCaller(
      () =>
        routing.policy.skip({
          request: context.request,
          rung: rung.index,
          modelIds: routing.modelIds,
          attempts: context.attempts,
          store: routing.store,
        }),
      context.guard,
    ).catch((error: unknown) => {
      if (isAbortReason(error, context.guard.signal) || BudgetExhaustedError.isInstance(error)) throw error;
      // A bug in the policy's code stops the run, as a throwing skip() does; a store that fails to
      // answer (a connection, a corrupt file) is reported and the rung tried.
      if (isCallerBug(error)) throw new CallerCodeError({ origin: "skip", modelId: id, cause: error });
      reportStoreError(error);
      return undefined;
    });
    if (typeof reason === "string" && reason !== "") return { reason: "learned", detail: reason };
  }
  return undefined;
}

/**
 * 3. `learned`: the rung's acceptance rate on this task class is below the threshold. `"try"` when the rung
 * is tried without asking the routing policy (an unreadable store, an exploring try); undefined to go on.
 */
async function learnedSkip(
  id: string,
  learning: NonNullable<ArrivalContext["learning"]>,
  guard: ArrivalContext["guard"],
): Promise<SkipDecision | "try" | undefined> {
  // A store that cannot be read must not break every run (a corrupt stats file): learn nothing this time.
  // A store that hangs cannot hold the call past the abort or the deadline.
  const stats = await guardedStore(
    () => learning.store.stats(learning.taskClass, id),
    guard,
    learning.failClosed ? "stats" : undefined,
  );
  if (!validStats(stats)) {
    if (stats !== undefined)
      reportStoreError(
        new TypeError(
          `stats store returned ${describeStats(stats)} for "${id}"; expected { accepted, failed } counts ≥ 0`,
        ),
      );
    return "try";
  }
  const samples = stats.accepted + stats.failed;
  const rate = acceptRate(stats);
  if (rate !== undefined && samples >= learning.minSamples && rate < learning.minAcceptRate) {
    // Exploration: every exploreEvery-th skip is tried instead, so the rate can recover.
    const key = `${learning.taskClass}\u0000${id}`;
    const skipped = (learning.skipsSinceTry.get(key) ?? 0) + 1;
    if (learning.exploreEvery !== undefined && skipped >= learning.exploreEvery) {
      learning.skipsSinceTry.set(key, 0);
      return "try";
    }
    learning.skipsSinceTry.set(key, skipped);
    return {
      reason: "learned",
      detail: `accepted ${stats.accepted}/${samples} on task class "${learning.taskClass}" (rate ${rate.toFixed(2)} < minAcceptRate ${learning.minAcceptRate})`,
    };
  }
  return undefined;
}
