// What an AI SDK model's answer means to rungs, in every specification version: a `doGenerate` result or a
// `doStream` finish part as a generation, its tool calls, and the SDK's errors as ProviderErrors.
import { type Clock, systemClock } from "../clock.js";
import { attachCallDetails } from "../errors/call-details.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { ProviderError } from "../errors/provider-error.js";
import type { ToolCall } from "../messages.js";
import type { FinishReason, GenerationInput } from "../model.js";
import { capLine } from "../text/cap.js";
import type { Usage } from "../trace.js";
import { kindForHttpStatus, networkCodeOf, parseRetryAfterMs } from "./http-failure.js";
import { scrubbedError } from "./scrubbed-error.js";

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

/** What an answer says at its end: a `doGenerate` result, or a `doStream` `finish` part. */
export type AiSdkAnswerEnd = Pick<AiSdkGenerateResult, "finishReason" | "usage">;

/** One output part of an answer: what rungs reads of a `tool-call` part. */
export type AiSdkContentPart = AiSdkGenerateResult["content"][number];

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
  const end = answerEndOf(result, providerId, text);
  const toolCalls = toolCallsOf(result.content);
  const generation: GenerationInput = { text, ...end };
  if (toolCalls.length > 0) generation.toolCalls = toolCalls;
  return generation;
}

/**
 * The finish reason (one to one; `unknown` and anything else is `other`) and usage (`inputTokens` /
 * `outputTokens`, numbers in v2, `{ total }` in v3 and v4; anything else left out) of an answer's end.
 * @param text the answer so far, kept on the error of an interrupted answer; left out, the caller keeps it.
 * @throws ProviderError (`server-error`) for a v4 `interrupted` answer.
 */
export function answerEndOf(
  end: AiSdkAnswerEnd,
  providerId: string,
  text?: string,
): { finishReason: FinishReason; usage: Usage } {
  const finish = end.finishReason as unknown;
  const reason =
    typeof finish === "string" ? finish : (finish as { unified?: unknown } | null | undefined)?.unified;
  // v4: the provider's stream ended without a completion signal. Never taken as success (as an Ollama
  // stream without its final message): the text so far stays on the error.
  if (reason === "interrupted") {
    throw attachCallDetails(
      new ProviderError(
        `${providerId}: the answer was interrupted (the provider's stream ended without a completion signal); it may be incomplete, so it is not taken as success.`,
        { kind: "server-error", providerId },
      ),
      text === undefined ? {} : { partialText: text },
    );
  }
  const usage: Usage = {};
  const input = tokens(end.usage?.inputTokens);
  const output = tokens(end.usage?.outputTokens);
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  return { finishReason: (typeof reason === "string" ? finishReasons[reason] : undefined) ?? "other", usage };
}

/**
 * The calls for the caller to run: tool-call parts the provider did not execute itself. `input` is parsed
 * JSON; input that is not JSON is kept as its text, for the rubric (`validToolCalls`) to refuse.
 */
export function toolCallsOf(content: readonly AiSdkContentPart[]): ToolCall[] {
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

function tokens(value: unknown): number | undefined {
  const count = typeof value === "number" ? value : (value as { total?: unknown } | null | undefined)?.total;
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

/** Characters of a non-Error failure (a stream's `error` part: the provider's JSON) kept in a message. */
const maxDescribedChars = 300;

/**
 * Maps an AI SDK error to a {@link ProviderError}: `APICallError` (matched by name, so any copy of the SDK
 * works) by `statusCode` and body, with `Retry-After`; no status means the request never got an answer
 * (`network`). The `error` of a stream's `error` part is often the provider's JSON error object: its
 * `message`, else the JSON itself (cut at 300 chars), becomes the message. The raw error is never kept as
 * `cause` (its `url` and request body can carry keys): only a scrubbed copy.
 */
export function mapAiSdkError(error: unknown, providerId: string, clock: Clock = systemClock): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  const { name, statusCode, responseBody, responseHeaders, isRetryable } = (
    typeof error === "object" && error !== null ? error : {}
  ) as {
    name?: unknown;
    statusCode?: unknown;
    responseBody?: unknown;
    responseHeaders?: Record<string, string> | undefined;
    isRetryable?: unknown;
  };
  const message = messageOf(error);
  const body = typeof responseBody === "string" ? responseBody : undefined;
  const cause = scrubbedError(error instanceof Error ? error : message);
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

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return excerpt(error);
  const inner = (error as { message?: unknown } | null | undefined)?.message;
  if (typeof inner === "string") return excerpt(inner);
  let json: string | undefined;
  try {
    json = JSON.stringify(error);
  } catch {
    json = undefined;
  }
  return excerpt(json ?? String(error));
}

/** One line of at most 300 chars; a long text is sliced first, so a huge one costs no more than a short one. */
function excerpt(text: string): string {
  return capLine(
    text.length > 4 * maxDescribedChars ? text.slice(0, 4 * maxDescribedChars) : text,
    maxDescribedChars,
  );
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}
