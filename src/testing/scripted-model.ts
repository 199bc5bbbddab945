import { type Clock, sleep, systemClock } from "../clock.js";
import { defineModel, type ModelStreamPart } from "../define-model.js";
import { attachCallDetails } from "../errors/call-details.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import {
  type CallOptions,
  type GenerateRequest,
  type Generation,
  type ModelCapabilities,
  type StreamingModel,
  validateModelId,
} from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { object, oneOf } from "../validate/check.js";

/** A step that never settles until the call is aborted: a hung provider. */
export const hang: unique symbol = Symbol.for("rungs.testing.hang");

/**
 * A response played piece by piece: the text is the chunks joined. Streamed, each string is one delta (after
 * `chunkDelayMs`); {@link hang} stalls the stream there until it is aborted; an `Error` breaks it there (the
 * text so far kept as the error's partial text). `generate` plays it the same way, as one answer.
 */
export interface ScriptedChunks extends Partial<Omit<Generation, "text">> {
  /** The pieces, in order. */
  chunks: readonly (string | Error | typeof hang)[];
}

/**
 * One scripted response:
 * - a string: the text, `finishReason: "stop"`;
 * - an `Error`: thrown;
 * - a partial generation: `{ text, finishReason?, usage? }`;
 * - {@link ScriptedChunks}: `{ chunks: [...] }`, a response played piece by piece (a stream that stalls
 *   or breaks mid-way);
 * - {@link hang}: never settles (until aborted);
 * - a function of the request: returns any of the above, sync or async.
 */
export type ScriptStep =
  | string
  | Error
  | (Partial<Generation> & {
      /** The output text. */
      text: string;
    })
  | ScriptedChunks
  | typeof hang
  | ((
      request: GenerateRequest,
      context: { call: number; signal: AbortSignal },
    ) => ScriptStep | Promise<ScriptStep>);

/** One call the scripted model received. */
export interface ScriptedCall {
  /** The request received (the shorthand expanded). */
  request: GenerateRequest;
  /** The call options received. */
  options: CallOptions;
  /** When the call started, from the model's clock. */
  at: number;
  /** Set for a streamed call (`model.stream`): how far the stream got, updated as it plays. */
  stream?: ScriptedStream;
}

/** How far one streamed call got. */
export interface ScriptedStream {
  /** Deltas sent so far. */
  deltas: number;
  /** True once the stream sent its `finish` part. */
  finished: boolean;
  /** True when the stream was closed before its end (an early stop, an abort, a time limit). */
  cancelled: boolean;
}

/** Options of {@link scriptedModel}. */
export interface ScriptedModelOptions {
  /** Delay before each response, in ms, on `clock` (abort-aware). @default 0 */
  delayMs?: number;
  /** Time source for the delay. @default systemClock */
  clock?: Clock;
  /** When the steps run out: throw a clear error, or repeat the last step forever. @default "throw" */
  whenDone?: "throw" | "repeat-last";
  /** What the model can do beyond `generate`, e.g. its context window. */
  capabilities?: ModelCapabilities;
  /**
   * Streamed (`model.stream`), a text step is cut into deltas of this many characters (`{ chunks }` steps
   * keep their own pieces). @default 4 (about one token of English)
   */
  streamChunkChars?: number;
  /** Delay before each streamed delta, in ms, on `clock` (abort-aware). @default 0 */
  chunkDelayMs?: number;
}

/** A model that plays a script and records what it was asked. */
export interface ScriptedModel extends StreamingModel {
  /** Every call received, in order (request and options). */
  readonly calls: readonly ScriptedCall[];
  /** Calls running now, and the most that ever ran at once. */
  readonly inFlight: number;
  /** The most calls that ever ran at once. */
  readonly maxInFlight: number;
}

const optionsSchema = object({
  delayMs: schemas.delayMs.optional(),
  clock: schemas.clock.optional(),
  whenDone: oneOf(["throw", "repeat-last"]).optional(),
  capabilities: schemas.capabilities.optional(),
  streamChunkChars: schemas.positiveInt.optional(),
  chunkDelayMs: schemas.delayMs.optional(),
});

/**
 * A scripted model for tests: each call plays the next step. It is a leaf model, so it draws on a shared
 * `Budget`, honours abort and deadlines, and fills in `finishReason`, `usage` and `modelId`.
 *
 * @throws InvalidArgumentError for an empty id, an empty script, or bad options.
 * @example
 * const model = scriptedModel("m", ["draft", { text: "cut off", finishReason: "length" }, new Error("boom")]);
 * await model.generate({ messages: [{ role: "user", content: "hi" }] });
 * expect(model.calls).toHaveLength(1);
 */
export function scriptedModel(
  id: string,
  steps: readonly ScriptStep[],
  options: ScriptedModelOptions = {},
): ScriptedModel {
  validateModelId("scriptedModel", id);
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new InvalidArgumentError({
      parameter: "steps",
      value: steps,
      message:
        'scriptedModel: "steps" must be a non-empty array of texts, errors, partial generations or functions.',
    });
  }
  const parsed = parseOptions("scriptedModel", optionsSchema, options);
  const clock = parsed.clock ?? systemClock;
  const calls: ScriptedCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  // The signal is read only where a step needs it: the leaf makes it lazily, and most steps never do.
  const play = async (
    step: ScriptStep,
    request: GenerateRequest,
    call: number,
    options: { signal: AbortSignal },
  ) => {
    let current = step;
    // Functions may return further functions; bound the unwrapping so a bad script cannot loop.
    for (let depth = 0; typeof current === "function" && depth < 8; depth += 1) {
      current = await current(request, {
        call,
        get signal() {
          return options.signal;
        },
      });
    }
    if (current === hang) return hangUntilAborted(options.signal);
    if (current instanceof Error) throw current;
    if (typeof current === "string") return { text: current };
    if (isChunks(current)) {
      const { chunks, ...rest } = current;
      let text = "";
      for (const chunk of chunks) {
        if (chunk === hang) await hangUntilAborted(options.signal);
        if (chunk instanceof Error) throw attachCallDetails(chunk, { partialText: text });
        if (typeof chunk === "string") text += chunk;
      }
      return { ...rest, text };
    }
    if (typeof current === "object" && current !== null && typeof current.text === "string") return current;
    throw new InvalidArgumentError({
      parameter: `steps[${call - 1}]`,
      value: current,
      message: `scriptedModel "${id}": step ${call} is not a text, Error, partial generation, { chunks }, hang or function.`,
    });
  };

  // The step for the next call, recorded; a missing step (the script ran out) throws.
  const nextStep = (request: GenerateRequest, callOptions: CallOptions): [ScriptStep, number] => {
    const call = calls.length + 1;
    calls.push({ request, options: callOptions, at: clock.now() });
    const step =
      call <= steps.length
        ? steps[call - 1]
        : parsed.whenDone === "repeat-last"
          ? steps[steps.length - 1]
          : undefined;
    if (step === undefined) {
      throw new Error(
        `scriptedModel "${id}" has no step for call ${call} (${steps.length} scripted; use whenDone: "repeat-last" to repeat).`,
      );
    }
    return [step, call];
  };

  const chunkChars = parsed.streamChunkChars ?? 4;
  // Streamed: the step's text as deltas (chunkDelayMs before each), its tool calls, then finish.
  async function* streamStep(
    request: GenerateRequest,
    callOptions: CallOptions & { signal: AbortSignal },
  ): AsyncGenerator<ModelStreamPart> {
    const [step, call] = nextStep(request, callOptions);
    const state: ScriptedStream = { deltas: 0, finished: false, cancelled: false };
    calls[call - 1]!.stream = state;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const { signal } = callOptions;
      if ((parsed.delayMs ?? 0) > 0) await sleep(parsed.delayMs ?? 0, { clock, signal });
      let current = step;
      for (let depth = 0; typeof current === "function" && depth < 8; depth += 1) {
        current = await current(request, { call, signal });
      }
      const played = isChunks(current)
        ? current
        : { ...(await play(current, request, call, callOptions)), chunks: undefined };
      const pieces = played.chunks ?? cut((played as { text: string }).text, chunkChars);
      for (const piece of pieces) {
        if ((parsed.chunkDelayMs ?? 0) > 0) await sleep(parsed.chunkDelayMs ?? 0, { clock, signal });
        if (piece === hang) await hangUntilAborted(signal);
        if (piece instanceof Error) throw piece;
        if (typeof piece !== "string" || piece.length === 0) continue;
        state.deltas += 1;
        yield { type: "text-delta", text: piece };
      }
      for (const toolCall of played.toolCalls ?? []) yield { type: "tool-call", toolCall };
      const finish: ModelStreamPart = { type: "finish" };
      if (played.finishReason !== undefined) finish.finishReason = played.finishReason;
      if (played.usage !== undefined) finish.usage = played.usage;
      if (played.modelId !== undefined) finish.modelId = played.modelId;
      state.finished = true;
      yield finish;
    } finally {
      inFlight -= 1;
      if (!state.finished) state.cancelled = true;
    }
  }

  const model = defineModel(
    id,
    async (request, callOptions) => {
      const [step, call] = nextStep(request, callOptions);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if ((parsed.delayMs ?? 0) > 0)
          await sleep(parsed.delayMs ?? 0, { clock, signal: callOptions.signal });
        return await play(step, request, call, callOptions);
      } finally {
        inFlight -= 1;
      }
    },
    options.capabilities === undefined
      ? { stream: streamStep }
      : { capabilities: options.capabilities, stream: streamStep },
  );

  return Object.defineProperties(model, {
    calls: { get: () => calls, enumerable: true },
    inFlight: { get: () => inFlight, enumerable: true },
    maxInFlight: { get: () => maxInFlight, enumerable: true },
  }) as ScriptedModel;
}

function isChunks(step: unknown): step is ScriptedChunks {
  return typeof step === "object" && step !== null && Array.isArray((step as ScriptedChunks).chunks);
}

/** Never settles until `signal` aborts, then rejects with its reason: a hung provider. */
function hangUntilAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** `text` in pieces of `size` characters, never splitting a surrogate pair. */
function cut(text: string, size: number): string[] {
  const pieces: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + size);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end += 1;
    pieces.push(text.slice(at, end));
    at = end;
  }
  return pieces;
}
