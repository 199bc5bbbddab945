/**
 * rungs/ai-sdk: any Vercel AI SDK language model (spec v2, v3 or v4: OpenAI, Anthropic, Google, OpenAI-compatible...)
 * as a rungs Model (`fromAiSdk`), and any rungs model as an AI SDK language model (`toAiSdk`). Only types are
 * taken from the SDK's shape, so `ai` itself is an optional peer dependency.
 *
 * @module rungs/ai-sdk
 */
import { type Clock, systemClock } from "../clock.js";
import { defineModel } from "../define-model.js";
import { attachCallDetails } from "../errors/call-details.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { ProviderError } from "../errors/provider-error.js";
import type { ToolCall } from "../messages.js";
import type {
  CallOptions,
  FinishReason,
  GenerateRequest,
  Generation,
  GenerationInput,
  Model,
  ModelCapabilities,
} from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { registerSecret, secretHeaderNames } from "../redact.js";
import type { Usage } from "../trace.js";
import { object, record, string, unknown } from "../validate/check.js";
import {
  type AiSdkFileData,
  type AiSdkFileDataV2,
  type AiSdkFileDataV4,
  type AiSdkFunctionTool,
  type AiSdkMessage,
  type AiSdkToolChoice,
  aiSdkPromptOf,
  aiSdkToolChoiceOf,
  aiSdkToolsOf,
  type JsonValue,
} from "./ai-sdk-prompt.js";
import type { AiSdkSpecificationVersion } from "./ai-sdk-version.js";
import { kindForHttpStatus, networkCodeOf, parseRetryAfterMs } from "./http-failure.js";
import { scrubbedError } from "./scrubbed-error.js";
import {
  type ResolvedTransportRetryOptions,
  resolveTransportRetryOptions,
  type TransportRetryOptions,
  transportRetrySchema,
  withTransportRetries,
} from "./transport-retry.js";

export type {
  AiSdkFileData,
  AiSdkFileDataV2,
  AiSdkFileDataV4,
  AiSdkFilePart,
  AiSdkFunctionTool,
  AiSdkMessage,
  AiSdkTextPart,
  AiSdkToolCallPart,
  AiSdkToolChoice,
  AiSdkToolResultPart,
  JsonValue,
} from "./ai-sdk-prompt.js";
export {
  type AiSdkModelCallOptions,
  type AiSdkPromptMessage,
  type AiSdkPromptPart,
  messagesFromAiSdk,
} from "./ai-sdk-request.js";
export {
  type AiSdkFinishReason,
  type AiSdkOutputPart,
  type AiSdkV2GenerateResult,
  type AiSdkV3GenerateResult,
  type RungsLanguageModel,
  type RungsLanguageModelV2,
  type RungsLanguageModelV3,
  type RungsLanguageModelV4,
  type RungsProviderMetadata,
  type ToAiSdkOptions,
  toAiSdk,
} from "./ai-sdk-to.js";
export type { AiSdkSpecificationVersion } from "./ai-sdk-version.js";

/**
 * The call options rungs sends to `doGenerate` (a subset of the SDK's `LanguageModelV2/V3/V4CallOptions`);
 * `D` is the version's file data (v2, v3: bytes, base64 or a URL; v4: tagged).
 */
export interface AiSdkCallOptions<D extends AiSdkFileData = AiSdkFileData> {
  /**
   * The conversation: system messages as strings; user messages as text and file parts (images are files
   * with an `image/*` media type); assistant messages as text and tool-call parts; tool messages as results.
   */
  prompt: AiSdkMessage<D>[];
  /** Most output tokens (`request.maxOutputTokens`). */
  maxOutputTokens?: number;
  /** Sampling temperature (`request.temperature`). */
  temperature?: number;
  /** Sequences that end the output (`request.stop`). */
  stopSequences?: string[];
  /** The tools the model may call (`request.tools`, input schemas as JSON Schema). */
  tools?: AiSdkFunctionTool[];
  /** Which tools it may or must call (`request.toolChoice`). */
  toolChoice?: AiSdkToolChoice;
  /** Aborts the call (the caller's signal, the budget's deadline, the attempt's time limit). */
  abortSignal?: AbortSignal;
  /** Extra request headers (the `headers` option). */
  headers?: Record<string, string | undefined>;
  /** Provider-specific options (the `providerOptions` option). */
  providerOptions?: Record<string, Record<string, JsonValue | undefined>>;
}

/** What rungs reads from a `doGenerate` result, in every spec version. */
export interface AiSdkGenerateResult {
  /** The output parts; rungs joins the text of the `text` parts. */
  content: ReadonlyArray<{
    /** The part's type (`"text"`, `"reasoning"`, `"tool-call"`, ...). */
    type: string;
    /** The part's text, for text parts. */
    text?: string;
    /** Tool-call parts: the call's id. */
    toolCallId?: string;
    /** Tool-call parts: the tool's name. */
    toolName?: string;
    /** Tool-call parts: the arguments, JSON-encoded. */
    input?: string;
    /** Tool-call parts: true when the provider ran the tool itself (not a call for rungs' caller). */
    providerExecuted?: boolean;
  }>;
  /** v2: a string; v3, v4: `{ unified, raw }`. */
  finishReason:
    | string
    | {
        /** The SDK's normalised finish reason. */
        unified: string;
        /** The provider's own finish reason. */
        raw?: string | undefined;
      };
  /** v2: numbers; v3, v4: `{ total, ... }` objects. */
  usage?: {
    /** Prompt tokens: a number (v2) or `{ total }` (v3, v4). */
    inputTokens?:
      | number
      | {
          /** All prompt tokens. */
          total?: number | undefined;
        }
      | undefined;
    /** Output tokens: a number (v2) or `{ total }` (v3, v4). */
    outputTokens?:
      | number
      | {
          /** All output tokens. */
          total?: number | undefined;
        }
      | undefined;
  };
}

/**
 * The shape of an AI SDK language model of one specification version, as far as rungs uses it.
 * @typeParam V the specification version(s)
 * @typeParam D the file data its prompts carry
 */
export interface AiSdkLanguageModelOf<V extends "v2" | "v3" | "v4", D extends AiSdkFileData> {
  /** The AI SDK model specification it implements. */
  readonly specificationVersion: V;
  /** The provider's id, e.g. `"openai.chat"`. */
  readonly provider: string;
  /** The model's id at the provider, e.g. `"gpt-4o"`. */
  readonly modelId: string;
  /** Makes one generation call (no retries of its own). */
  doGenerate(options: AiSdkCallOptions<D>): PromiseLike<AiSdkGenerateResult>;
}

/**
 * An AI SDK language model (`LanguageModelV2` from `ai` 5, `LanguageModelV3` from `ai` 6,
 * `LanguageModelV4` from `ai` 7), as far as rungs uses it. Any model a provider package returns fits:
 * `openai("gpt-4o")`, `anthropic(...)`.
 */
export type AiSdkLanguageModel =
  | AiSdkLanguageModelOf<"v2" | "v3", AiSdkFileDataV2>
  | AiSdkLanguageModelOf<"v4", AiSdkFileDataV4>;

/** Options of {@link fromAiSdk}. */
export interface FromAiSdkOptions {
  /** The model id in traces and records. @default `"<provider>:<modelId>"`, e.g. `"openai.chat:gpt-4o"` */
  id?: string;
  /** Transport retries of 429, 5xx and network failures (the SDK's own retries live in `generateText`, not here). */
  retry?: TransportRetryOptions;
  /** Extra request headers; `authorization`-like values are registered as secrets. */
  headers?: Record<string, string>;
  /** Passed to the provider as `providerOptions` (e.g. `{ openai: { reasoningEffort: "low" } }`). */
  providerOptions?: Record<string, Record<string, JsonValue | undefined>>;
  /** Time source for retry sleeps. @default the call's clock, else systemClock */
  clock?: Clock;
  /** What the model can do beyond `generate`, e.g. its context window. @default `{ inputParts: ["image", "file"] }` */
  capabilities?: ModelCapabilities;
}

const optionsSchema = object({
  id: schemas.nonEmptyString.optional(),
  retry: transportRetrySchema.optional(),
  headers: record(string({ message: "must be a string" }), "must be an object of header strings").optional(),
  providerOptions: record(record(unknown()), "must be an object of objects by provider").optional(),
  clock: schemas.timerClock.optional(),
  capabilities: schemas.capabilities.optional(),
});

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/** A rungs {@link Model} over an AI SDK language model. The SDK model and headers stay private. */
export class AiSdkModel implements Model {
  readonly id: string;
  readonly capabilities: ModelCapabilities;
  readonly #leaf: Model;

  constructor(languageModel: AiSdkLanguageModel, options: FromAiSdkOptions = {}) {
    const version = (languageModel as { specificationVersion?: unknown } | null)?.specificationVersion;
    if (
      typeof languageModel !== "object" ||
      languageModel === null ||
      (version !== "v2" && version !== "v3" && version !== "v4")
    ) {
      throw new InvalidArgumentError({
        parameter: "languageModel",
        value: typeof languageModel === "string" ? languageModel : typeof languageModel,
        message:
          'fromAiSdk: "languageModel" must be an AI SDK language model object (specification v2, v3 or v4), e.g. ' +
          `openai("gpt-4o") from @ai-sdk/openai; model id strings are not resolved here (got ${typeof languageModel === "string" ? JSON.stringify(languageModel) : String(version ?? typeof languageModel)}).`,
      });
    }
    const parsed = parseOptions("fromAiSdk", optionsSchema, options);
    for (const [name, value] of Object.entries(parsed.headers ?? {})) {
      if (secretHeaderNames.has(name.toLowerCase())) registerSecret(value.replace(/^(Bearer|Basic)\s+/i, ""));
    }
    this.id = parsed.id ?? `${languageModel.provider}:${languageModel.modelId}`;
    // AI SDK models take images and files as the SDK's file parts; one that cannot refuses them itself
    // (UnsupportedFunctionalityError: `invalid-request`, so a ladder climbs). Narrow it with `capabilities`.
    this.capabilities = Object.freeze({ inputParts: ["image", "file"] as const, ...options.capabilities });
    const retry: ResolvedTransportRetryOptions = resolveTransportRetryOptions(
      parsed.retry as TransportRetryOptions | undefined,
    );
    const id = this.id;
    const extra = { headers: parsed.headers, providerOptions: options.providerOptions };
    this.#leaf = defineModel(
      id,
      async (request, callOptions) => {
        const clock = options.clock ?? callOptions.clock ?? systemClock;
        const { signal } = callOptions;
        const { value, transportRetries } = await withTransportRetries(
          async () => {
            try {
              // The prompt's file data is built for this model's version (aiSdkPromptOf), which the union of
              // model shapes cannot show the type checker.
              const result = await languageModel.doGenerate(
                callOptionsFor(request, signal, version, extra) as never,
              );
              return generationOf(result, id);
            } catch (error) {
              if (signal.aborted) throw signal.reason;
              throw mapAiSdkError(error, id, clock);
            }
          },
          { modelId: id, options: retry, clock, signal, events: callOptions.events, path: callOptions.path },
        );
        return transportRetries.length > 0 ? { ...value, trace: { transportRetries } } : value;
      },
      { capabilities: this.capabilities },
    );
  }

  /**
   * Generates with the SDK model's `doGenerate`.
   * @throws ProviderError of a normalised kind; `signal.reason` on abort.
   */
  readonly generate = (request: GenerateRequest, options?: CallOptions): Promise<Generation> =>
    this.#leaf.generate(request, options);

  /** What `JSON.stringify` shows: the id, never the SDK model or its headers. */
  toJSON(): {
    /** The model id. */
    id: string;
    /** Always `"ai-sdk"`. */
    provider: "ai-sdk";
  } {
    return { id: this.id, provider: "ai-sdk" };
  }

  /** What `util.inspect` (and `console.log`) shows: the same as `toJSON`. */
  [inspectCustom](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string,
  ): string {
    return `AiSdkModel ${inspect(this.toJSON(), options)}`;
  }
}

/**
 * Adapts any Vercel AI SDK language model (spec v2, `ai` 5; spec v3, `ai` 6; spec v4, `ai` 7) as a rungs
 * {@link Model}.
 * Messages come from the shared renderer, with their parts (text, images and files as file parts), tool
 * calls and tool results; `tools` (input schemas as JSON Schema), `toolChoice`, `maxOutputTokens`,
 * `temperature` and `stop` are passed on. The answer's tool-call parts become `generation.toolCalls` (input
 * parsed from JSON). Finish reasons map one to one (`unknown` becomes `other`), usage from `inputTokens` /
 * `outputTokens`, and `APICallError` by status to a `ProviderError` kind (429 `insufficient_quota` is
 * `quota-exhausted`). 429/5xx/network failures are retried inside the call (see `retry`).
 *
 * @throws InvalidArgumentError for a model id string or a non-model, or bad options.
 * @example
 * import { openai } from "@ai-sdk/openai";
 * const gpt = fromAiSdk(openai("gpt-4o-mini"));
 */
export function fromAiSdk(languageModel: AiSdkLanguageModel, options: FromAiSdkOptions = {}): AiSdkModel {
  return new AiSdkModel(languageModel, options);
}

function callOptionsFor(
  request: GenerateRequest,
  signal: AbortSignal,
  version: AiSdkSpecificationVersion,
  extra: {
    headers: Record<string, string> | undefined;
    providerOptions: FromAiSdkOptions["providerOptions"];
  },
): AiSdkCallOptions {
  const options: AiSdkCallOptions = { prompt: aiSdkPromptOf(request, version), abortSignal: signal };
  if (request.maxOutputTokens !== undefined) options.maxOutputTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.stop !== undefined) options.stopSequences = [...request.stop];
  const tools = aiSdkToolsOf(request);
  if (tools !== undefined) options.tools = tools;
  const toolChoice = aiSdkToolChoiceOf(request.toolChoice);
  if (toolChoice !== undefined) options.toolChoice = toolChoice;
  if (extra.headers !== undefined) options.headers = { ...extra.headers };
  if (extra.providerOptions !== undefined) options.providerOptions = extra.providerOptions;
  return options;
}

const finishReasons: Readonly<Record<string, FinishReason>> = {
  stop: "stop",
  length: "length",
  "content-filter": "content-filter",
  "tool-calls": "tool-calls",
  error: "error",
};

/**
 * A `doGenerate` result as a generation: text parts joined, the finish reason and usage mapped.
 * @throws ProviderError (`server-error`, the text so far as `partialTextOf`) for a v4 `interrupted` answer.
 */
export function generationOf(result: AiSdkGenerateResult, providerId = "ai-sdk"): GenerationInput {
  const text = result.content
    .filter((part) => part.type === "text" && typeof part.text === "string")
    .map((part) => part.text)
    .join("");
  const reason = typeof result.finishReason === "string" ? result.finishReason : result.finishReason?.unified;
  // v4: the provider's stream ended without a completion signal. Never taken as success (as an Ollama
  // stream without its final message): the text so far stays on the error.
  if (reason === "interrupted") {
    throw attachCallDetails(
      new ProviderError(
        `${providerId}: the answer was interrupted (the provider's stream ended without a completion signal); it may be incomplete, so it is not taken as success.`,
        { kind: "server-error", providerId },
      ),
      { partialText: text },
    );
  }
  const usage: Usage = {};
  const input = tokens(result.usage?.inputTokens);
  const output = tokens(result.usage?.outputTokens);
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  const toolCalls = toolCallsOf(result.content);
  const generation: GenerationInput = { text, finishReason: finishReasons[reason ?? ""] ?? "other", usage };
  if (toolCalls.length > 0) generation.toolCalls = toolCalls;
  return generation;
}

/**
 * The calls for the caller to run: tool-call parts the provider did not execute itself. `input` is parsed
 * JSON; input that is not JSON is kept as its text, for the rubric (`validToolCalls`) to refuse.
 */
function toolCallsOf(content: AiSdkGenerateResult["content"]): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const part of content) {
    if (part.type !== "tool-call" || part.providerExecuted === true) continue;
    let input: unknown = part.input;
    if (typeof part.input === "string") {
      try {
        input = part.input.trim() === "" ? {} : JSON.parse(part.input);
      } catch {
        input = part.input;
      }
    }
    calls.push({ id: part.toolCallId ?? "", name: part.toolName ?? "", input });
  }
  return calls;
}

function tokens(value: number | { total?: number | undefined } | undefined): number | undefined {
  const count = typeof value === "number" ? value : value?.total;
  return typeof count === "number" && Number.isFinite(count) && count >= 0 ? count : undefined;
}

const namedKinds: Readonly<Record<string, FailureKind>> = {
  AI_LoadAPIKeyError: "auth",
  AI_NoSuchModelError: "model-not-found",
  AI_InvalidPromptError: "invalid-request",
  AI_InvalidArgumentError: "invalid-request",
  AI_UnsupportedFunctionalityError: "invalid-request",
  TimeoutError: "timeout",
};

/**
 * Maps an AI SDK error to a {@link ProviderError}: `APICallError` (matched by name, so any copy of the SDK
 * works) by `statusCode` and body, with `Retry-After`; no status means the request never got an answer
 * (`network`). The raw error is never kept as `cause` (its `url` and request body can carry keys): only a
 * scrubbed copy.
 */
export function mapAiSdkError(error: unknown, providerId: string, clock: Clock = systemClock): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  const { name, statusCode, responseBody, responseHeaders, isRetryable } = (error ?? {}) as {
    name?: unknown;
    statusCode?: unknown;
    responseBody?: unknown;
    responseHeaders?: Record<string, string> | undefined;
    isRetryable?: unknown;
  };
  const message = error instanceof Error ? error.message : String(error);
  const body = typeof responseBody === "string" ? responseBody : undefined;
  const cause = scrubbedError(error);
  if (name === "AI_APICallError") {
    if (typeof statusCode === "number") {
      const kind = kindForHttpStatus(statusCode, `${message} ${body ?? ""}`);
      const retryAfterMs = parseRetryAfterMs(
        {
          retryAfter: header(responseHeaders, "retry-after"),
          retryAfterMs: header(responseHeaders, "retry-after-ms"),
        },
        clock.now(),
      );
      return new ProviderError(`${providerId}: HTTP ${statusCode}: ${message}`, {
        kind,
        providerId,
        status: statusCode,
        cause,
        ...(body === undefined ? {} : { body }),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    const kind: FailureKind = isRetryable === false ? "server-error" : "network";
    return new ProviderError(`${providerId}: ${message}`, { kind, providerId, cause });
  }
  const named = typeof name === "string" ? namedKinds[name] : undefined;
  const code = networkCodeOf(error);
  const kind: FailureKind =
    named ??
    (code !== undefined || (error instanceof TypeError && /fetch failed/i.test(message))
      ? "network"
      : "server-error");
  return new ProviderError(`${providerId}: ${message}`, { kind, providerId, cause });
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}
