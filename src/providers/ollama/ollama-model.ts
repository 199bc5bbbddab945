import type { ChatRequest } from "ollama/browser";
import { systemClock } from "../../clock.js";
import { defineModel } from "../../define-model.js";
import type {
  CallOptions,
  GenerateRequest,
  Generation,
  ModelCapabilities,
  PromptRequest,
  StreamingModel,
  StreamOptions,
  StreamPart,
} from "../../model.js";
import {
  type ResolvedTransportRetryOptions,
  resolveTransportRetryOptions,
  withTransportRetries,
} from "../transport-retry.js";
import { chatOnce } from "./chat.js";
import { chatStream } from "./chat-stream.js";
import { type OllamaSettings, type ResolvedOllamaSettings, resolveOllamaSettings } from "./settings.js";
import { wireMessages, wireTools } from "./wire.js";

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/**
 * A {@link StreamingModel} backed by an Ollama server, local or Ollama Cloud. Credentials live in private fields;
 * `JSON.stringify` and `util.inspect` show only the id, the model and the host (without credentials).
 */
export class OllamaModel implements StreamingModel {
  /** The model id in traces and records, `"ollama:<model>"` unless given. */
  readonly id: string;
  /** Continues a trailing assistant message; the context window when `num_ctx` is set. */
  readonly capabilities: ModelCapabilities;
  /** The model name on the server. */
  readonly model: string;
  /** The server, without credentials. */
  readonly host: string;
  readonly #settings: ResolvedOllamaSettings;
  readonly #retry: ResolvedTransportRetryOptions;
  readonly #leaf: StreamingModel;

  /** @throws InvalidArgumentError naming the option. */
  constructor(settings: OllamaSettings) {
    this.#settings = resolveOllamaSettings(settings);
    this.#retry = resolveTransportRetryOptions(this.#settings.retry);
    this.id = this.#settings.id;
    this.model = this.#settings.model;
    this.host = this.#settings.shownHost;
    const window = this.#settings.options.num_ctx;
    // Images go as `images` on the message; a model without vision is refused by the server, loudly.
    this.capabilities = Object.freeze(
      window === undefined
        ? { continueAssistant: true, inputParts: ["image"] as const }
        : { continueAssistant: true, contextWindowTokens: window, inputParts: ["image"] as const },
    );
    this.#leaf = defineModel(
      this.id,
      async (request, options) => {
        const clock = this.#settings.clock ?? options.clock ?? systemClock;
        const body = chatBody(request, this.#settings);
        const { value, transportRetries } = await withTransportRetries(
          () => chatOnce(this.#settings, body, options.signal, clock),
          {
            modelId: this.id,
            options: this.#retry,
            clock,
            signal: options.signal,
            events: options.events,
            path: options.path,
          },
        );
        return transportRetries.length > 0
          ? { ...value, trace: { ...value.trace, transportRetries } }
          : value;
      },
      {
        capabilities: this.capabilities,
        // The model's own maxAnswerChars bounds its stream (counted as Ollama's answer is).
        maxAnswerChars: Number.MAX_SAFE_INTEGER,
        // `stream: false` (a proxy without NDJSON): `model.stream` sends generate's answer as one chunk.
        ...(this.#settings.stream
          ? {
              stream: (request: GenerateRequest, options: CallOptions & { signal: AbortSignal }) => {
                const clock = this.#settings.clock ?? options.clock ?? systemClock;
                return chatStream(this.#settings, chatBody(request, this.#settings), options.signal, clock, {
                  modelId: this.id,
                  options: this.#retry,
                  events: options.events,
                  path: options.path,
                });
              },
            }
          : {}),
      },
    );
  }

  /**
   * Generates through `/api/chat`. A trailing assistant message is continued natively (Ollama extends it).
   * @throws ProviderError of a normalised kind; `signal.reason` on abort; `BudgetExhaustedError` when a
   *   shared budget runs out.
   */
  readonly generate = (
    request: GenerateRequest | PromptRequest,
    options?: CallOptions,
  ): Promise<Generation> => this.#leaf.generate(request, options);

  /**
   * Streams through `/api/chat` (NDJSON): each chunk's text as a `text-delta` as it arrives, each tool call
   * as a `tool-call`, and a `finish` carrying the same generation `generate` returns. Transport retries
   * happen only before the first part; after it, a failure fails the call with the text so far kept.
   * Leaving the loop, or the signal, closes the HTTP request. With `stream: false` the answer comes as one
   * chunk.
   * @throws (from the iteration) what `generate` throws.
   */
  readonly stream = (
    request: GenerateRequest | PromptRequest,
    options?: StreamOptions,
  ): AsyncIterable<StreamPart> => this.#leaf.stream(request, options);

  /** What `JSON.stringify` shows: no headers, no key. */
  /** What `JSON.stringify` shows: the id, the model and the host, never credentials. */
  toJSON(): {
    /** The model id. */
    id: string;
    /** Always `"ollama"`. */
    provider: "ollama";
    /** The model name on the server. */
    model: string;
    /** The server's URL, without credentials. */
    host: string;
  } {
    return { id: this.id, provider: "ollama", model: this.model, host: this.host };
  }

  /** What `util.inspect` (and `console.log`) shows: the same as `toJSON`, never credentials. */
  [inspectCustom](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string,
  ): string {
    return `OllamaModel ${inspect(this.toJSON(), options)}`;
  }
}

/**
 * A model on an Ollama server through the official `ollama` client: local (`host` defaults to
 * `http://127.0.0.1:11434`) or Ollama Cloud (`host: "https://ollama.com"`, `apiKey` or `OLLAMA_API_KEY`).
 *
 * - Finish: `done_reason: "length"` → `finishReason: "length"` (continued by `continueUntilComplete`); a
 *   missing `done_reason` or `done` is never success (`server-error`, text so far kept); an empty `length`
 *   answer whose prompt filled a `num_ctx` you set is `context-overflow`.
 * - Usage: `prompt_eval_count` → `inputTokens`, `eval_count` → `outputTokens`, each when reported.
 * - Options: `num_predict` always sent (default 4096; `request.maxOutputTokens` overrides it), `num_ctx` only
 *   when you set it (else the server's own window applies); `request.temperature` and `request.stop` are
 *   passed on.
 * - Errors: 401/403 `auth`, 404 `model-not-found` (the message lists the models the server has), 400
 *   `invalid-request` or `context-overflow`, 429 `rate-limited` or (usage limit) `quota-exhausted`, 5xx
 *   `server-error`, connection failures `network`, `timeoutMs` `timeout`. 429/5xx/network are retried inside
 *   the call (see `retry`); each retry is in `generation.trace.transportRetries` and a `transport-retry` event.
 * - Abort: each call's signal reaches its HTTP request, streamed or not.
 * - `model.stream`: NDJSON chunks as `text-delta` and `tool-call` parts, then a `finish` equal to `generate`'s;
 *   transport retries only before the first part; the signal, the attempt's time limit, an early stop and
 *   leaving the loop close the HTTP request. With `stream: false`, one chunk.
 * - Tools: `request.tools` → `tools`; `message.tool_calls` → `generation.toolCalls`, `finishReason:
 *   "tool-calls"`; assistant calls and tool results go back as `tool_calls` and `tool` messages. No
 *   tool_choice on the wire: `"none"` sends no tools, a named tool only that one, `"required"` is left to a
 *   `validToolCalls` rubric. Images go as base64 `images`; an image by URL or a file part is refused
 *   (`InvalidArgumentError`) before the call.
 *
 * @throws InvalidArgumentError at construction, naming a bad option.
 * @example
 * const local = ollamaModel({ model: "qwen3:8b", options: { num_ctx: 16384 } });
 * const cloud = ollamaModel({ model: "gpt-oss:120b", host: "https://ollama.com", apiKey: process.env.OLLAMA_API_KEY });
 */
export function ollamaModel(settings: OllamaSettings): OllamaModel {
  return new OllamaModel(settings);
}

/** The `/api/chat` body for a request: messages from the shared renderer, options with both window caps. */
export function chatBody(request: GenerateRequest, settings: ResolvedOllamaSettings): ChatRequest {
  const options: Record<string, unknown> = { ...settings.options };
  if (request.maxOutputTokens !== undefined) options.num_predict = request.maxOutputTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.stop !== undefined) options.stop = [...request.stop];
  const body: ChatRequest = { model: settings.model, messages: wireMessages(request), options };
  const tools = wireTools(request);
  if (tools !== undefined) body.tools = tools;
  if (settings.think !== undefined) body.think = settings.think;
  if (settings.keepAlive !== undefined) body.keep_alive = settings.keepAlive;
  return body;
}
