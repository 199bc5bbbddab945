import type { CallOptions, GenerateRequest, Model, PromptRequest, StreamPart } from "../model.js";

/** A model without `stream`, streamed: its `generate` answer as one delta, its tool calls, then `finish`. */
export async function* oneChunk<V>(
  model: Model<V>,
  request: GenerateRequest | PromptRequest,
  options: CallOptions,
): AsyncGenerator<StreamPart<V>> {
  const generation = await model.generate(request, options);
  if (generation.text.length > 0) yield { type: "text-delta", text: generation.text };
  for (const toolCall of generation.toolCalls ?? []) yield { type: "tool-call", toolCall };
  yield { type: "finish", generation };
}
