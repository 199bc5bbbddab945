import type { FinishPart, StreamMode, StreamPart } from "../model.js";

/**
 * A stream in the caller's mode: `live` passes every part through; `accepted-only` holds everything back
 * until the `finish` part, then sends the accepted text (one delta), its tool calls and `finish`.
 */
export function withMode<V>(
  parts: AsyncIterable<StreamPart<V>>,
  mode: StreamMode,
): AsyncIterable<StreamPart<V>> {
  return mode === "live" ? parts : acceptedOnly(parts);
}

async function* acceptedOnly<V>(parts: AsyncIterable<StreamPart<V>>): AsyncGenerator<StreamPart<V>> {
  let finish: FinishPart<V> | undefined;
  // Leaving this loop early closes the stream beneath (its provider's stream is cancelled).
  for await (const part of parts) {
    if (part.type === "finish") {
      finish = part;
      break;
    }
  }
  if (finish === undefined) return;
  const { generation } = finish;
  if (generation.text.length > 0) yield { type: "text-delta", text: generation.text };
  for (const toolCall of generation.toolCalls ?? []) yield { type: "tool-call", toolCall };
  yield finish;
}
