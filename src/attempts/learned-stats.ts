import type { GenerateRequest } from "../messages.js";
import type { StatsStore } from "../record/stats-store.js";
import type { Attempt } from "../trace.js";
import { answerFailureKinds } from "./classify.js";
import type { NormalizedRung } from "./ladder.js";
import type { RoutingPolicy } from "./routing/policy.js";
import { type Guard, guardedStore, reportStoreError } from "./store-guard.js";

/**
 * Counts one judged attempt in the store, under the request's task class and the keys the routing policy
 * learns from (e.g. features of the request). Only answers count: provider failures are the breaker's
 * business and a `rubric-error` is the judge's fault. The records go out together, so a file store
 * coalesces them into one write; a store that fails is reported.
 */
export async function recordJudged(
  store: StatsStore,
  routing: RoutingPolicy | undefined,
  request: GenerateRequest,
  earlier: readonly Attempt[],
  rung: NormalizedRung,
  attempt: Attempt,
  guard: Guard,
): Promise<void> {
  if (!attempt.accepted && !answerFailureKinds.has(attempt.kind!)) return;
  const taskClass = request.metadata?.taskClass;
  let keys: string[] = [];
  try {
    keys = [
      ...(typeof taskClass === "string" ? [taskClass] : []),
      ...(routing?.keys(request, earlier) ?? []),
    ];
  } catch (error) {
    reportStoreError(error);
  }
  const entry = { modelId: rung.model.id, accepted: attempt.accepted };
  await Promise.all(keys.map((key) => guardedStore(() => store.record({ taskClass: key, ...entry }), guard)));
}
