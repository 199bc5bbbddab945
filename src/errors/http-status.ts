import type { FailureKind } from "./failure-kind.js";

/**
 * Phrases of a 429 that mean a spent quota (billing, plan limits), not throttling: Ollama Cloud's
 * "session/weekly/hourly usage limit" (continuedev/continue#11444, #9233) and OpenAI's `insufficient_quota`.
 * Waiting does not fix these, so they are never transport-retried.
 */
const quotaPattern =
  /usage limit|(?:hourly|daily|weekly|monthly|session) limit|quota|insufficient_quota|billing|credit balance|payment required/i;

/** Phrases of a 400 (or 413) that mean the prompt did not fit the model's window. */
const contextOverflowPattern =
  /context (?:length|window|size)|maximum context|too many tokens|prompt is too long|input (?:length|is too long)|exceeds? (?:the )?(?:context|maximum|max)|num_ctx|token limit|context_length_exceeded/i;

/**
 * The failure kind of an HTTP error status, with the provider's message to tell apart the kinds one
 * status carries (docs/architecture.md, docs/reliability.md):
 * 401/403 → `auth`; 404 → `model-not-found`; 400/413/422 → `context-overflow` when the message says the
 * prompt did not fit, else `invalid-request`; 402 → `quota-exhausted`; 429 → `quota-exhausted` when the
 * message names a usage limit or quota, else `rate-limited`; 408 → `timeout`; 5xx → `server-error`;
 * any other status → `invalid-request`.
 */
export function kindForHttpStatus(status: number, message = ""): FailureKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "model-not-found";
  if (status === 402) return "quota-exhausted";
  if (status === 408) return "timeout";
  if (status === 429) return quotaPattern.test(message) ? "quota-exhausted" : "rate-limited";
  if (status === 400 || status === 413 || status === 422) {
    return contextOverflowPattern.test(message) ? "context-overflow" : "invalid-request";
  }
  if (status >= 500) return "server-error";
  return "invalid-request";
}

/** True when `message` says the prompt did not fit the context window (any status). */
export function mentionsContextOverflow(message: string): boolean {
  return contextOverflowPattern.test(message);
}

/**
 * An HTTP status an error carries (`status`, as openai-node and anthropic-sdk set it, or `statusCode`),
 * 400–599, or `undefined`.
 */
export function httpStatusOf(error: object): number | undefined {
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === "number" ? status : statusCode;
  return typeof value === "number" && Number.isInteger(value) && value >= 400 && value <= 599
    ? value
    : undefined;
}
