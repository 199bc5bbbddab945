/**
 * rungs/ai-sdk: any Vercel AI SDK language model (spec v2, v3 or v4: OpenAI, Anthropic, Google, OpenAI-compatible...)
 * as a rungs Model (`fromAiSdk`), and any rungs model as an AI SDK language model (`toAiSdk`). Only types are
 * taken from the SDK's shape, so `ai` itself is an optional peer dependency.
 *
 * @module rungs/ai-sdk
 */
import { type Clock, systemClock } from "../clock.js";
import { defineModel } from "../define-model.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type {
  CallOptions,
  GenerateRequest,
  Generation,
  ModelCapabilities,
  PromptRequest,
  StreamingModel,
  StreamOptions,
  StreamPart,
} from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { registerSecret, secretHeaderNames } from "../redact.js";
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
  type JsonData,
  type JsonValue,
} from "./ai-sdk-prompt.js";
import { type AiSdkGenerateResult, generationOf, mapAiSdkError } from "./ai-sdk-result.js";
import { type AiSdkStreamResult, aiSdkStream } from "./ai-sdk-stream.js";
import type { AiSdkSpecificationVersion } from "./ai-sdk-version.js";
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
  JsonData,
  JsonValue,
} from "./ai-sdk-prompt.js";
export {
  type AiSdkModelCallOptions,
  type AiSdkPromptMessage,
  type AiSdkPromptPart,
  messagesFromAiSdk,
} from "./ai-sdk-request.js";
export {
  type AiSdkGenerateResult,
  generationOf,
  mapAiSdkError,
} from "./ai-sdk-result.js";
export type { AiSdkStreamPart, AiSdkStreamResult } from "./ai-sdk-stream.js";
export {
  type AiSdkFinishReason,
  type AiSdkOutputPart,
  type AiSdkV2GenerateResult,
  type AiSdkV2Usage,
  type AiSdkV2Warning,
  type AiSdkV3FinishReason,
  type AiSdkV3GenerateResult,
  type AiSdkV3Usage,
  type AiSdkV3Warning,
  type RungsAnswerMetadata,
  type RungsAnswerMetadataV2,
  type RungsLanguageModel,
  type RungsLanguageModelV2,
  type RungsLanguageModelV3,
  type RungsLanguageModelV4,
  type RungsProviderMetadata,
  type RungsStreamPart,
  type RungsStreamPartV2,
  type RungsStreamPartV3,
  type RungsTextBlockMetadata,
  type RungsTextBlockProviderMetadata,
  type ToAiSdkOptions,
  type ToAiSdkStreamMode,
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
  /** Provider-specific options (the `providerOptions` option), as JSON (v2's type takes no `undefined`). */
  providerOptions?: Record<string, Record<string, JsonData>>;
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
  /**
   * Makes one streaming call: every provider package's models have it. Without it, the rungs model
   * streams `doGenerate`'s answer as one chunk.
   */
  doStream?(options: AiSdkCallOptions<D>): PromiseLike<AiSdkStreamResult>;
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
  /**
   * Most characters (UTF-16 code units) of text and tool-call input one streamed answer may carry: past it
   * the stream is cancelled and the attempt fails as `server-error`, its text so far kept. A provider that
   * never stops cannot fill memory. @default 4_194_304
   */
  maxAnswerChars?: number;
}

const optionsSchema = object({
  id: schemas.nonEmptyString.optional(),
  retry: transportRetrySchema.optional(),
  headers: record(string({ message: "must be a string" }), "must be an object of header strings").optional(),
  providerOptions: record(record(unknown()), "must be an object of objects by provider").optional(),
  clock: schemas.timerClock.optional(),
  capabilities: schemas.capabilities.optional(),
  maxAnswerChars: schemas.positiveInt.optional(),
});

/** The default of {@link FromAiSdkOptions.maxAnswerChars}: 4 Mi chars, Ollama's cap too. */
const defaultMaxAnswerChars = 4_194_304;

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/** A rungs {@link StreamingModel} over an AI SDK language model. The SDK model and headers stay private. */
export class AiSdkModel implements StreamingModel {
  readonly id: string;
  readonly capabilities: ModelCapabilities;
  readonly #leaf: StreamingModel;

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
    const doStream = languageModel.doStream;
    const stream =
      typeof doStream === "function"
        ? aiSdkStream({
            id,
            // The prompt's file data is built for this model's version, as for doGenerate below.
            open: (request, signal) =>
              doStream.call(languageModel, callOptionsFor(request, signal, version, extra) as never),
            maxAnswerChars: parsed.maxAnswerChars ?? defaultMaxAnswerChars,
            retry,
            clock: options.clock,
          })
        : undefined;
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
      // The model's own maxAnswerChars bounds its stream (ai-sdk-stream.ts counts it).
      stream === undefined
        ? { capabilities: this.capabilities }
        : { capabilities: this.capabilities, stream, maxAnswerChars: Number.MAX_SAFE_INTEGER },
    );
  }

  /**
   * Generates with the SDK model's `doGenerate`.
   * @throws ProviderError of a normalised kind; `signal.reason` on abort.
   */
  readonly generate = (request: GenerateRequest, options?: CallOptions): Promise<Generation> =>
    this.#leaf.generate(request, options);

  /**
   * Streams with the SDK model's `doStream` (or, for a model without it, `doGenerate`'s answer as one
   * chunk): text deltas, complete tool calls, then `finish` with the same generation `generate` returns.
   * Leaving the loop cancels the SDK's stream.
   * @throws (from the iteration) ProviderError of a normalised kind, an `error` part's included;
   *   `signal.reason` on abort.
   */
  readonly stream = (
    request: GenerateRequest | PromptRequest,
    options?: StreamOptions,
  ): AsyncIterable<StreamPart> => this.#leaf.stream(request, options);

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
 * {@link StreamingModel}.
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
  // The caller's options go as they are: an `undefined` value among them is left out when they are sent.
  if (extra.providerOptions !== undefined)
    options.providerOptions = extra.providerOptions as Record<string, Record<string, JsonData>>;
  return options;
}
