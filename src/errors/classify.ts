import type { FailureKind } from "./failure-kind.js";
import { httpStatusOf, kindForHttpStatus } from "./http-status.js";
import { RungsError } from "./rungs-error.js";

/**
 * The failure kind of a thrown error (docs/architecture.md):
 * - the caller's abort (`signal.reason`, or an `AbortError` once the caller's signal has aborted) →
 *   `aborted`. Only the caller's own abort: an `AbortError` while the caller's signal has not aborted
 *   came from someone else's controller (a wrapper's own time limit) and is a `timeout`, which counts
 *   against the breaker as the failure it is;
 * - a `TimeoutError` DOMException → `timeout`;
 * - a rungs error with a `kind` (ProviderError) → that kind;
 * - an `ExhaustedError` from a nested primitive → the kind of its last attempt;
 * - an error carrying an HTTP `status` or `statusCode` (400–599, as SDK errors do) → the kind the HTTP
 *   providers give that status (`kindForHttpStatus`: 401 `auth`, 429 `rate-limited`, ...), whichever model
 *   threw it: `fromFunction`, `defineModel` or a hand-written `Model`;
 * - Node network codes (ECONNRESET, ECONNREFUSED, ...) and fetch's `TypeError: fetch failed` → `network`;
 * - socket and undici header/body timeouts (ETIMEDOUT, UND_ERR_HEADERS_TIMEOUT, ...) → `timeout`;
 * - anything else → `server-error` (an unknown failure of the model call).
 */
export function failureKindOf(error: unknown, signal?: AbortSignal): FailureKind {
  if (signal?.aborted && error === signal.reason) return "aborted";
  if (typeof error === "object" && error !== null) {
    const { name, kind, code, attempts } = error as {
      name?: unknown;
      kind?: unknown;
      code?: unknown;
      attempts?: unknown;
    };
    if (RungsError.isInstance(error)) {
      if (typeof kind === "string") return kind as FailureKind;
      if (Array.isArray(attempts)) {
        const last = attempts[attempts.length - 1] as { kind?: FailureKind } | undefined;
        if (last?.kind !== undefined) return last.kind;
      }
    }
    if (name === "AbortError") return signal?.aborted ? "aborted" : "timeout";
    const status = httpStatusOf(error);
    if (status !== undefined) return kindForHttpStatus(status, error instanceof Error ? error.message : "");
    if (name === "TimeoutError") return "timeout";
    if (typeof code === "string" && networkErrorCodes.has(code)) return "network";
    if (typeof code === "string" && timeoutErrorCodes.has(code)) return "timeout";
    if (name === "TypeError" && (error as Error).message === "fetch failed") return "network";
  }
  return "server-error";
}

/** Node and undici error codes of a connection that failed or broke: transport retries may fix them. */
export const networkErrorCodes: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** Node and undici error codes of a socket or header/body timeout. */
export const timeoutErrorCodes: ReadonlySet<string> = new Set([
  "ETIMEDOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
