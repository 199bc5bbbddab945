import { acceptRate, type RungStats, type StatsStore } from "../../record/stats-store.js";
import { guardedStore } from "../store-guard.js";
import type { Gate, GateAnswer } from "./gate.js";

/** The learning settings of an engine (`minAcceptRate` with a `store`). */
export interface LearnedGateOptions {
  store: StatsStore;
  minAcceptRate: number;
  minSamples: number;
  /** Let every n-th learned skip of a rung through (per task class); undefined never explores. */
  exploreEvery: number | undefined;
  /** A store that cannot be read stops the run (`StatsStoreError`) instead of learning nothing. */
  failClosed: boolean;
}

const isCount = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n >= 0;
function validStats(stats: unknown): stats is RungStats {
  if (typeof stats !== "object" || stats === null) return false;
  const { accepted, failed } = stats as { accepted?: unknown; failed?: unknown };
  return isCount(accepted) && isCount(failed);
}

/**
 * `learned`: with a stats store and `minAcceptRate`, a rung (never the top one: a ladder always has
 * something to try) whose acceptance rate on the request's `metadata.taskClass`, over at least `minSamples`
 * judged attempts, is below the threshold. Every `exploreEvery`-th such skip is tried instead, so a rate can
 * recover. A store that cannot be read, or answers with damaged counts, is reported and the rung tried
 * (`"admit"`: the routing policy is not asked either).
 */
export function learnedGate(options: LearnedGateOptions): Gate {
  // Learned skips since the last try, by task class and model id (this composed model's own count).
  const skipsSinceTry = new Map<string, number>();
  return {
    on: "arrival",
    check(rung, run): GateAnswer | Promise<GateAnswer> {
      const taskClass = run.request.metadata?.taskClass;
      if (typeof taskClass !== "string" || rung.index === run.lastRung) return undefined;
      return decide(rung.model.id, taskClass);
    },
  };

  async function decide(id: string, taskClass: string): Promise<GateAnswer> {
    // A store that hangs cannot hold the call past the abort or the deadline (the engine's guard).
    const stats = await guardedStore(
      () => options.store.stats(taskClass, id),
      {},
      options.failClosed ? "stats" : undefined,
    );
    if (!validStats(stats)) {
      if (stats !== undefined) {
        // Untrusted state: a damaged record is skipped with a warning, never a crash.
        globalThis.process?.emitWarning?.(
          `rungs: the stats store returned damaged counts for "${id}" (expected { accepted, failed } ≥ 0); learning is off for this rung this time`,
          { code: "RUNGS_STATS_STORE_ERROR" },
        );
      }
      return "admit";
    }
    const samples = stats.accepted + stats.failed;
    const rate = acceptRate(stats);
    if (rate === undefined || samples < options.minSamples || rate >= options.minAcceptRate) return undefined;
    const key = `${taskClass}\u0000${id}`;
    const skipped = (skipsSinceTry.get(key) ?? 0) + 1;
    if (options.exploreEvery !== undefined && skipped >= options.exploreEvery) {
      skipsSinceTry.set(key, 0);
      return "admit";
    }
    skipsSinceTry.set(key, skipped);
    return {
      reason: "learned",
      detail: `accepted ${stats.accepted}/${samples} on task class "${taskClass}" (rate ${rate.toFixed(2)} < minAcceptRate ${options.minAcceptRate})`,
    };
  }
}
