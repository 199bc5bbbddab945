import { type FeedbackMode, feedbackModeSchema, modelSchema, normalizeRung } from "../attempts/ladder.js";
import { type AttemptEngineOptions, engineOptionsShape, resolveEngine } from "../attempts/options.js";
import type { Model, StreamingModel } from "../model.js";
import { parseOptions } from "../options.js";
import { object } from "../validate/check.js";
import { engineModel } from "./engine-model.js";

/** Options of {@link retryWithContext}. */
export interface RetryWithContextOptions<V = unknown> extends AttemptEngineOptions<V> {
  /** What each retry is told of earlier failures. @default "full" */
  feedbackMode?: FeedbackMode;
}

const schema = object({
  model: modelSchema,
  ...engineOptionsShape,
  feedbackMode: feedbackModeSchema.optional(),
});

/**
 * Runs the same task on `model` up to `maxAttempts` times (docs/architecture.md), each retry carrying the
 * earlier failures in `request.feedback` (within `maxFeedbackChars` characters). An attempt fails when the call
 * throws, the text is empty or cut off (`finishReason: "length"`), or the rubric rejects it. A failure that
 * asking again cannot fix (auth, model not found, invalid request, quota, context overflow, rate limit) ends
 * the run at once (`limit: "notRetryable"`); the caller's abort rejects with `signal.reason`. Retries never
 * sleep. This is the one-rung case of the attempt engine behind {@link escalateAcross}.
 *
 * The returned model's generations carry `verdict`, `modelId` of the model that produced the text, and
 * `trace.attempts` (every attempt: model, kind, verdict or error, timings, usage, feedback size), and `value`
 * when the rubric has a value-giving rule (`structured`), typed from it.
 *
 * @throws InvalidArgumentError at construction for a bad option (naming it).
 * @example
 * const model = retryWithContext(local, { rubric, maxAttempts: 4, maxFeedbackChars: 1_500 });
 * const { text, trace } = await model.generate({ messages: [{ role: "user", content: task }] });
 * // generate() throws ExhaustedError (with every attempt) when no attempt was accepted,
 * // BlockedTaskError for a blocked metadata.taskId, or signal.reason when aborted.
 */
export function retryWithContext<V = unknown>(
  model: Model,
  options: RetryWithContextOptions<V> = {},
): StreamingModel<V> {
  const {
    model: inner,
    feedbackMode,
    ...rest
  } = parseOptions("retryWithContext", schema, { model, ...options });
  const engine = resolveEngine(rest as AttemptEngineOptions, "retry", `retry(${inner.id})`, [
    normalizeRung(
      { model: inner, maxAttempts: rest.maxAttempts ?? 6, feedbackMode: feedbackMode ?? "full" },
      0,
    ),
  ]);
  return engineModel<V>(engine);
}
