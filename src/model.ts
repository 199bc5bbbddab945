import type { Budget } from "./budget.js";
import type { Clock } from "./clock.js";
import type { FailureKind } from "./errors/failure-kind.js";
import { InvalidArgumentError } from "./errors/invalid-argument-error.js";
import { ProviderError } from "./errors/provider-error.js";
import type { RungsEvents } from "./events.js";
import type { GenerateRequest, PromptRequest, ToolCall } from "./messages.js";
import type { Verdict } from "./rubric/types.js";
import type { TextDeltaPart, ToolCallPart } from "./stream/delta-parts.js";
import type { FinishReason, Trace, Usage } from "./trace.js";

export type {
  AssistantMessage,
  ContentPart,
  ConvertibleSchema,
  Failure,
  FilePart,
  GenerateRequest,
  ImagePart,
  JsonSchema,
  Message,
  PromptRequest,
  SystemMessage,
  TextPart,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  ToolMessage,
  ToolResultPart,
  UserMessage,
} from "./messages.js";
export type { TextDeltaPart, ToolCallPart } from "./stream/delta-parts.js";
export type { FinishReason, Trace, Usage } from "./trace.js";

/**
 * What a model produced. `V` is the type of `value`, set when a rubric with a value-giving rule (e.g.
 * `structured`) judged the text; `unknown`, the default, is an untyped generation.
 */
export interface Generation<V = unknown> {
  /** The output text. */
  text: string;
  /** `length` means the output was cut off; `tool-calls` that the model called tools. */
  finishReason: FinishReason;
  /**
   * The tools the model called (of `request.tools`), in order; absent when it called none. `text` may be
   * empty then: an answer with tool calls is not `empty`.
   */
  toolCalls?: readonly ToolCall[];
  /** Tokens, summed over every call beneath this one. */
  usage: Usage;
  /** The model that actually produced `text` (the rung, not the ladder). */
  modelId: string;
  /** Set when a rubric judged the text. */
  verdict?: Verdict;
  /** Attempts, continuations and splits beneath this call. */
  trace?: Trace;
  /**
   * Which rung answered, set by `escalateAcross` / `retryWithContext` (the outermost one wins): compare
   * nothing by hand to know whether the first (e.g. local) model answered or the ladder fell back.
   */
  answeredBy?: AnsweredBy;
  /**
   * The value the judging rubric's value-giving rule found in `text` (`structured`: the parsed JSON, as the
   * schema's output), set by `retryWithContext` / `escalateAcross` from the verdict and kept by the wrappers
   * above them (`continueUntilComplete` only when the text is one piece). Absent when no such rule passed.
   */
  value?: V;
}

/** Which rung of a ladder produced an answer. */
export interface AnsweredBy {
  /** 0-based ladder position of the rung that answered. */
  rung: number;
  /** That rung's model id (the ladder entry; `Generation.modelId` names the leaf beneath it). */
  modelId: string;
  /** True when a rung other than the first answered: the first failed or was passed over. */
  climbed: boolean;
  /** Attempts the run made, the answering one included. */
  attemptCount: number;
}

/** Runtime values for one call. Every nested call receives them (with a longer `path`). */
export interface CallOptions {
  /** Aborts the call and everything beneath it; rejects with `signal.reason`, never wrapped. */
  signal?: AbortSignal;
  /** Where attempts, skips, continuations and splits are reported. */
  events?: RungsEvents;
  /** A budget shared by every nested call (model calls, output tokens, deadline). */
  budget?: Budget;
  /** The event path of the caller; primitives extend it. */
  path?: string;
  /** Time source for timestamps. @default systemClock */
  clock?: Clock;
  /**
   * The largest request the callers above can take, as a test: `treeSplit` sets it on every call it makes
   * (within its `promptLimit`, and within any limit set above it), and every primitive beneath honours it:
   * an engine adds only the feedback with which the request still fits, and `continueUntilComplete` sends
   * only as much of the partial text as fits. A primitive that sets it combines it with the one it was given.
   * A runtime value like the others: it never changes how an output is judged. @default no limit
   */
  promptFits?: (request: GenerateRequest) => boolean;
}

/** What a model can do beyond `generate`. */
export interface ModelCapabilities {
  /**
   * The model continues a trailing assistant message rather than answering it (Ollama does), so
   * `continueUntilComplete` sends the partial text as the last assistant message.
   */
  continueAssistant?: boolean;
  /** Context window in tokens, when known. */
  contextWindowTokens?: number;
  /**
   * The media parts the model takes in user messages. Models rungs builds refuse a request with a part not
   * listed here (`InvalidArgumentError`), rather than drop it. @default none (text only)
   */
  inputParts?: readonly ("image" | "file")[];
}

/**
 * The one contract (docs/architecture.md): every primitive consumes models and returns a model. `V` types
 * the generations' `value` (see {@link Generation}); `Model` alone is any model.
 */
export interface Model<V = unknown> {
  /** `"ollama:qwen3:8b"`, `"ladder(3)"`, ... */
  readonly id: string;
  /** What the model can do beyond `generate` (continuing an assistant message, its context window). */
  readonly capabilities?: ModelCapabilities;
  /**
   * Generates an answer. Models rungs builds check the request at this boundary and accept the
   * `{ prompt, system? }` shorthand ({@link PromptRequest}).
   * @throws InvalidArgumentError for a malformed request (not an object, no messages, an unknown role, ...).
   */
  generate(request: GenerateRequest | PromptRequest, options?: CallOptions): Promise<Generation<V>>;
  /**
   * Optional: generates the same answer as `generate`, as a stream of {@link StreamPart}s that ends with a
   * `finish` part carrying the final `Generation` (trace and verdict included). Every model rungs builds has
   * it; for one without it, `streamModel` streams its `generate` answer as one chunk. The stream is cancelled
   * by leaving the loop (`break`, `return()`): the provider's stream is cancelled with it.
   * @throws what `generate` throws, from the iteration (the caller's abort: `signal.reason`).
   */
  stream?(request: GenerateRequest | PromptRequest, options?: StreamOptions): AsyncIterable<StreamPart<V>>;
}

/** A model whose `stream` is there to call: every model rungs builds (primitives, providers, test doubles). */
export interface StreamingModel<V = unknown> extends Model<V> {
  /** Streams the answer (see {@link Model.stream}). */
  stream(request: GenerateRequest | PromptRequest, options?: StreamOptions): AsyncIterable<StreamPart<V>>;
}

/**
 * What a stream shows of the attempts beneath it:
 * - `live`: every attempt's deltas as they come, and a `discard` part when an attempt is rejected (what a
 *   chat UI shows). The first token arrives as soon as the first rung's does.
 * - `accepted-only`: nothing until an attempt is accepted, then its text and tool calls and `finish` (what a
 *   pipeline wants). The first token arrives when the accepted attempt has ended and been judged.
 */
export type StreamMode = "live" | "accepted-only";

/** The options of one `stream` call: the runtime values of {@link CallOptions}, and the mode. */
export interface StreamOptions extends CallOptions {
  /** What the stream shows of the attempts beneath it. @default "live" */
  mode?: StreamMode;
}

/** An attempt of a ladder or a retry starts: the deltas after it are its output, until its `discard`. */
export interface AttemptStartPart {
  /** The part's kind. */
  type: "attempt-start";
  /** The attempt's event path (e.g. `escalate/attempt[2]`); its `discard`, if any, has the same path. */
  path: string;
  /** 1-based attempt number within its run. */
  attempt: number;
  /** 0-based ladder position. */
  rung: number;
  /** The rung's model id. */
  modelId: string;
}

/**
 * The attempt that started with the `attempt-start` of the same `path` is rejected: drop every delta and
 * tool call since that part (deltas of nested attempts included). Never glued to the next attempt's text.
 */
export interface DiscardPart {
  /** The part's kind. */
  type: "discard";
  /** The discarded attempt's path, as its `attempt-start` had it. */
  path: string;
  /** 1-based attempt number within its run. */
  attempt: number;
  /** 0-based ladder position. */
  rung: number;
  /** The rung's model id. */
  modelId: string;
  /** Why: the attempt's failure kind (`rejected`, `empty`, `truncated`, `timeout`, ...). */
  kind: FailureKind;
  /** Why, in words: the rules that failed, or the error's message. */
  reason: string;
  /** Characters of text the attempt had streamed (all discarded). */
  chars: number;
  /**
   * True when the attempt was stopped before its end because a prefix already failed a rule (the
   * provider's stream was cancelled there); false when it was judged at its end or failed.
   */
  early: boolean;
}

/** The stream's last part: the answer, exactly what `generate` returns. */
export interface FinishPart<V = unknown> {
  /** The part's kind. */
  type: "finish";
  /** The final generation: text, finish reason, usage, verdict, trace. */
  generation: Generation<V>;
}

/**
 * One part of a model's stream. A stream is `attempt-start` / `text-delta` / `tool-call` / `discard` parts
 * in order, then one `finish`. A leaf model (a provider) sends deltas and tool calls only; the attempt
 * engines add `attempt-start` and `discard`. The visible answer is every delta not inside a discarded
 * attempt; in `accepted-only` mode there is nothing to drop.
 */
export type StreamPart<V = unknown> =
  | AttemptStartPart
  | TextDeltaPart
  | ToolCallPart
  | DiscardPart
  | FinishPart<V>;

/** What a model implementation may return: at least the text; the rest is filled in. */
export type GenerationInput = Partial<Generation> & {
  /** The output text. */
  text: string;
};

const finishReasons: ReadonlySet<string> = new Set([
  "stop",
  "length",
  "content-filter",
  "tool-calls",
  "error",
  "other",
] satisfies FinishReason[]);

/** A token count a generation may carry: a whole number ≥ 0 that is exact (at most 2^53 − 1). */
export function isTokenCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** What {@link normalizeGeneration} reports about a usage count it dropped. */
export interface DroppedUsage {
  field: "inputTokens" | "outputTokens" | "usage";
  value: unknown;
}

function malformed(modelId: string, field: string, value: unknown, expected: string): ProviderError {
  const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
  return new ProviderError(
    `Model "${modelId}" returned a malformed response: field "${field}" is ${got}; expected ${expected}.`,
    { kind: "server-error", providerId: modelId },
  );
}

/**
 * Fills a partial generation: `finishReason` defaults to `"stop"`, `usage` to `{}`, `modelId` to `modelId`.
 * Every field is type-checked, as it may come from the wire: usage counts that are not whole numbers ≥ 0
 * (a string, NaN, a negative count) are dropped and reported through `onDropped`, never summed.
 * @throws ProviderError (`server-error`, a malformed response naming the field) when `text` is not a
 *   string, `finishReason` is not one of the six, `modelId` is not a non-empty string, or `toolCalls` is not
 *   a list of `{ id, name, input }` (string id and name).
 */
export function normalizeGeneration(
  input: unknown,
  modelId: string,
  onDropped?: (dropped: DroppedUsage) => void,
): Generation {
  if (typeof input !== "object" || input === null) {
    throw new ProviderError(
      `Model "${modelId}" returned ${input === null ? "null" : typeof input} where a generation was expected: return { text: string, ... }.`,
      { kind: "server-error", providerId: modelId },
    );
  }
  const partial = input as Record<string, unknown>;
  if (typeof partial.text !== "string") throw malformed(modelId, "text", partial.text, "a string");
  const finishReason = partial.finishReason ?? "stop";
  if (typeof finishReason !== "string" || !finishReasons.has(finishReason)) {
    throw malformed(modelId, "finishReason", finishReason, `one of ${[...finishReasons].join(", ")}`);
  }
  const producer = partial.modelId ?? modelId;
  if (typeof producer !== "string" || producer.length === 0) {
    throw malformed(modelId, "modelId", producer, "a non-empty string");
  }
  const generation: Generation = {
    text: partial.text,
    finishReason: finishReason as FinishReason,
    usage: checkedUsage(partial.usage, onDropped),
    modelId: producer,
  };
  if (partial.toolCalls !== undefined) {
    const calls = checkedToolCalls(modelId, partial.toolCalls);
    if (calls.length > 0) generation.toolCalls = calls;
  }
  if (partial.verdict !== undefined) generation.verdict = partial.verdict as Verdict;
  if (partial.trace !== undefined) generation.trace = partial.trace as Trace;
  return generation;
}

function checkedToolCalls(modelId: string, value: unknown): ToolCall[] {
  if (!Array.isArray(value)) throw malformed(modelId, "toolCalls", value, "a list of { id, name, input }");
  return value.map((call: unknown, i) => {
    const { id, name, input } = (typeof call === "object" && call !== null ? call : {}) as Partial<ToolCall>;
    if (typeof call !== "object" || call === null || Array.isArray(call)) {
      throw malformed(modelId, `toolCalls[${i}]`, call, "a { id, name, input } object");
    }
    if (typeof id !== "string" || id.length === 0) {
      throw malformed(modelId, `toolCalls[${i}].id`, id, "a non-empty string");
    }
    if (typeof name !== "string" || name.length === 0) {
      throw malformed(modelId, `toolCalls[${i}].name`, name, "a non-empty string");
    }
    return { id, name, input };
  });
}

function checkedUsage(usage: unknown, onDropped: ((dropped: DroppedUsage) => void) | undefined): Usage {
  if (usage === undefined || usage === null) return {};
  if (typeof usage !== "object" || Array.isArray(usage)) {
    onDropped?.({ field: "usage", value: usage });
    return {};
  }
  const { inputTokens, outputTokens } = usage as { inputTokens?: unknown; outputTokens?: unknown };
  const out: Usage = {};
  if (isTokenCount(inputTokens)) out.inputTokens = inputTokens;
  else if (inputTokens !== undefined) onDropped?.({ field: "inputTokens", value: inputTokens });
  if (isTokenCount(outputTokens)) out.outputTokens = outputTokens;
  else if (outputTokens !== undefined) onDropped?.({ field: "outputTokens", value: outputTokens });
  return out;
}

/**
 * Adds usage `b` into `a` (missing counts stay missing unless either side has them). Only token counts
 * (whole numbers ≥ 0) are summed: anything else is treated as missing, so a string never concatenates.
 */
export function addUsage(a: Usage, b: Usage): Usage {
  const out: Usage = {};
  const ai = isTokenCount(a.inputTokens) ? a.inputTokens : undefined;
  const bi = isTokenCount(b.inputTokens) ? b.inputTokens : undefined;
  const ao = isTokenCount(a.outputTokens) ? a.outputTokens : undefined;
  const bo = isTokenCount(b.outputTokens) ? b.outputTokens : undefined;
  if (ai !== undefined || bi !== undefined) out.inputTokens = (ai ?? 0) + (bi ?? 0);
  if (ao !== undefined || bo !== undefined) out.outputTokens = (ao ?? 0) + (bo ?? 0);
  return out;
}

/** @throws InvalidArgumentError unless `id` is a non-empty string. */
export function validateModelId(fnName: string, id: unknown): asserts id is string {
  if (typeof id !== "string" || id.length === 0) {
    throw new InvalidArgumentError({
      parameter: "id",
      value: id,
      message: `${fnName}: "id" must be a non-empty string naming the model, e.g. "ollama:qwen3:8b" (got ${String(id)}).`,
    });
  }
}
