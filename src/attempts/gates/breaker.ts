import type { BreakerRegistry } from "../breaker-registry.js";
import { type Gate, type GateAnswer, isPromiseLike } from "./gate.js";

/**
 * `circuit-open`: asked before every attempt, the rung's circuit breaker refuses the call (open, or
 * half-open with its probe in flight); otherwise it hands out a permit the attempt releases with its
 * outcome. A shared registry (rungs/redis) answers with a promise.
 */
export function breakerGate(breakers: BreakerRegistry): Gate {
  return {
    on: "attempt",
    check(rung): GateAnswer | Promise<GateAnswer> {
      const answer = breakers.admit(rung.model.id);
      return isPromiseLike(answer) ? Promise.resolve(answer).then(toGateAnswer) : toGateAnswer(answer);
    },
  };
}

function toGateAnswer(admission: Awaited<ReturnType<BreakerRegistry["admit"]>>): GateAnswer {
  if (admission.permit !== undefined) return admission.permit;
  const { retryAt } = admission;
  return {
    reason: "circuit-open",
    detail:
      admission.detail ??
      (retryAt === undefined
        ? "its circuit is half-open and a probe is in flight"
        : `its circuit is open until ${new Date(retryAt).toISOString()}`),
  };
}
