import { isAbortReason } from "../../abort.js";
import { BudgetExhaustedError } from "../../budget.js";
import { CallerCodeError, isCallerBug } from "../../errors/caller-code-error.js";
import type { StatsStore } from "../../record/stats-store.js";
import type { RoutingPolicy } from "../routing/policy.js";
import { reportStoreError } from "../store-guard.js";
import type { Gate, GateAnswer } from "./gate.js";

/**
 * `learned`: the engine's routing policy (e.g. `costAwareRouting`) returned a reason to pass the rung over;
 * it may pass over the top rung. A policy whose code throws a bug (a TypeError, ...) stops the run as
 * caller code; a store that fails to answer is reported and the rung tried.
 */
export function routingGate(policy: RoutingPolicy, store: StatsStore, modelIds: readonly string[]): Gate {
  return {
    on: "arrival",
    async check(rung, run): Promise<GateAnswer> {
      let reason: string | false | undefined;
      try {
        reason = await policy.skip({
          request: run.request,
          rung: rung.index,
          modelIds,
          attempts: run.attempts,
          store,
        });
      } catch (error) {
        if (isAbortReason(error, run.guard.signal) || BudgetExhaustedError.isInstance(error)) throw error;
        if (isCallerBug(error))
          throw new CallerCodeError({ origin: "skip", modelId: rung.model.id, cause: error });
        reportStoreError(error);
        return undefined;
      }
      return typeof reason === "string" && reason !== "" ? { reason: "learned", detail: reason } : undefined;
    },
  };
}
