import { childController, sequentialRacer, throwIfAborted } from "../abort.js";
import { systemClock } from "../clock.js";
import { attachCallDetails, partialTextOf } from "../errors/call-details.js";
import { ProviderError } from "../errors/provider-error.js";
import { emit, listening } from "../events.js";
import type { GenerateRequest, ToolCall } from "../messages.js";
import { type CallOptions, type Generation, normalizeGeneration, type StreamPart } from "../model.js";
import type { TextDeltaPart, ToolCallPart } from "./delta-parts.js";
import { macrotask } from "./macrotask.js";

/** A part as a leaf's stream function yields it (checked here: it comes from the wire). */
interface RawPart {
  type?: unknown;
  text?: unknown;
  toolCall?: unknown;
  [key: string]: unknown;
}

/** Parts between two turns of the event loop (see the loop). */
const yieldEvery = 256;

/** Why a leaf's signal fires when its consumer leaves the stream early (an early stop, a `break`). */
function closedReason(): DOMException {
  return new DOMException("The stream was closed by its consumer.", "AbortError");
}

/**
 * A leaf model's stream (defineModel with `stream`): draws one call from the shared budget, follows the
 * caller's signal and the budget's deadline (each `next()` is raced, so a stalled provider cannot hold the
 * caller), checks every part, reports each delta (`output-stream`), and ends with the checked generation.
 * A stream left early has its provider's iterator returned and its signal aborted, and books one output
 * token per delta received (the provider's own count comes only with its final chunk).
 * @throws ProviderError (`server-error`) for a malformed part or a stream that ends without `finish`, with the
 *   partial text kept; `signal.reason` on abort; `BudgetExhaustedError` (`deadline`) at the budget's deadline.
 */
export async function* leafStream(
  id: string,
  request: GenerateRequest,
  options: CallOptions,
  streamFn: (
    request: GenerateRequest,
    options: CallOptions & { signal: AbortSignal },
  ) => AsyncIterable<unknown>,
  finish: (raw: unknown) => Generation,
  maxAnswerChars = Number.POSITIVE_INFINITY,
): AsyncGenerator<StreamPart> {
  const { signal, budget, events } = options;
  throwIfAborted(signal);
  budget?.drawCall();
  const child = childController(signal);
  const inner = child.controller.signal;
  const racer = sequentialRacer(inner);
  let deadline: unknown;
  if (budget !== undefined && Number.isFinite(budget.deadlineAt)) {
    deadline = budget.clock.setTimeout(
      () => child.controller.abort(budget.error("deadline")),
      Math.max(0, budget.remainingMs()),
    );
  }
  const clock = options.clock ?? systemClock;
  const path = options.path ?? "";
  let text = "";
  let deltas = 0;
  // Text and tool-call inputs, against maxAnswerChars.
  let answerChars = 0;
  const toolCalls: ToolCall[] = [];
  let finished = false;
  // One `output-stream` event per part, made only when someone listens.
  const report = (part: TextDeltaPart | ToolCallPart, chars: number): void => {
    if (listening(events, "output-stream"))
      emit(events, "output-stream", { path, timestamp: clock.now(), modelId: id, part, chars });
  };
  let iterator: AsyncIterator<unknown> | undefined;
  let released = false;
  // Frees what the call holds: the deadline timer, the provider's stream, the listeners. Run before `finish`
  // is yielded, since a reader may stop there without ever closing this stream, and again (a no-op) at its end.
  const release = (): void => {
    if (released) return;
    released = true;
    if (deadline !== undefined) budget?.clock.clearTimeout(deadline);
    // Closes the provider's stream; never awaited, so a provider that hangs on close cannot hold the caller.
    if (iterator?.return !== undefined) {
      const open = iterator;
      Promise.resolve()
        .then(() => open.return?.())
        .catch(() => {});
    }
    racer.dispose();
    child.dispose();
  };
  try {
    iterator = streamFn(request, { ...options, signal: inner })[Symbol.asyncIterator]();
    for (let parts = 1; ; parts++) {
      // A stream that never waits on I/O (an in-memory generator) would starve timers: every so often, let
      // them run, so the attempt's time limit and the deadline still hold.
      if (parts % yieldEvery === 0) await macrotask();
      const step = await racer.race(iterator.next());
      if (step.done === true) {
        throw attachCallDetails(
          new ProviderError(
            `Model "${id}"'s stream ended without a finish part, after ${text.length} chars: the answer may be cut off, so it is not used.`,
            { kind: "server-error", providerId: id },
          ),
          { partialText: text, noTransportRetry: true },
        );
      }
      const part = (typeof step.value === "object" && step.value !== null ? step.value : {}) as RawPart;
      if (part.type === "text-delta") {
        if (typeof part.text !== "string")
          throw malformedPart(id, "a text-delta without a string text", text);
        if (part.text.length === 0) continue;
        answerChars += part.text.length;
        if (answerChars > maxAnswerChars) throw overCap(id, maxAnswerChars, text);
        text += part.text;
        deltas += 1;
        const delta: TextDeltaPart = { type: "text-delta", text: part.text };
        report(delta, text.length);
        yield delta;
      } else if (part.type === "tool-call") {
        // Checked as a generation's tool calls are, before anyone sees it.
        const [toolCall] = normalizeGeneration({ text: "", toolCalls: [part.toolCall] }, id).toolCalls ?? [];
        if (toolCall === undefined) throw malformedPart(id, "an empty tool-call", text);
        answerChars += (JSON.stringify(toolCall.input) ?? "").length + toolCall.name.length;
        if (answerChars > maxAnswerChars) throw overCap(id, maxAnswerChars, text);
        toolCalls.push(toolCall);
        const call: ToolCallPart = { type: "tool-call", toolCall };
        report(call, text.length);
        yield call;
      } else if (part.type === "finish") {
        const { type: _type, text: _text, toolCalls: _calls, ...rest } = part;
        const generation = finish(toolCalls.length > 0 ? { ...rest, text, toolCalls } : { ...rest, text });
        finished = true;
        release();
        yield { type: "finish", generation };
        return;
      } else {
        throw malformedPart(
          id,
          `a part of type ${typeof part.type === "string" ? JSON.stringify(part.type.slice(0, 40)) : typeof part.type}`,
          text,
        );
      }
    }
  } catch (error) {
    if (inner.aborted && error === inner.reason)
      throw signal?.aborted === true ? signal.reason : inner.reason;
    // Nothing is lost: the text received before the failure stays on the attempt's record.
    if (text.length > 0 && partialTextOf(error) === undefined)
      attachCallDetails(error, { partialText: text });
    throw error;
  } finally {
    if (!finished) {
      if (!inner.aborted) child.controller.abort(closedReason());
      if (deltas > 0) budget?.recordUsage({ outputTokens: deltas });
    }
    release();
  }
}

function overCap(id: string, maxAnswerChars: number, text: string): ProviderError {
  return attachCallDetails(
    new ProviderError(
      `Model "${id}" streamed more than maxAnswerChars (${maxAnswerChars} chars); the stream was cancelled there. Raise defineModel's maxAnswerChars if answers this long are expected, or ask for a shorter answer (maxOutputTokens).`,
      { kind: "server-error", providerId: id },
    ),
    { partialText: text, noTransportRetry: true },
  );
}

function malformedPart(id: string, what: string, text: string): ProviderError {
  return attachCallDetails(
    new ProviderError(
      `Model "${id}"'s stream sent ${what}; expected text-delta, tool-call or finish parts.`,
      { kind: "server-error", providerId: id },
    ),
    { partialText: text, noTransportRetry: true },
  );
}
