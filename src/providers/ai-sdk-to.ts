import { Budget } from "../budget.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type { RungsEvents } from "../events.js";
import type { CallOptions, FinishReason, Generation, Model } from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { custom, object, oneOf } from "../validate/check.js";
import type { JsonValue } from "./ai-sdk-prompt.js";
import { type AiSdkModelCallOptions, requestOfAiSdkCall, unsupportedSettings } from "./ai-sdk-request.js";
import { type AiSdkSpecificationVersion, installedAiSpecificationVersion } from "./ai-sdk-version.js";

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
  providerMetadata: {
    /** Who answered, after how many attempts. */
    rungs: RungsProviderMetadata;
  };
  /** The leaf model that produced the answer. */
  response: {
    /** `generation.modelId`. */
    modelId: string;
  };
}

/** A `doGenerate` result of specification v2 (`ai` 5). */
export interface AiSdkV2GenerateResult extends ResultBase {
  /** Why the model stopped. */
  finishReason: AiSdkFinishReason;
  /** Tokens of the whole run (every attempt beneath). */
  usage: {
    /** Prompt tokens. */
    inputTokens: number | undefined;
    /** Output tokens. */
    outputTokens: number | undefined;
    /** Their sum, when both are known. */
    totalTokens: number | undefined;
  };
  /** Call options rungs did not pass on. */
  warnings: Array<{
    /** Always `"other"`. */
    type: "other";
    /** Which option, and why. */
    message: string;
  }>;
}

/** A `doGenerate` result of specification v3 (`ai` 6) and v4 (`ai` 7). */
export interface AiSdkV3GenerateResult extends ResultBase {
  /** Why the model stopped (`raw`: the same word). */
  finishReason: {
    /** The finish reason. */
    unified: AiSdkFinishReason;
    /** The same, as rungs reported it. */
    raw: string | undefined;
  };
  /** Tokens of the whole run (every attempt beneath); the cache and reasoning splits are unknown. */
  usage: {
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
  };
  /** Call options rungs did not pass on. */
  warnings: Array<{
    /** Always `"unsupported"`. */
    type: "unsupported";
    /** The option. */
    feature: string;
    /** Why. */
    details?: string;
  }>;
}

/**
 * A rungs model as an AI SDK language model of specification `V`. `doStream` is not supported yet
 * (`streamText` rejects with an error saying so); `generateText` and the SDK's agents use `doGenerate`.
 */
export interface RungsLanguageModel<V extends AiSdkSpecificationVersion, R> {
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
   * Not supported yet: rejects with an error naming `generateText` as the way to call this model.
   * @throws Error always.
   */
  doStream(options: AiSdkModelCallOptions): Promise<never>;
}

/** {@link toAiSdk}'s model for `ai` 5. */
export type RungsLanguageModelV2 = RungsLanguageModel<"v2", AiSdkV2GenerateResult>;
/** {@link toAiSdk}'s model for `ai` 6. */
export type RungsLanguageModelV3 = RungsLanguageModel<"v3", AiSdkV3GenerateResult>;
/** {@link toAiSdk}'s model for `ai` 7. */
export type RungsLanguageModelV4 = RungsLanguageModel<"v4", AiSdkV3GenerateResult>;

const optionsSchema = object({
  specificationVersion: oneOf(["v2", "v3", "v4"]).optional(),
  provider: schemas.nonEmptyString.optional(),
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
  const doGenerate = async (callOptions: AiSdkModelCallOptions) => {
    const request = requestOfAiSdkCall(callOptions);
    const runtime: CallOptions = { ...options.callOptions };
    if (callOptions.abortSignal !== undefined) runtime.signal = callOptions.abortSignal;
    const generation = await model.generate(request, runtime);
    const unset = unsupportedSettings.filter((name) => callOptions[name] !== undefined);
    return version === "v2" ? v2Result(generation, unset) : v3Result(generation, unset);
  };
  const doStream = async (): Promise<never> => {
    throw new Error(
      `toAiSdk(${model.id}): streaming (streamText, an agent's stream) is not supported yet; use generateText or the agent's generate, which run the rungs model whole.`,
    );
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

function v2Result(generation: Generation, unset: readonly string[]): AiSdkV2GenerateResult {
  const { inputTokens, outputTokens } = generation.usage;
  return {
    ...baseOf(generation),
    finishReason: generation.finishReason,
    usage: {
      inputTokens,
      outputTokens,
      totalTokens:
        inputTokens !== undefined && outputTokens !== undefined ? inputTokens + outputTokens : undefined,
    },
    warnings: unset.map((name) => ({ type: "other", message: `${name}: ${unsupportedDetails}` })),
  };
}

function v3Result(generation: Generation, unset: readonly string[]): AiSdkV3GenerateResult {
  return {
    ...baseOf(generation),
    finishReason: { unified: generation.finishReason, raw: generation.finishReason },
    usage: {
      inputTokens: {
        total: generation.usage.inputTokens,
        noCache: undefined,
        cacheRead: undefined,
        cacheWrite: undefined,
      },
      outputTokens: { total: generation.usage.outputTokens, text: undefined, reasoning: undefined },
    },
    warnings: unset.map((feature) => ({ type: "unsupported", feature, details: unsupportedDetails })),
  };
}
