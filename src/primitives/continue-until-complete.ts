import { raceAbort, throwIfAborted } from "../abort.js";
import { checkCallOptions } from "../call-options-check.js";
import { systemClock } from "../clock.js";
import { ProviderError } from "../errors/provider-error.js";
import { emit, joinPath, listening, withProcessSink } from "../events.js";
import {
  addUsage,
  type CallOptions,
  type GenerateRequest,
  type Generation,
  type Message,
  type Model,
  type StreamingModel,
} from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { toRequest } from "../request.js";
import { checkStreamOptions } from "../stream/check-stream-options.js";
import { withMode } from "../stream/modes.js";
import { runAsStream } from "../stream/run-stream.js";
import { streamCall } from "../stream/stream-call.js";
import { graphemeBoundaryAtOrBefore } from "../text/cap.js";
import type { ContinuationPiece, ContinuationTrace } from "../trace.js";
import { object } from "../validate/check.js";
import { assertModel } from "./assert-model.js";
import { removeSeamOverlap, type SeamOptions, seamDefaults } from "./seam.js";
import { StitchedStream } from "./stitched-stream.js";

/** Options of {@link continueUntilComplete}. */
export interface ContinueUntilCompleteOptions extends SeamOptions {
  /** Most extra calls after the first. 0 makes the wrapper only stitch and trace. @default 6 */
  maxContinuations?: number;
  /** Most characters of the stitched text; past it continuing stops and the text is cut. @default 200_000 */
  maxTotalChars?: number;
  /**
   * The user turn sent after the partial text to models without `capabilities.continueAssistant`.
   * @default continueUntilCompleteDefaults.continuePrompt
   */
  continuePrompt?: string;
}

export const continueUntilCompleteDefaults = {
  maxContinuations: 6,
  maxTotalChars: 200_000,
  continuePrompt:
    "Your previous message was cut off. Continue exactly where you stopped: do not repeat anything already written, add no preamble, and do not start over.",
} as const;

/**
 * An empty `length` answer whose prompt used at least the context window minus this many tokens is a
 * context overflow (Ollama reports `prompt_eval_count ≈ num_ctx − 1` when it truncated the prompt).
 */
export const contextOverflowSlackTokens = 16;

const schema = object({
  maxContinuations: schemas.nonNegativeInt.optional(),
  maxTotalChars: schemas.positiveInt.optional(),
  continuePrompt: schemas.nonEmptyString.optional(),
  maxOverlapChars: schemas.nonNegativeInt.optional(),
  minOverlapChars: schemas.positiveInt.optional(),
});

/**
 * Wraps `model` so output that was cut off (`finishReason: "length"`) or came back empty is continued,
 * up to `maxContinuations` more calls, and the pieces are stitched into one text (docs/architecture.md).
 *
 * - A model with `capabilities.continueAssistant` (Ollama) gets the partial text as the last assistant
 *   message, which it extends; any other model gets it as an assistant message followed by a short user
 *   turn (`continuePrompt`).
 * - At each seam the longest overlap (between `minOverlapChars` and `maxOverlapChars`) is removed.
 * - Usage is summed; `trace.continuation` lists every piece (size, overlap removed, finish reason, the
 *   piece's own trace) and which limit stopped continuing; each extra call emits a `output-continue` event
 *   at `path + "/continue"`.
 * - Still cut off after `maxContinuations`: returns the text with `finishReason: "length"` and
 *   `stoppedBy: "maxContinuations"` (an outer retry decides). Past `maxTotalChars`: the text is cut to
 *   the cap, `finishReason: "length"`, `stoppedBy: "maxTotalChars"`.
 * - Under a prompt limit (`CallOptions.promptFits`, set by `treeSplit`), a continuation request that would render over the split's
 *   budget sends only the end of the partial text, as much as fits; when none fits, continuing stops
 *   (`stoppedBy: "splitBudget"`, `finishReason: "length"`).
 * - An empty `length` answer whose `usage.inputTokens` is within `contextOverflowSlackTokens` (16) of
 *   `capabilities.contextWindowTokens` is a context overflow: on the first call it throws; after some text
 *   it stops with `stoppedBy: "contextWindow"`. Either way it is not continued.
 * - `stream` runs the same loop with every piece streamed and sends the stitched text as it comes, never
 *   repeated: the start of a continuation is held back only until the seam can tell how much of it repeats
 *   the text so far (`decideSeam`), and the last grapheme only until later text shows where it ends. The
 *   deltas add up to the text of the `finish` generation, which is the one `generate` returns; the parts of
 *   the model beneath (an inner ladder's attempts and discards) pass through.
 * - A piece's own verdict and `value` are kept only when there is one piece (a verdict on a fragment is not
 *   one on the whole). An error on any call (abort's `signal.reason`, `BudgetExhaustedError`, provider errors)
 *   propagates untouched.
 *
 * @throws InvalidArgumentError at construction for a bad model or option.
 * @throws ProviderError (`kind: "context-overflow"`) when the first answer is empty with a full window.
 * @example
 * const model = continueUntilComplete(ollamaModel({ model: "qwen3:8b" }), { maxContinuations: 4 });
 * const { text, trace } = await model.generate({ messages: [{ role: "user", content: "Write the essay." }] });
 * console.log(trace?.continuation?.continuations);
 */
export function continueUntilComplete<V = unknown>(
  model: Model<V>,
  options: ContinueUntilCompleteOptions = {},
): StreamingModel<V> {
  assertModel("continueUntilComplete", model);
  const parsed = parseOptions("continueUntilComplete", schema, options);
  const maxContinuations = parsed.maxContinuations ?? continueUntilCompleteDefaults.maxContinuations;
  const maxTotalChars = parsed.maxTotalChars ?? continueUntilCompleteDefaults.maxTotalChars;
  const continuePrompt = parsed.continuePrompt ?? continueUntilCompleteDefaults.continuePrompt;
  const seam = {
    maxOverlapChars: parsed.maxOverlapChars ?? seamDefaults.maxOverlapChars,
    minOverlapChars: parsed.minOverlapChars ?? seamDefaults.minOverlapChars,
  };
  const nativeContinue = model.capabilities?.continueAssistant === true;
  const windowTokens = model.capabilities?.contextWindowTokens;
  const overflowed = (g: Generation<V>) =>
    g.text === "" &&
    g.finishReason === "length" &&
    windowTokens !== undefined &&
    g.usage.inputTokens !== undefined &&
    g.usage.inputTokens >= windowTokens - contextOverflowSlackTokens;

  /**
   * One run: every piece through `call` (`generate`, or streamed into the caller's stream), given the text
   * stitched so far; the loop, the seams, the limits and the result are the same either way.
   */
  const run = async (
    request: GenerateRequest,
    callOptions: CallOptions,
    call: PieceCall<V>,
  ): Promise<Generation<V>> => {
    const clock = callOptions.clock ?? systemClock;
    const eventPath = joinPath(callOptions.path, "continue");
    // Every piece, the first included, runs under `…/continue`, so a nested ladder has one path.
    // Each call is raced against the signal, and the signal is checked before each: a model that ignores
    // its signal cannot keep the loop going after the caller's abort.
    throwIfAborted(callOptions.signal);
    const first = await call(request, { ...callOptions, path: eventPath }, "");
    if (overflowed(first)) {
      throw new ProviderError(
        `Model "${first.modelId}" returned nothing because the prompt filled its ${windowTokens}-token context window (${first.usage.inputTokens} input tokens); continuing cannot help. Shorten the request (treeSplit) or use a model with a larger window.`,
        { kind: "context-overflow", providerId: first.modelId },
      );
    }
    const pieces: ContinuationPiece[] = [piece(0, first, first.text.length, 0)];
    let text = first.text;
    let usage = first.usage;
    let last = first;
    let stoppedBy: ContinuationTrace["stoppedBy"];
    for (let n = 1; needsMore(last, text); n += 1) {
      if (text.length >= maxTotalChars) {
        stoppedBy = "maxTotalChars";
        break;
      }
      if (n > maxContinuations) {
        stoppedBy = "maxContinuations";
        break;
      }
      throwIfAborted(callOptions.signal);
      const ask = (partial: string) => continuationRequest(request, partial, nativeContinue, continuePrompt);
      const fits = callOptions.promptFits;
      let nextRequest = ask(text);
      if (fits !== undefined && !fits(nextRequest)) {
        // Under a treeSplit: send only the end of the partial text, as much as the room left holds.
        const kept = longestFittingTail(text, (tail) => fits(ask(tail)));
        if (kept === undefined) {
          stoppedBy = "splitBudget";
          break;
        }
        nextRequest = ask(kept);
      }
      const next = await call(nextRequest, { ...callOptions, path: eventPath }, text);
      usage = addUsage(usage, next.usage);
      if (overflowed(next)) {
        pieces.push(piece(n, next, 0, 0));
        stoppedBy = "contextWindow";
        break;
      }
      const stitched =
        text === "" ? { text: next.text, removed: 0 } : removeSeamOverlap(text, next.text, seam);
      text += stitched.text;
      pieces.push(piece(n, next, stitched.text.length, stitched.removed));
      last = next;
      if (listening(callOptions.events, "output-continue")) {
        emit(callOptions.events, "output-continue", {
          path: eventPath,
          timestamp: clock.now(),
          modelId: next.modelId,
          continuation: n,
          totalChars: text.length,
          finishReason: next.finishReason,
        });
      }
    }
    if (text.length > maxTotalChars) {
      text = cutAt(text, maxTotalChars);
      stoppedBy = "maxTotalChars";
    }
    const continuation: ContinuationTrace = { continuations: pieces.length - 1, pieces };
    if (stoppedBy !== undefined) continuation.stoppedBy = stoppedBy;
    const result: Generation<V> = {
      text,
      finishReason:
        stoppedBy === "maxTotalChars" || stoppedBy === "contextWindow" || stoppedBy === "splitBudget"
          ? "length"
          : last.finishReason,
      usage,
      modelId: last.modelId,
      trace: { continuation },
    };
    // The calls the last piece made end the answer (a cut-off piece is continued, so it made none).
    if (last.toolCalls !== undefined && stoppedBy === undefined) result.toolCalls = last.toolCalls;
    if (pieces.length === 1 && first.verdict !== undefined) result.verdict = first.verdict;
    // As the verdict: a value found in one piece says nothing about the stitched text.
    if (pieces.length === 1 && first.value !== undefined) result.value = first.value;
    return result;
  };

  const id = `continue(${model.id})`;
  const wrapped: StreamingModel<V> = {
    id,
    generate: async (input, given = {}) => {
      const callOptions = withProcessSink(checkCallOptions("continueUntilComplete.generate", given));
      // Raced against the caller's signal: a model that ignores its signal must not go on being called.
      return run(toRequest(`${id}.generate`, input), callOptions, (request, options) =>
        raceAbort(model.generate(request, options), callOptions.signal),
      );
    },
    // The same loop with every piece streamed: the stitched text goes out as it comes, never repeated.
    stream: async function* (input, given) {
      const { mode, ...checked } = checkStreamOptions("continueUntilComplete.stream", given);
      const request = toRequest(`${id}.stream`, input);
      const callOptions = withProcessSink(checked);
      yield* withMode(
        runAsStream(callOptions.signal, async (sink, signal) => {
          const stitched = new StitchedStream(sink, seam, maxTotalChars);
          const result = await run(request, { ...callOptions, signal }, async (next, options, text) => {
            stitched.startPiece(text);
            const generation = await streamCall(model, next, options, (part) => stitched.part(part));
            await stitched.endPiece(generation, model.id);
            return generation;
          });
          await stitched.finish(result);
          return result;
        }),
        mode,
      );
    },
  };
  return model.capabilities === undefined ? wrapped : { ...wrapped, capabilities: { ...model.capabilities } };
}

/** One piece's call: `request` with `options`, after the text stitched so far (`""` for the first). */
type PieceCall<V> = (
  request: GenerateRequest,
  options: CallOptions,
  stitched: string,
) => Promise<Generation<V>>;

/**
 * Cut off, or nothing yet (an empty answer is asked again, unless a content filter produced it or the model
 * called tools instead of writing: that answer is complete).
 */
function needsMore(last: Generation, text: string): boolean {
  if (last.finishReason === "length") return true;
  if (text.trim() !== "" || last.finishReason === "content-filter") return false;
  return last.finishReason !== "tool-calls" && (last.toolCalls?.length ?? 0) === 0;
}

/**
 * The request that continues `partial`. A trailing assistant message in the original request (a prefill)
 * is extended rather than followed, since the model's output continues it.
 */
function continuationRequest(
  request: GenerateRequest,
  partial: string,
  nativeContinue: boolean,
  continuePrompt: string,
): GenerateRequest {
  if (partial === "") return request;
  const messages: Message[] = [...request.messages];
  const tail = messages.at(-1);
  if (tail?.role === "assistant" && (tail.toolCalls?.length ?? 0) === 0)
    messages[messages.length - 1] = {
      ...tail,
      content:
        typeof tail.content === "string"
          ? tail.content + partial
          : [...tail.content, { type: "text", text: partial }],
    };
  else messages.push({ role: "assistant", content: partial });
  if (!nativeContinue) messages.push({ role: "user", content: continuePrompt });
  return { ...request, messages };
}

function piece(index: number, g: Generation, chars: number, overlapRemoved: number): ContinuationPiece {
  const out: ContinuationPiece = { index, chars, overlapRemoved, finishReason: g.finishReason };
  if (g.trace !== undefined) out.trace = g.trace;
  return out;
}

/**
 * The longest tail of `text` (at least one character, never starting inside a surrogate pair) for which
 * `fits` holds, by binary search (a shorter tail renders shorter); `undefined` when not even one fits.
 */
function longestFittingTail(text: string, fits: (tail: string) => boolean): string | undefined {
  const tailOf = (n: number) => {
    const start = text.length - n;
    const code = text.charCodeAt(start);
    return text.slice(code >= 0xdc00 && code <= 0xdfff ? start + 1 : start);
  };
  let low = 0; // the longest length known to fit (0: none yet)
  let high = text.length; // known not to fit
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (fits(tailOf(mid))) low = mid;
    else high = mid;
  }
  if (low === 0) return undefined;
  const tail = tailOf(low);
  return tail === "" ? undefined : tail;
}

/** `text` cut to at most `max` characters, never inside a surrogate pair or a grapheme. */
function cutAt(text: string, max: number): string {
  return text.slice(0, graphemeBoundaryAtOrBefore(text, max));
}
