import type { Gate } from "./gate.js";

/**
 * `not-retryable`: the rung's model already failed in this run in a way asking again cannot fix (auth, not
 * found, invalid request, quota, context overflow, rate limit), or its known context window is no larger
 * than one that overflowed.
 */
export const notRetryableGate: Gate = {
  on: "arrival",
  check(rung, run) {
    const id = rung.model.id;
    const refusedKind = run.refused.get(id);
    if (refusedKind !== undefined) {
      return { reason: "not-retryable", detail: `"${id}" already failed with ${refusedKind} in this run` };
    }
    const window = rung.model.capabilities?.contextWindowTokens;
    const overflowed = run.overflowedWindow;
    if (overflowed !== undefined && window !== undefined && window <= overflowed) {
      return {
        reason: "not-retryable",
        detail: `its context window (${window} tokens) is no larger than one that overflowed (${overflowed})`,
      };
    }
    return undefined;
  },
};
