import type { GenerateRequest, Model, PromptRequest, StreamOptions, StreamPart } from "../model.js";
import { checkStreamOptions } from "./check-stream-options.js";
import { withMode } from "./modes.js";
import { oneChunk } from "./one-chunk.js";

/**
 * Streams any model: its own `stream` when it has one, else its `generate` answer as one delta, its tool
 * calls and `finish` (in either mode). Every model rungs builds has `stream`; this serves hand-written ones.
 * @throws (from the iteration) what the model's `stream` or `generate` throws; InvalidArgumentError for a
 *   bad `options.mode`.
 * @example
 * for await (const part of streamModel(model, { prompt: "Name three rivers." })) {
 *   if (part.type === "text-delta") process.stdout.write(part.text);
 * }
 */
export function streamModel<V>(
  model: Model<V>,
  request: GenerateRequest | PromptRequest,
  options?: StreamOptions,
): AsyncIterable<StreamPart<V>> {
  if (typeof model.stream === "function") return model.stream(request, options);
  return (async function* () {
    const { mode, ...callOptions } = checkStreamOptions(`${model.id}.stream`, options);
    yield* withMode(oneChunk(model, request, callOptions), mode);
  })();
}
