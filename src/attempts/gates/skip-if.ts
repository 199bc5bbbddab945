import { CallerCodeError } from "../../errors/caller-code-error.js";
import type { Gate } from "./gate.js";

/**
 * `disabled`: the rung's own `skip(context)` returned a reason. A `skip` that throws is a bug in the
 * caller's code: the run stops with a {@link CallerCodeError}.
 */
export const skipIfGate: Gate = {
  on: "arrival",
  check(rung, run) {
    if (rung.skip === undefined) return undefined;
    let reason: false | string;
    try {
      reason = rung.skip({
        request: run.request,
        rung: rung.index,
        modelId: rung.model.id,
        attempts: run.attempts,
      });
    } catch (error) {
      throw new CallerCodeError({ origin: "skip", modelId: rung.model.id, cause: error });
    }
    return typeof reason === "string"
      ? { reason: "disabled", detail: reason || "its skip() returned a reason" }
      : undefined;
  },
};
