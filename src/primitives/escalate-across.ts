import { type LadderEntry, ladderEntrySchema, normalizeRung } from "../attempts/ladder.js";
import { type AttemptEngineOptions, engineOptionsShape, resolveEngine } from "../attempts/options.js";
import type { StreamingModel } from "../model.js";
import { parseOptions } from "../options.js";
import { array, object } from "../validate/check.js";
import { engineModel } from "./engine-model.js";

/** Options of {@link escalateAcross}. */
export type EscalateAcrossOptions<V = unknown> = AttemptEngineOptions<V>;

const schema = object({
  ladder: array(ladderEntrySchema, {
    min: 1,
    message: "must be an array of models or rungs",
    minMessage: "must hold at least one rung",
  }),
  ...engineOptionsShape,
});

/**
 * Climbs a ladder of models (docs/architecture.md). Each rung is a `Model` or `{ model, attempts = 1,
 * feedback = "full" | "brief" | "none", skip? }`. The first rung is tried; on failure the same rung is tried
 * again (up to its `attempts`) or the ladder climbs, always carrying the failures so far as feedback, capped
 * in total by `maxAttempts`. A failure asking again cannot fix (auth, model not found, invalid request, quota,
 * context overflow, rate limit) climbs at once and that model is not asked again in the run. A rung is
 * skipped, and the skip recorded with its reason, when its `skip` says so, its circuit breaker is open, or
 * (with a `store` and `minAcceptRate`) its learned rate on `metadata.taskClass` is too low. With a `store`,
 * a `metadata.taskId` whose ladder is exhausted is blocked until `store.unblock(taskId)`.
 *
 * The returned generation names the model that produced it (`modelId`), with `verdict` and
 * `trace.attempts` / `trace.skips`, and `value` when the rubric has a value-giving rule (`structured`), typed
 * from it.
 *
 * @throws InvalidArgumentError at construction for a bad option or ladder entry (naming it, e.g.
 *   `ladder.2.attempts`).
 * @example
 * const model = escalateAcross([local, { model: cloud, maxAttempts: 2, feedbackMode: "brief" }], { rubric });
 * const { text, modelId } = await model.generate({ messages: [{ role: "user", content: task }] });
 * // generate() throws ExhaustedError (every attempt, and limit) when the ladder is exhausted,
 * // BlockedTaskError for a blocked metadata.taskId, or signal.reason when aborted.
 */
export function escalateAcross<V = unknown>(
  ladder: readonly LadderEntry[],
  options: EscalateAcrossOptions<V> = {},
): StreamingModel<V> {
  const { ladder: entries, ...rest } = parseOptions("escalateAcross", schema, { ladder, ...options });
  const rungs = entries.map((entry, index) => normalizeRung(entry, index));
  const engine = resolveEngine(rest as AttemptEngineOptions, "escalate", `ladder(${rungs.length})`, rungs);
  return engineModel<V>(engine);
}
