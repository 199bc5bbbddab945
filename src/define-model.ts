import { raceAbort, throwIfAborted } from "./abort.js";
import { systemClock } from "./clock.js";
import { InvalidArgumentError } from "./errors/invalid-argument-error.js";
import { emit } from "./events.js";
import type { GenerateRequest } from "./messages.js";
import {
  type CallOptions,
  type Generation,
  type GenerationInput,
  type ModelCapabilities,
  normalizeGeneration,
  type StreamingModel,
  validateModelId,
} from "./model.js";
import { renderDefaults } from "./prompt.js";
import { toRequest } from "./request.js";
import { checkStreamOptions } from "./stream/check-stream-options.js";
import type { TextDeltaPart, ToolCallPart } from "./stream/delta-parts.js";
import { leafStream } from "./stream/leaf-stream.js";
import { withMode } from "./stream/modes.js";
import { oneChunk } from "./stream/one-chunk.js";
import { describeValue } from "./text/describe.js";
import type { ContextCut } from "./trace.js";

/** The implementation behind {@link defineModel}. It receives a signal that also fires at the budget's deadline. */
export type ModelFunction = (
  request: GenerateRequest,
  options: CallOptions & { signal: AbortSignal },
) => Promise<GenerationInput>;

/**
 * One part a leaf model's stream function yields: text as it comes, each complete tool call, and one
 * `finish` with what the provider said at the end (finish reason, usage; the text is the deltas').
 */
export type ModelStreamPart = TextDeltaPart | ToolCallPart | ModelStreamFinish;

/** The last part of a leaf's stream: what the provider said at the end (the text is the deltas'). */
export interface ModelStreamFinish extends Omit<Partial<GenerationInput>, "text" | "toolCalls"> {
  /** The part's kind. */
  type: "finish";
}

/**
 * The streaming implementation behind {@link defineModel}: yields the provider's parts. Its signal also fires
 * at the budget's deadline and when the consumer stops early; `return()` is called on its iterator then, so
 * an async generator's `finally` (or the provider's own cancel) closes the provider's stream.
 */
export type ModelStreamFunction = (
  request: GenerateRequest,
  options: CallOptions & { signal: AbortSignal },
) => AsyncIterable<ModelStreamPart>;

/** Most characters of a streamed answer by default (4 Mi), as the Ollama and AI SDK models cap theirs. */
const defaultMaxAnswerChars = 4_194_304;

/**
 * Defines a leaf model (one that calls a provider) from a function. The returned model:
 * - rejects with `signal.reason` if the call is aborted, before or during the call;
 * - draws one attempt from a shared {@link Budget} before calling, records its usage after, and aborts the
 *   call at the budget's deadline (`BudgetExhaustedError`, `limit: "deadline"`);
 * - fills `finishReason`, `usage` and `modelId` when the function leaves them out;
 * - streams (`model.stream`) through `options.stream` with the same guarantees, each delta reported as an
 *   `output-stream` event; a stream that ends without `finish` fails as a `server-error` with its partial
 *   text kept; a stream the consumer leaves early books one output token per delta received.
 *
 * @throws InvalidArgumentError when `id` is empty, or `fn` or `options.stream` is not a function.
 * @example
 * const echo = defineModel("echo", async (request) => ({ text: request.messages.at(-1)?.content ?? "" }));
 */
export function defineModel(
  id: string,
  fn: ModelFunction,
  options: {
    /** What the model can do beyond `generate`, e.g. its context window. */
    capabilities?: ModelCapabilities;
    /**
     * Streams the answer (`model.stream`): the provider's deltas as they come. Without it, `stream` sends
     * `fn`'s answer as one chunk.
     */
    stream?: ModelStreamFunction;
    /**
     * Most characters a streamed answer may hold (its text and its tool calls' inputs as JSON); past it the
     * stream is cancelled and the call fails as a `server-error`, its text so far kept. Bounds a provider
     * that never stops. The same cap and default as the Ollama and AI SDK models'. @default 4_194_304
     */
    maxAnswerChars?: number;
  } = {},
): StreamingModel {
  validateModelId("defineModel", id);
  if (typeof fn !== "function") {
    throw new InvalidArgumentError({
      parameter: "fn",
      value: fn,
      message: 'defineModel: "fn" must be a function (request, options) => Promise<{ text }>.',
    });
  }
  if (options.stream !== undefined && typeof options.stream !== "function") {
    throw new InvalidArgumentError({
      parameter: "options.stream",
      value: options.stream,
      message:
        'defineModel: "options.stream" must be a function (request, options) => AsyncIterable of parts.',
    });
  }
  const maxAnswerChars = options.maxAnswerChars ?? defaultMaxAnswerChars;
  if (!Number.isSafeInteger(maxAnswerChars) || maxAnswerChars < 1) {
    throw new InvalidArgumentError({
      parameter: "options.maxAnswerChars",
      value: options.maxAnswerChars,
      message: `defineModel: "options.maxAnswerChars" must be a whole number of characters ≥ 1 (got ${describeValue(options.maxAnswerChars)}).`,
    });
  }
  const streamFn = options.stream;
  const model: StreamingModel = {
    id,
    // Checks run as the stream is read: a bad request rejects the iteration, as a provider error would.
    stream: async function* (input, streamOptions) {
      const { mode, ...callOptions } = checkStreamOptions(`${id}.stream`, streamOptions);
      if (streamFn === undefined) {
        yield* withMode(oneChunk(model, input, callOptions), mode);
        return;
      }
      const request = toRequest(`${id}.stream`, input);
      refuseParts(id, request, options.capabilities?.inputParts);
      yield* withMode(
        leafStream(
          id,
          request,
          callOptions,
          streamFn,
          (raw) => finished(raw, request, callOptions),
          maxAnswerChars,
        ),
        mode,
      );
    },
    generate: async (input, callOptions = {}) => {
      const request = toRequest(`${id}.generate`, input);
      refuseParts(id, request, options.capabilities?.inputParts);
      const { signal, budget } = callOptions;
      throwIfAborted(signal);
      budget?.drawCall();
      const run = (inner: AbortSignal) => fn(request, { ...callOptions, signal: inner });
      const raw =
        budget !== undefined
          ? await budget.runWithinDeadline(signal, run)
          : signal !== undefined
            ? await raceAbort(run(signal), signal)
            : await fn(request, withLazySignal(callOptions));
      return finished(raw, request, callOptions);
    },
  };

  // What every answer goes through, generated or streamed: warnings, the checked generation, booked usage.
  const finished = (raw: unknown, request: GenerateRequest, callOptions: CallOptions): Generation => {
    const cuts = contextCuts(request);
    if (cuts !== undefined) {
      for (const cut of cuts) {
        emit(callOptions.events, "run-warn", {
          path: callOptions.path ?? "",
          timestamp: (callOptions.clock ?? systemClock).now(),
          code: "context-capped",
          modelId: id,
          message: `Context document ${cut.index + 1} of the request to "${id}" has ${cut.chars} chars; the renderer cut ${cut.cutChars} of them at its ${cut.cap}-char cap (a marker in the prompt says so). Wrap the model in treeSplit to read it whole.`,
        });
      }
    }
    const generation = normalizeGeneration(raw, id, (dropped) =>
      emit(callOptions.events, "run-warn", {
        path: callOptions.path ?? "",
        timestamp: (callOptions.clock ?? systemClock).now(),
        code: "usage-dropped",
        modelId: id,
        message: `Model "${id}" reported ${dropped.field} = ${describeValue(dropped.value)}, not a token count (a whole number ≥ 0); it was dropped, not summed.`,
      }),
    );
    callOptions.budget?.recordUsage(generation.usage);
    if (cuts !== undefined) generation.trace = { ...generation.trace, contextCuts: cuts };
    return generation;
  };
  if (options.capabilities !== undefined) return { ...model, capabilities: { ...options.capabilities } };
  return model;
}

/**
 * Refuses a request with a media part the model does not take (`capabilities.inputParts`), before any call:
 * nothing is dropped silently.
 * @throws InvalidArgumentError naming the message, the part and the fix.
 */
function refuseParts(id: string, request: GenerateRequest, taken: readonly string[] | undefined): void {
  request.messages.forEach((message, i) => {
    if (message.role !== "user" || typeof message.content === "string") return;
    message.content.forEach((part, j) => {
      if (part.type === "text" || taken?.includes(part.type) === true) return;
      throw new InvalidArgumentError({
        parameter: `request.messages[${i}].content[${j}]`,
        value: part.type,
        message: `Model "${id}" does not take ${part.type} parts (messages[${i}].content[${j}]; capabilities.inputParts: ${taken === undefined || taken.length === 0 ? "none" : taken.join(", ")}): send it to a model that does, or describe the ${part.type} in text.`,
      });
    });
  });
}

/**
 * The options with a `signal` that is made on first read. A call without a signal is the common case in a
 * loop, and an AbortController costs more than the rest of a scripted call (about 4.5 µs on Node 20).
 */
function withLazySignal(callOptions: CallOptions): CallOptions & { signal: AbortSignal } {
  let made: AbortSignal | undefined;
  return {
    ...callOptions,
    get signal() {
      made ??= new AbortController().signal;
      return made;
    },
  };
}

/** The context documents the shared renderer will cut at its cap, or undefined when none. */
function contextCuts(request: GenerateRequest): ContextCut[] | undefined {
  const context = request.context;
  if (context === undefined) return undefined;
  let cuts: ContextCut[] | undefined;
  const cap = renderDefaults.maxContextChars;
  for (let index = 0; index < context.length; index++) {
    const chars = typeof context[index] === "string" ? (context[index] as string).length : 0;
    if (chars <= cap) continue;
    cuts ??= [];
    cuts.push({ index, chars, cutChars: chars - cap, cap });
  }
  return cuts;
}
