import type { ChatRequest, ChatResponse } from "ollama/browser";
import { childController } from "../../abort.js";
import type { Clock } from "../../clock.js";
import { attachCallDetails } from "../../errors/call-details.js";
import { ProviderError } from "../../errors/provider-error.js";
import type { GenerationInput, ToolCall } from "../../model.js";
import { graphemeBoundaryAtOrBefore } from "../../text/cap.js";
import { describeValue } from "../../text/describe.js";
import type { Usage } from "../../trace.js";
import { loadOllama } from "./client.js";
import { guardedFetch } from "./guarded-fetch.js";
import { type CallSite, mapOllamaError } from "./map-error.js";
import { describeMissingModel } from "./model-hint.js";
import type { StreamProbe } from "./ndjson-guard.js";
import type { ResolvedOllamaSettings } from "./settings.js";
import { readToolCalls } from "./wire.js";

/**
 * Tokens of slack when telling a full window from a prompt that fit: Ollama reports `prompt_eval_count ≈
 * num_ctx − 1` when it cut the prompt (the same slack `continueUntilComplete` uses).
 */
const overflowSlackTokens = 16;

/** One checked piece of the answer: its text, the tool calls it completed, and the final message with it. */
export interface ChatChunk {
  /** The chunk's text (`message.content`); thinking is not part of it. */
  content: string;
  /** Tool calls this chunk carried, numbered over the whole answer (`call_<n>` when the server sent no id). */
  toolCalls: ToolCall[];
  /** The final message (`done: true`): done_reason and the counters. */
  final?: ChatResponse;
}

/** Who is called, for messages: the model id, the host without credentials, the model, the time limit. */
export function callSiteOf(settings: ResolvedOllamaSettings): CallSite {
  return {
    providerId: settings.id,
    host: settings.shownHost,
    model: settings.model,
    timeoutMs: settings.timeoutMs,
  };
}

/**
 * One request to `/api/chat` through a fresh ollama-js client whose `fetch` carries this call's signal, as
 * checked chunks: NDJSON chunk by chunk when `settings.stream` (the answer capped at `maxAnswerChars`),
 * else the whole answer as one chunk. A client per request keeps streams from piling up in the client's
 * `ongoingStreamedRequests` (ollama-js#295), and the stream is aborted in `finally` unless `done` arrived,
 * so no body stays open, whether the call failed, was aborted, or its reader left early (`return()`).
 *
 * @throws ProviderError of the matching kind (with the text so far attached), or `signal.reason` on abort.
 */
export async function* chatChunks(
  settings: ResolvedOllamaSettings,
  body: ChatRequest,
  signal: AbortSignal,
  clock: Clock,
): AsyncGenerator<ChatChunk, void, undefined> {
  const Ollama = await loadOllama();
  const site = callSiteOf(settings);
  const { controller, dispose } = childController(signal);
  const probe: StreamProbe = {};
  const timer =
    settings.timeoutMs === undefined
      ? undefined
      : clock.setTimeout(() => {
          probe.timedOut = true;
          controller.abort(new DOMException("rungs: the per-call timeout fired", "TimeoutError"));
        }, settings.timeoutMs);
  const client = new Ollama({
    host: settings.host,
    headers: settings.headers,
    fetch: guardedFetch(settings.fetch, controller, probe, { maxLineChars: settings.maxLineChars, clock }),
  });
  let text = "";
  const toolCalls: ToolCall[] = [];
  let stream: { abort(): void } | undefined;
  let finished = false;
  try {
    if (settings.stream) {
      const parts = await client.chat({ ...body, stream: true });
      stream = parts;
      for await (const part of parts) {
        const content = part.message?.content ?? "";
        if (typeof content !== "string") throw malformedField(site, "message.content", content, text);
        text += content;
        const before = toolCalls.length;
        const bad = readToolCalls(part.message?.tool_calls, toolCalls);
        if (bad !== undefined) throw malformedField(site, bad.field, bad.value, text, bad.expected);
        // A total cap: a server that never stops (valid NDJSON, line after line) cannot fill memory.
        if (text.length > settings.maxAnswerChars) throw answerTooLong(site, settings.maxAnswerChars, text);
        if (part.done) finished = true;
        const chunk: ChatChunk = { content, toolCalls: toolCalls.slice(before) };
        if (part.done) chunk.final = part;
        yield chunk;
      }
    } else {
      const final = await client.chat({ ...body, stream: false });
      const content = final.message?.content ?? "";
      if (typeof content !== "string") throw malformedField(site, "message.content", content, "");
      const bad = readToolCalls(final.message?.tool_calls, toolCalls);
      if (bad !== undefined) throw malformedField(site, bad.field, bad.value, "", bad.expected);
      if (probe.fault !== undefined || probe.errorLine !== undefined)
        throw new Error("rungs: bad response body");
      finished = true;
      yield { content, toolCalls, final };
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    const mapped = mapOllamaError(error, probe, site, text);
    if (mapped.kind === "model-not-found" && mapped.status === 404) {
      throw await withModelHint(mapped, settings, signal, clock);
    }
    throw mapped;
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
    if (!finished) stream?.abort();
    // Release the connection whatever happened; after a complete body this is a no-op.
    controller.abort(new DOMException("rungs: call ended", "AbortError"));
    dispose();
  }
}

/**
 * One `/api/chat` call, the whole answer: {@link chatChunks} read to the end, then {@link finalGeneration}.
 * @throws what `chatChunks` and `finalGeneration` throw.
 */
export async function chatOnce(
  settings: ResolvedOllamaSettings,
  body: ChatRequest,
  signal: AbortSignal,
  clock: Clock,
): Promise<GenerationInput> {
  let text = "";
  const toolCalls: ToolCall[] = [];
  let final: ChatResponse | undefined;
  for await (const chunk of chatChunks(settings, body, signal, clock)) {
    text += chunk.content;
    toolCalls.push(...chunk.toolCalls);
    if (chunk.final !== undefined) final = chunk.final;
  }
  return finalGeneration(final, text, toolCalls, body, settings);
}

/**
 * The generation of a complete answer: the final message's `done_reason` and counters mapped, the tool calls
 * attached (`finishReason: "tool-calls"` when Ollama said `stop`).
 * @throws ProviderError (`server-error`) without `done` or `done_reason`, (`context-overflow`) for an empty
 *   `length` answer whose prompt filled `num_ctx`.
 */
export function finalGeneration(
  final: ChatResponse | undefined,
  text: string,
  toolCalls: readonly ToolCall[],
  body: ChatRequest,
  settings: ResolvedOllamaSettings,
): GenerationInput {
  const generation = finish(final, text, body, settings, callSiteOf(settings));
  if (toolCalls.length > 0) {
    generation.toolCalls = [...toolCalls];
    // Ollama ends a turn that called tools with done_reason "stop"; the calls say why it stopped.
    if (generation.finishReason === "stop") generation.finishReason = "tool-calls";
  }
  return generation;
}

/** The answer passed `maxAnswerChars`: a loud failure that keeps what was read, cut at the cap. */
function answerTooLong(site: CallSite, cap: number, text: string): ProviderError {
  const error = new ProviderError(
    `Ollama ${site.providerId} at ${site.host}: the streamed answer passed the ${cap}-char cap (maxAnswerChars); reading stopped there and the ${cap} chars received are kept. Lower options.num_predict or raise maxAnswerChars.`,
    { kind: "server-error", providerId: site.providerId },
  );
  return attachCallDetails(error, {
    partialText: text.slice(0, graphemeBoundaryAtOrBefore(text, cap)),
    noTransportRetry: true,
  });
}

/** A field of the server's answer had the wrong type: a malformed response naming the field. */
function malformedField(
  site: CallSite,
  field: string,
  value: unknown,
  text: string,
  expected = "a string",
): ProviderError {
  const error = new ProviderError(
    `Ollama ${site.providerId} at ${site.host}: malformed response: field "${field}" is ${describeValue(value)}; expected ${expected}.`,
    { kind: "server-error", providerId: site.providerId },
  );
  return attachCallDetails(error, {
    noTransportRetry: true,
    ...(text.length > 0 ? { partialText: text } : {}),
  });
}

/** Maps the final message: `done_reason` decides; a missing one is never success (docs/reliability.md, item 11). */
function finish(
  final: ChatResponse | undefined,
  text: string,
  body: ChatRequest,
  settings: ResolvedOllamaSettings,
  site: CallSite,
): GenerationInput {
  const usage = usageOf(final);
  const incomplete = (detail: string) =>
    attachCallDetails(
      new ProviderError(
        `Ollama ${site.providerId} at ${site.host}: ${detail}; the answer may be incomplete, so it is not taken as success.`,
        { kind: "server-error", providerId: site.providerId, status: 200 },
      ),
      { partialText: text },
    );
  if (final === undefined || final.done !== true)
    throw incomplete('the response had no final "done" message');
  const reason = final.done_reason;
  if (typeof reason !== "string" || reason === "")
    throw incomplete("the final message carried no done_reason");
  if (reason === "length") {
    const prompt = usage.inputTokens;
    // A continuation (trailing assistant message) returns the empty answer instead, so continueUntilComplete
    // can stop with the text it already has rather than lose it to an error.
    const continuing = body.messages?.at(-1)?.role === "assistant";
    const window = settings.options.num_ctx;
    const full = prompt !== undefined && window !== undefined && prompt >= window - overflowSlackTokens;
    if (full && !continuing && text.trim() === "") {
      throw new ProviderError(
        `Ollama ${site.providerId} at ${site.host}: the prompt filled the context window (${prompt} of num_ctx ${window} tokens) and nothing was generated. ` +
          "Shorten the prompt, raise options.num_ctx, or wrap the model in treeSplit.",
        { kind: "context-overflow", providerId: site.providerId, status: 200 },
      );
    }
    return { text, finishReason: "length", usage };
  }
  return { text, finishReason: reason === "stop" ? "stop" : "other", usage };
}

/** `prompt_eval_count` and `eval_count`, each optional (missing on cached prompts: ollama/ollama#2068). */
function usageOf(final: ChatResponse | undefined): Usage {
  const usage: Usage = {};
  const input = final?.prompt_eval_count as unknown;
  const output = final?.eval_count as unknown;
  if (typeof input === "number" && Number.isFinite(input) && input >= 0) usage.inputTokens = input;
  if (typeof output === "number" && Number.isFinite(output) && output >= 0) usage.outputTokens = output;
  return usage;
}

async function withModelHint(
  error: ProviderError,
  settings: ResolvedOllamaSettings,
  signal: AbortSignal,
  clock: Clock,
): Promise<ProviderError> {
  const hint = await describeMissingModel(settings, signal, clock);
  if (hint === undefined) return error;
  return new ProviderError(`${error.message} ${hint}`, {
    kind: error.kind,
    providerId: error.providerId,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.body === undefined ? {} : { body: error.body }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
}
