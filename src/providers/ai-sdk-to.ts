import { Budget } from "../budget.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type { RungsEvents } from "../events.js";
import type { CallOptions, FinishReason, Generation, Model, Usage } from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { streamModel } from "../stream/stream-model.js";
import { custom, object, oneOf } from "../validate/check.js";
import type { JsonValue } from "./ai-sdk-prompt.js";
import { type AiSdkModelCallOptions, requestOfAiSdkCall, unsupportedSettings } from "./ai-sdk-request.js";
import {
  type RungsStreamPart,
  type StreamShape,
  sdkStreamOf,
  type ToAiSdkStreamMode,
} from "./ai-sdk-to-stream.js";
import { type AiSdkSpecificationVersion, installedAiSpecificationVersion } from "./ai-sdk-version.js";

export type { RungsStreamPart, RungsTextBlockMetadata, ToAiSdkStreamMode } from "./ai-sdk-to-stream.js";

/** Options of {@link toAiSdk}. */
export interface ToAiSdkOptions {
  /**
   * The AI SDK model specification to implement: `"v2"` for `ai` 5, `"v3"` for `ai` 6, `"v4"` for `ai` 7.
   * Name it in TypeScript, so the returned type is the one your `ai` takes.
   * @default the version of the installed `ai` package, read when `toAiSdk` is called
   */
  specificationVersion?: AiSdkSpecificationVersion;
  /** The provider id the SDK reports (telemetry, `response`). @default `"rungs"` */
  provider?: string;
  /**
   * Runtime options every call of the model gets: an `events` sink (each step's attempts), a `budget`
   * shared by every step of a tool loop (calls, output tokens, deadline), a `path`, a `clock`. The SDK's
   * `abortSignal` is the call's `signal`.
   */
  callOptions?: Omit<CallOptions, "signal" | "promptFits">;
  /**
   * What `streamText` (`doStream`) shows of the attempts beneath: `"accepted-only"` sends nothing until the
   * run has an accepted answer, so `result.text` is exactly that answer; `"live"` sends each attempt's text as
   * it comes, each attempt a text block of its own whose `text-end` says whether it was discarded
   * (`providerMetadata.rungs.discarded`), and the SDK's `result.text` joins them all, discarded ones
   * included (read `fullStream` then). docs/streaming.md. @default "accepted-only"
   */
  streamMode?: ToAiSdkStreamMode;
}

/** The metadata every answer carries under `providerMetadata.rungs`: who answered, after how many attempts. */
export interface RungsProviderMetadata {
  [key: string]: JsonValue | undefined;
  /** The model that produced the answer: the ladder's rung (`answeredBy.modelId`), else the leaf. */
  modelId: string;
  /** 0-based ladder position of the rung that answered, when a ladder or a retry ran. */
  rung?: number;
  /** Attempts the run made, the answering one included, when a ladder or a retry ran. */
  attemptCount?: number;
  /** True when a rung other than the first answered. */
  climbed?: boolean;
}

/** An output part of a rungs answer: its text, and one part per tool call (`input` as JSON text). */
export type AiSdkOutputPart =
  | {
      /** A text part. */
      type: "text";
      /** The answer's text. */
      text: string;
    }
  | {
      /** A tool call, for the SDK to execute. */
      type: "tool-call";
      /** The call's id. */
      toolCallId: string;
      /** The tool's name. */
      toolName: string;
      /** The arguments, JSON-encoded. */
      input: string;
    };

/** A finish reason in the AI SDK's vocabulary (rungs uses the same words). */
export type AiSdkFinishReason = FinishReason;

interface ResultBase {
  /** Text, then tool calls. */
  content: AiSdkOutputPart[];
  /** `{ rungs: RungsProviderMetadata }`. */
  providerMetadata: RungsAnswerMetadata;
  /** The leaf model that produced the answer. */
  response: {
    /** `generation.modelId`. */
    modelId: string;
  };
}

/** Tokens of the whole run (every attempt beneath), in specification v2's shape. */
export interface AiSdkV2Usage {
  /** Prompt tokens. */
  inputTokens: number | undefined;
  /** Output tokens. */
  outputTokens: number | undefined;
  /** Their sum, when both are known. */
  totalTokens: number | undefined;
}

/** A call option rungs did not pass on, in specification v2's shape. */
export interface AiSdkV2Warning {
  /** Always `"other"`. */
  type: "other";
  /** Which option, and why. */
  message: string;
}

/** A `doGenerate` result of specification v2 (`ai` 5). */
export interface AiSdkV2GenerateResult extends ResultBase {
  /** Why the model stopped. */
  finishReason: AiSdkFinishReason;
  /** Tokens of the whole run (every attempt beneath). */
  usage: AiSdkV2Usage;
  /** Call options rungs did not pass on. */
  warnings: AiSdkV2Warning[];
}

/** A finish reason in specification v3's and v4's shape. */
export interface AiSdkV3FinishReason {
  /** The finish reason. */
  unified: AiSdkFinishReason;
  /** The same, as rungs reported it. */
  raw: string | undefined;
}

/** Tokens of the whole run (every attempt beneath), in specification v3's and v4's shape. */
export interface AiSdkV3Usage {
  /** Prompt tokens. */
  inputTokens: {
    /** All prompt tokens. */
    total: number | undefined;
    /** Unknown. */
    noCache: number | undefined;
    /** Unknown. */
    cacheRead: number | undefined;
    /** Unknown. */
    cacheWrite: number | undefined;
  };
  /** Output tokens. */
  outputTokens: {
    /** All output tokens. */
    total: number | undefined;
    /** Unknown. */
    text: number | undefined;
    /** Unknown. */
    reasoning: number | undefined;
  };
}

/** A call option rungs did not pass on, in specification v3's and v4's shape. */
export interface AiSdkV3Warning {
  /** Always `"unsupported"`. */
  type: "unsupported";
  /** The option. */
  feature: string;
  /** Why. */
  details?: string;
}

/** A `doGenerate` result of specification v3 (`ai` 6) and v4 (`ai` 7). */
export interface AiSdkV3GenerateResult extends ResultBase {
  /** Why the model stopped (`raw`: the same word). */
  finishReason: AiSdkV3FinishReason;
  /** Tokens of the whole run (every attempt beneath); the cache and reasoning splits are unknown. */
  usage: AiSdkV3Usage;
  /** Call options rungs did not pass on. */
  warnings: AiSdkV3Warning[];
}

/** `providerMetadata` of an answer: `{ rungs }` (a type literal, so it fits the SDK's metadata record). */
export type RungsAnswerMetadata = {
  /** Who answered, after how many attempts. */
  rungs: RungsProviderMetadata;
};

/** A part of {@link toAiSdk}'s stream for `ai` 5 (specification v2). */
export type RungsStreamPartV2 = RungsStreamPart<
  AiSdkV2Warning,
  AiSdkFinishReason,
  AiSdkV2Usage,
  RungsAnswerMetadata
>;
/** A part of {@link toAiSdk}'s stream for `ai` 6 and 7 (specifications v3, v4). */
export type RungsStreamPartV3 = RungsStreamPart<
  AiSdkV3Warning,
  AiSdkV3FinishReason,
  AiSdkV3Usage,
  RungsAnswerMetadata
>;

/**
 * A rungs model as an AI SDK language model of specification `V`: `generateText` and the SDK's agents use
 * `doGenerate`, `streamText` and an agent's `stream` use `doStream`. `R` is the `doGenerate` result, `P` a
 * part of the `doStream` stream.
 */
export interface RungsLanguageModel<V extends AiSdkSpecificationVersion, R, P = RungsStreamPartV3> {
  /** The specification it implements. */
  readonly specificationVersion: V;
  /** `"rungs"`, or the `provider` option. */
  readonly provider: string;
  /** The rungs model's id, e.g. `"ladder(2)"`. */
  readonly modelId: string;
  /** None: URLs in the prompt are downloaded by the SDK and reach rungs as bytes. */
  readonly supportedUrls: Record<string, RegExp[]>;
  /**
   * Runs the rungs model once (a ladder: every attempt it needs) on the SDK's prompt.
   * @throws the rungs model's error (an `ExhaustedError` with every attempt, a `ProviderError`...);
   *   `InvalidArgumentError` for a prompt part rungs cannot take (a provider tool, media in a tool result).
   */
  doGenerate(options: AiSdkModelCallOptions): Promise<R>;
  /**
   * Streams the rungs model's run on the SDK's prompt (the `streamMode` option says what of its attempts is
   * shown). Resolves once the run's stream has its first part: in `accepted-only` mode, once an answer is
   * accepted. The SDK's `abortSignal` aborts the run; cancelling the stream closes it.
   * @throws the rungs model's error when the run fails before its stream starts (accepted-only: any failure,
   *   e.g. an `ExhaustedError`); `InvalidArgumentError` as `doGenerate`. A live run that fails later ends its
   *   stream with an `error` part and a `finish` whose reason is `error`.
   */
  doStream(options: AiSdkModelCallOptions): Promise<{
    /** The answer's parts. */
    stream: ReadableStream<P>;
  }>;
}

/** {@link toAiSdk}'s model for `ai` 5. */
export type RungsLanguageModelV2 = RungsLanguageModel<"v2", AiSdkV2GenerateResult, RungsStreamPartV2>;
/** {@link toAiSdk}'s model for `ai` 6. */
export type RungsLanguageModelV3 = RungsLanguageModel<"v3", AiSdkV3GenerateResult, RungsStreamPartV3>;
/** {@link toAiSdk}'s model for `ai` 7. */
export type RungsLanguageModelV4 = RungsLanguageModel<"v4", AiSdkV3GenerateResult, RungsStreamPartV3>;

const optionsSchema = object({
  specificationVersion: oneOf(["v2", "v3", "v4"]).optional(),
  provider: schemas.nonEmptyString.optional(),
  streamMode: oneOf(["accepted-only", "live"]).optional(),
  callOptions: object({
    events: custom<RungsEvents>(
      (v) => typeof (v as { emit?: unknown } | null)?.emit === "function",
      "must be a RungsEvents sink (new RungsEvents())",
    ).optional(),
    budget: custom<Budget>((v) => v instanceof Budget, "must be a Budget (new Budget({ ... }))").optional(),
    path: schemas.nonEmptyString.optional(),
    clock: schemas.clock.optional(),
  }).optional(),
});

/**
 * A rungs model (a ladder, a retry, a split, any {@link Model}) as an AI SDK language model, so
 * `generateText`, its tool loop and the SDK's agents run it: every step is judged by the model's rubric and,
 * if need be, retried or escalated. The SDK's prompt (text, images, files, tool calls and results), tools
 * and tool choice become the rungs request; the answer's text and tool calls, finish reason, usage (of the
 * whole run) and `providerMetadata.rungs` (which rung answered, after how many attempts) come back.
 *
 * @throws InvalidArgumentError for a non-model or bad options, or when `specificationVersion` is left out
 *   and no `ai` 5, 6 or 7 is installed.
 * @example
 * import { generateText } from "ai";
 * const { text } = await generateText({ model: toAiSdk(ladder, { specificationVersion: "v3" }), prompt: "Hi" });
 */
export function toAiSdk(
  model: Model,
  options: ToAiSdkOptions & { specificationVersion: "v2" },
): RungsLanguageModelV2;
export function toAiSdk(
  model: Model,
  options: ToAiSdkOptions & { specificationVersion: "v3" },
): RungsLanguageModelV3;
export function toAiSdk(
  model: Model,
  options: ToAiSdkOptions & { specificationVersion: "v4" },
): RungsLanguageModelV4;
export function toAiSdk(
  model: Model,
  options?: ToAiSdkOptions,
): RungsLanguageModelV2 | RungsLanguageModelV3 | RungsLanguageModelV4;
export function toAiSdk(
  model: Model,
  options: ToAiSdkOptions = {},
): RungsLanguageModelV2 | RungsLanguageModelV3 | RungsLanguageModelV4 {
  if (
    typeof model !== "object" ||
    model === null ||
    typeof (model as { generate?: unknown }).generate !== "function"
  ) {
    throw new InvalidArgumentError({
      parameter: "model",
      value: typeof model,
      message:
        'toAiSdk: "model" must be a rungs Model (an object with generate), e.g. escalateAcross([small, large], { rubric }); to use an AI SDK model inside rungs, see fromAiSdk.',
    });
  }
  const parsed = parseOptions("toAiSdk", optionsSchema, options);
  const version = parsed.specificationVersion ?? installedAiSpecificationVersion();
  const provider = parsed.provider ?? "rungs";
  const streamMode = parsed.streamMode ?? "accepted-only";
  const runtimeOf = (callOptions: AiSdkModelCallOptions): CallOptions => {
    const runtime: CallOptions = { ...options.callOptions };
    if (callOptions.abortSignal !== undefined) runtime.signal = callOptions.abortSignal;
    return runtime;
  };
  const unsetIn = (callOptions: AiSdkModelCallOptions) =>
    unsupportedSettings.filter((name) => callOptions[name] !== undefined);
  const doGenerate = async (callOptions: AiSdkModelCallOptions) => {
    const request = requestOfAiSdkCall(callOptions);
    const generation = await model.generate(request, runtimeOf(callOptions));
    const unset = unsetIn(callOptions);
    return version === "v2" ? v2Result(generation, unset) : v3Result(generation, unset);
  };
  const doStream = async (callOptions: AiSdkModelCallOptions) => {
    const request = requestOfAiSdkCall(callOptions);
    const runtime = runtimeOf(callOptions);
    const open = (signal: AbortSignal) =>
      streamModel(model, request, { ...runtime, signal, mode: streamMode });
    const unset = unsetIn(callOptions);
    const raw = callOptions.includeRawChunks === true;
    const stream =
      version === "v2"
        ? await sdkStreamOf(open, runtime.signal, v2Shape(unset, raw))
        : await sdkStreamOf(open, runtime.signal, v3Shape(unset, raw));
    return { stream };
  };
  return Object.freeze({
    specificationVersion: version,
    provider,
    modelId: model.id,
    supportedUrls: {},
    doGenerate,
    doStream,
  }) as RungsLanguageModelV2 | RungsLanguageModelV3 | RungsLanguageModelV4;
}

function baseOf(generation: Generation): ResultBase {
  const content: AiSdkOutputPart[] = [];
  if (generation.text !== "") content.push({ type: "text", text: generation.text });
  for (const call of generation.toolCalls ?? []) {
    content.push({
      type: "tool-call",
      toolCallId: call.id,
      toolName: call.name,
      input: JSON.stringify(call.input ?? {}),
    });
  }
  const { answeredBy } = generation;
  const rungs: RungsProviderMetadata =
    answeredBy === undefined
      ? { modelId: generation.modelId }
      : {
          modelId: answeredBy.modelId,
          rung: answeredBy.rung,
          attemptCount: answeredBy.attemptCount,
          climbed: answeredBy.climbed,
        };
  return { content, providerMetadata: { rungs }, response: { modelId: generation.modelId } };
}

const unsupportedDetails = "rungs does not pass this option on to its models";

const v2Warnings = (unset: readonly string[]): AiSdkV2Warning[] =>
  unset.map((name) => ({ type: "other", message: `${name}: ${unsupportedDetails}` }));

const v3Warnings = (unset: readonly string[]): AiSdkV3Warning[] =>
  unset.map((feature) => ({ type: "unsupported", feature, details: unsupportedDetails }));

function v2Usage({ inputTokens, outputTokens }: Usage): AiSdkV2Usage {
  return {
    inputTokens,
    outputTokens,
    totalTokens:
      inputTokens !== undefined && outputTokens !== undefined ? inputTokens + outputTokens : undefined,
  };
}

function v3Usage({ inputTokens, outputTokens }: Usage): AiSdkV3Usage {
  return {
    inputTokens: { total: inputTokens, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: outputTokens, text: undefined, reasoning: undefined },
  };
}

const v3Finish = (reason: FinishReason): AiSdkV3FinishReason => ({ unified: reason, raw: reason });

function v2Result(generation: Generation, unset: readonly string[]): AiSdkV2GenerateResult {
  return {
    ...baseOf(generation),
    finishReason: generation.finishReason,
    usage: v2Usage(generation.usage),
    warnings: v2Warnings(unset),
  };
}

function v3Result(generation: Generation, unset: readonly string[]): AiSdkV3GenerateResult {
  return {
    ...baseOf(generation),
    finishReason: v3Finish(generation.finishReason),
    usage: v3Usage(generation.usage),
    warnings: v3Warnings(unset),
  };
}

function v2Shape(
  unset: readonly string[],
  raw: boolean,
): StreamShape<AiSdkV2Warning, AiSdkFinishReason, AiSdkV2Usage, RungsAnswerMetadata> {
  return {
    warnings: v2Warnings(unset),
    raw,
    finish: (generation) => ({
      finishReason: generation.finishReason,
      usage: v2Usage(generation.usage),
      providerMetadata: baseOf(generation).providerMetadata,
    }),
    failed: { finishReason: "error", usage: v2Usage({}) },
  };
}

function v3Shape(
  unset: readonly string[],
  raw: boolean,
): StreamShape<AiSdkV3Warning, AiSdkV3FinishReason, AiSdkV3Usage, RungsAnswerMetadata> {
  return {
    warnings: v3Warnings(unset),
    raw,
    finish: (generation) => ({
      finishReason: v3Finish(generation.finishReason),
      usage: v3Usage(generation.usage),
      providerMetadata: baseOf(generation).providerMetadata,
    }),
    failed: { finishReason: v3Finish("error"), usage: v3Usage({}) },
  };
}
