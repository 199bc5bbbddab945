// fromAiSdk's stream: the SDK model's `doStream` parts as a rungs leaf's parts (text deltas, complete tool
// calls, one finish), the same on specification v2, v3 and v4, whose stream parts have one shape for these.
import { type Clock, systemClock } from "../clock.js";
import type { ModelStreamFunction, ModelStreamPart } from "../define-model.js";
import { attachCallDetails } from "../errors/call-details.js";
import { ProviderError } from "../errors/provider-error.js";
import type { GenerateRequest } from "../messages.js";
import { type AiSdkContentPart, answerEndOf, mapAiSdkError, toolCallsOf } from "./ai-sdk-result.js";
import { type ResolvedTransportRetryOptions, withTransportRetries } from "./transport-retry.js";

/**
 * One part of an AI SDK model's `doStream` stream, as far as rungs reads it (every version's part fits):
 * `text-delta` (`delta`), `tool-call` (complete, `input` as JSON text), `finish` (`finishReason`, `usage`)
 * and `error` (`error`). Every other part (`stream-start`, `reasoning-*`, `tool-input-*`, `source`, `raw`,
 * `ping`, ...) is passed over.
 */
export interface AiSdkStreamPart {
  /** The part's type. */
  readonly type: string;
  /** `text-delta`: the new text. */
  readonly delta?: unknown;
  /** `tool-call`: the call's id. */
  readonly toolCallId?: string;
  /** `tool-call`: the tool's name. */
  readonly toolName?: string;
  /** `tool-call`: the arguments, JSON-encoded. */
  readonly input?: unknown;
  /** `tool-call`: true when the provider ran the tool itself (not a call for rungs' caller). */
  readonly providerExecuted?: boolean;
  /** `finish`: why the model stopped (v2: a string; v3, v4: `{ unified, raw }`). */
  readonly finishReason?: unknown;
  /** `finish`: tokens (v2: numbers; v3, v4: `{ total, ... }` objects). */
  readonly usage?: unknown;
  /** `error`: what failed. */
  readonly error?: unknown;
}

/** What a `doStream` call resolves to: the stream of parts (request and response details are not read). */
export interface AiSdkStreamResult {
  /** The answer's parts, in order. */
  readonly stream: ReadableStream<AiSdkStreamPart>;
}

/** How fromAiSdk's stream opens and reads a model's stream. */
export interface AiSdkStreamSettings {
  /** The rungs model id (errors, traces). */
  id: string;
  /** Opens the stream: `doStream` with the request's call options and this signal. */
  open(request: GenerateRequest, signal: AbortSignal): PromiseLike<AiSdkStreamResult>;
  /** Most characters of text and tool-call input one answer may stream. */
  maxAnswerChars: number;
  /** Transport retries of opening the stream (429, 5xx, network): nothing has been streamed yet then. */
  retry: ResolvedTransportRetryOptions;
  /** Time source for retry sleeps; else the call's, else the system's. */
  clock: Clock | undefined;
}

/**
 * The stream function of an AI SDK model (defineModel's `stream`). Opening the stream is retried as
 * `generate`'s call is; once parts flow, a failure is the attempt's (no part is sent twice). An `error`
 * part fails the answer as the SDK error it carries (mapAiSdkError); reasoning is passed over, as
 * `generate` leaves it out of the text. Leaving the stream, or the signal firing, cancels the SDK's
 * stream (`reader.cancel`), so the provider's connection is closed.
 * @throws ProviderError (with the text so far kept by the leaf stream); `signal.reason` on abort;
 *   ProviderError (`server-error`) past `maxAnswerChars`.
 */
export function aiSdkStream(settings: AiSdkStreamSettings): ModelStreamFunction {
  const { id, maxAnswerChars } = settings;
  return async function* (request, callOptions): AsyncGenerator<ModelStreamPart> {
    const clock = settings.clock ?? callOptions.clock ?? systemClock;
    const { signal } = callOptions;
    const { value: opened, transportRetries } = await withTransportRetries(
      async () => {
        try {
          return await settings.open(request, signal);
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          throw mapAiSdkError(error, id, clock);
        }
      },
      {
        modelId: id,
        options: settings.retry,
        clock,
        signal,
        events: callOptions.events,
        path: callOptions.path,
      },
    );
    const stream = (opened as { stream?: unknown } | null)?.stream;
    if (!(stream instanceof ReadableStream)) {
      throw new ProviderError(
        `${id}: doStream resolved without a ReadableStream of parts (got ${stream === null ? "null" : typeof stream}).`,
        { kind: "server-error", providerId: id },
      );
    }
    const reader = (stream as ReadableStream<AiSdkStreamPart>).getReader();
    let open = true;
    // A read can hang (a provider that never ends): the signal cancels the stream, which ends the read.
    const cancel = () => {
      if (!open) return;
      open = false;
      reader.cancel(signal.reason).catch(() => {});
    };
    signal.addEventListener("abort", cancel, { once: true });
    // Text and tool-call input so far: a provider that never stops cannot fill memory.
    let chars = 0;
    try {
      for (;;) {
        let step: Awaited<ReturnType<typeof reader.read>>;
        try {
          step = await reader.read();
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          // The stream broke (the connection dropped): nothing to re-send, the text so far is kept.
          throw attachCallDetails(mapAiSdkError(error, id, clock), { noTransportRetry: true });
        }
        if (step.done) {
          if (signal.aborted) throw signal.reason;
          return; // the leaf stream fails an answer without `finish`, its text kept
        }
        const part = step.value as AiSdkStreamPart | null | undefined;
        switch (part?.type) {
          case "text-delta": {
            const delta = part.delta;
            if (typeof delta === "string") {
              chars += delta.length;
              if (chars > maxAnswerChars) throw tooLong(id, maxAnswerChars);
            }
            yield { type: "text-delta", text: delta as string };
            break;
          }
          case "tool-call": {
            const [toolCall] = toolCallsOf([part as AiSdkContentPart]);
            if (toolCall === undefined) break; // run by the provider itself, as generate leaves it out
            chars += typeof part.input === "string" ? part.input.length : 0;
            if (chars > maxAnswerChars) throw tooLong(id, maxAnswerChars);
            yield { type: "tool-call", toolCall };
            break;
          }
          case "error":
            throw attachCallDetails(mapAiSdkError(part.error, id, clock), { noTransportRetry: true });
          case "finish": {
            const end = answerEndOf(part as Parameters<typeof answerEndOf>[0], id);
            yield {
              type: "finish",
              ...end,
              ...(transportRetries.length > 0 ? { trace: { transportRetries } } : {}),
            };
            return;
          }
          default:
            break;
        }
      }
    } finally {
      signal.removeEventListener("abort", cancel);
      cancel();
    }
  };
}

/**
 * The answer passed `maxAnswerChars`: a loud failure, thrown before the part that crossed the cap, so the
 * text kept on the attempt (by the leaf stream) is what came before it.
 */
function tooLong(id: string, cap: number): ProviderError {
  return attachCallDetails(
    new ProviderError(
      `${id}: the streamed answer passed the ${cap}-char cap (maxAnswerChars); reading stopped there, the stream was cancelled and the text before the part that crossed it is kept. Lower maxOutputTokens or raise maxAnswerChars.`,
      { kind: "server-error", providerId: id },
    ),
    { noTransportRetry: true },
  );
}
