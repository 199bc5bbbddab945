import type { GenerateRequest } from "../../model.js";
import type { MaybePromise, StatsStore } from "../../record/stats-store.js";
import type { Attempt } from "../../trace.js";

/** What a {@link RoutingPolicy} sees when the run arrives at a rung. */
export interface RoutingContext {
  /** The caller's request (without the engine's feedback). */
  request: GenerateRequest;
  /** 0-based ladder position of the rung. */
  rung: number;
  /** Every rung's model id, in ladder order (`modelIds[rung]` is this rung's). */
  modelIds: readonly string[];
  /** Attempts made so far in this run. */
  attempts: readonly Attempt[];
  /** The engine's `store`. */
  store: StatsStore;
}

/**
 * Decides which rungs a learned ladder tries, from counts in the engine's {@link StatsStore}. Give it as
 * the engine option `routing` (with a `store`). Built in: {@link costAwareRouting}.
 *
 * The engine counts each judged attempt under `metadata.taskClass` (as plain learning does) and under every
 * key `keys` returns, so a policy can learn from features of a request beyond its exact class.
 */
export interface RoutingPolicy {
  /**
   * Called once when the ladder is built, with its model ids in order; throws `InvalidArgumentError` when
   * the policy cannot serve that ladder (e.g. a model with no price).
   */
  check?(modelIds: readonly string[]): void;
  /**
   * The store keys (besides `metadata.taskClass`) a judged attempt of `request` is counted under, given the
   * attempts made before it in the run. If it throws, the engine warns (`RUNGS_STATS_STORE_ERROR`) and
   * counts nothing for that attempt.
   */
  keys(request: GenerateRequest, earlier: readonly Attempt[]): readonly string[];
  /**
   * A reason (non-empty) to pass the rung over, or `undefined` to try it. May pass over the top rung: the
   * run then ends exhausted, as when no rung can be tried. If it throws or rejects with a bug in code
   * (`TypeError`, `ReferenceError`, ...), the run stops with a `CallerCodeError` (`origin: "skip"`), as for a
   * rung's `skip`; with anything else (e.g. a store read failed), the engine warns
   * (`RUNGS_STATS_STORE_ERROR`) and tries the rung.
   */
  skip(context: RoutingContext): MaybePromise<string | undefined>;
}
