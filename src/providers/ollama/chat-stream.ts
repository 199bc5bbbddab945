import type { ChatRequest, ChatResponse } from "ollama/browser";
import type { Clock } from "../../clock.js";
import type { ModelStreamPart } from "../../define-model.js";
import { attachCallDetails } from "../../errors/call-details.js";
import type { ToolCall } from "../../messages.js";
import type { TransportRetry } from "../../trace.js";
import { type TransportRetryContext, withTransportRetries } from "../transport-retry.js";
import { type ChatChunk, chatChunks, finalGeneration } from "./chat.js";
import type { ResolvedOllamaSettings } from "./settings.js";

/**
 * One `/api/chat` call as a leaf stream (`defineModel`'s `stream`): each NDJSON chunk's text as a
 * `text-delta`, its tool calls as `tool-call`s, and the final `done` message as `finish` (the same finish
 * reason and usage `generate` gives). Thinking is not part of the text, as in `generate`.
 *
 * Transport retries (429, 5xx, network) happen only before the first part is yielded: the request is re-sent
 * while nothing has reached the caller, never after, since a second answer would be glued to the first. A
 * failure after that fails the attempt, the text so far kept on the error. Every guard of `generate` holds:
 * NDJSON lines checked and capped (`maxLineChars`), the answer capped (`maxAnswerChars`), errors mapped to
 * the same kinds, the HTTP request closed when the signal fires or the reader leaves early.
 *
 * @throws ProviderError of the matching kind (text so far attached), or `signal.reason` on abort.
 */
export async function* chatStream(
  settings: ResolvedOllamaSettings,
  body: ChatRequest,
  signal: AbortSignal,
  clock: Clock,
  retry: Omit<TransportRetryContext, "clock" | "signal">,
): AsyncGenerator<ModelStreamPart, void, undefined> {
  const { value: opened, transportRetries } = await withTransportRetries(
    () => firstChunk(settings, body, signal, clock),
    { ...retry, clock, signal },
  );
  const { chunks, first } = opened;
  let text = "";
  const toolCalls: ToolCall[] = [];
  try {
    for (let chunk: ChatChunk | undefined = first; chunk !== undefined; ) {
      text += chunk.content;
      toolCalls.push(...chunk.toolCalls);
      if (chunk.content !== "") yield { type: "text-delta", text: chunk.content };
      for (const toolCall of chunk.toolCalls) yield { type: "tool-call", toolCall };
      if (chunk.final !== undefined) {
        yield finishPart(chunk.final, text, toolCalls, body, settings, transportRetries);
        return;
      }
      const step = await chunks.next();
      chunk = step.done === true ? undefined : step.value;
    }
  } catch (error) {
    if (signal.aborted) throw error;
    // The retries made before the first chunk belong on the record of the attempt that failed after it.
    throw transportRetries.length > 0
      ? attachCallDetails(error, { transportRetries: [...transportRetries] })
      : error;
  } finally {
    // Closes the HTTP stream when the reader left early (an early stop, a break); a no-op after `done`.
    await chunks.return();
  }
}

/**
 * Sends the request and reads up to the first chunk worth yielding (text, a tool call, or the final
 * message): a failure before it has shown the caller nothing, so it may be retried.
 */
async function firstChunk(
  settings: ResolvedOllamaSettings,
  body: ChatRequest,
  signal: AbortSignal,
  clock: Clock,
): Promise<{ chunks: AsyncGenerator<ChatChunk, void, undefined>; first: ChatChunk | undefined }> {
  const chunks = chatChunks(settings, body, signal, clock);
  for (;;) {
    const step = await chunks.next();
    if (step.done === true) return { chunks, first: undefined };
    const chunk = step.value;
    if (chunk.content !== "" || chunk.toolCalls.length > 0 || chunk.final !== undefined)
      return { chunks, first: chunk };
  }
}

/** The `finish` part: what `generate` would return, less the text and tool calls (the stream carried them). */
function finishPart(
  final: ChatResponse,
  text: string,
  toolCalls: readonly ToolCall[],
  body: ChatRequest,
  settings: ResolvedOllamaSettings,
  transportRetries: readonly TransportRetry[],
): ModelStreamPart {
  const { text: _text, toolCalls: _calls, ...rest } = finalGeneration(final, text, toolCalls, body, settings);
  return transportRetries.length > 0
    ? { type: "finish", ...rest, trace: { ...rest.trace, transportRetries } }
    : { type: "finish", ...rest };
}
