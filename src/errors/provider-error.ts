import { redactText } from "../redact.js";
import { capText } from "../text/cap.js";
import type { FailureKind } from "./failure-kind.js";
import { transientKinds } from "./failure-kind.js";
import { RungsError } from "./rungs-error.js";

/** Longest provider error body kept on an error, in characters: bodies can be whole HTML pages. */
export const maxProviderBodyChars = 2_000;

/** Options of {@link ProviderError}'s constructor. */
export interface ProviderErrorOptions {
  /** Normalised failure kind. */
  kind: FailureKind;
  /** The provider and model that failed, e.g. `"ollama:qwen3:8b"`. */
  providerId: string;
  /** HTTP status, when the failure came with one. */
  status?: number;
  /**
   * The provider's error body, truncated to 2,000 characters (`maxProviderBodyChars`) and scrubbed of
   * secrets.
   */
  body?: string;
  /** Server's Retry-After hint in ms, when it sent one. */
  retryAfterMs?: number;
  /** The underlying error (the client's, or fetch's). */
  cause?: unknown;
}

/**
 * A model provider failed: HTTP status, network, timeout, or an error in the stream.
 * `isRetryable` is true for the kinds a transport retry can fix (`rate-limited`, `server-error`,
 * `network`). Messages and bodies are scrubbed of keys before they are stored.
 */
export class ProviderError extends RungsError {
  /** The error's class name, `"ProviderError"`. */
  override name = "ProviderError" as const;
  /** Normalised failure kind (`rate-limited`, `server-error`, `network`, `timeout`, ...). */
  readonly kind: FailureKind;
  /** The provider and model that failed, e.g. `"ollama:qwen3:8b"`. */
  readonly providerId: string;
  /** HTTP status, when the failure came with one. */
  readonly status: number | undefined;
  /** The provider's error body, truncated and scrubbed of secrets. */
  readonly body: string | undefined;
  /** Server's Retry-After hint in ms, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ProviderErrorOptions) {
    super(redactText(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options.kind;
    this.providerId = options.providerId;
    this.status = options.status;
    // Redact before cutting: a key straddling the cut would otherwise survive as an unmatched fragment.
    this.body = options.body === undefined ? undefined : capBody(redactText(options.body));
    this.retryAfterMs = options.retryAfterMs;
  }

  /** True when a transport retry of the same request may succeed. */
  get isRetryable(): boolean {
    return transientKinds.has(this.kind);
  }
}

function capBody(body: string): string {
  return capText(body, maxProviderBodyChars);
}
