import { httpStatusOf } from "../errors/http-status.js";
import { ProviderError } from "../errors/provider-error.js";
import { RungsError } from "../errors/rungs-error.js";
import { kindForHttpStatus, parseRetryAfterMs } from "./http-failure.js";
import { scrubbedError } from "./scrubbed-error.js";

type HeaderSource = { get?: (name: string) => unknown } | Record<string, unknown> | undefined;

/** A header from a fetch `Headers`-like object (`get`) or a plain record (any case), as a string. */
function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  if (typeof headers.get === "function") {
    const value = (headers.get as (n: string) => unknown).call(headers, name);
    return typeof value === "string" ? value : undefined;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return typeof value === "string" ? value : undefined;
  }
  return undefined;
}

/**
 * Maps an error a wrapped function threw to a {@link ProviderError} when it carries an HTTP status
 * (`status` or `statusCode`, 400–599), with the same kinds as the HTTP providers (`kindForHttpStatus`) and
 * the server's `Retry-After` / `retry-after-ms` (from `headers` or `response.headers`). The raw error is
 * kept only as a scrubbed copy (SDK errors can echo request headers). Any other error is returned as is.
 */
export function mapFunctionError(error: unknown, providerId: string, now: number): unknown {
  if (typeof error !== "object" || error === null || RungsError.isInstance(error)) return error;
  const status = httpStatusOf(error);
  if (status === undefined) return error;
  const message = error instanceof Error ? error.message : String(error);
  const { headers, response } = error as { headers?: HeaderSource; response?: { headers?: HeaderSource } };
  const source = headers ?? response?.headers;
  const retryAfterMs = parseRetryAfterMs(
    { retryAfter: header(source, "retry-after"), retryAfterMs: header(source, "retry-after-ms") },
    now,
  );
  return new ProviderError(`${providerId}: HTTP ${status}: ${message}`, {
    kind: kindForHttpStatus(status, message),
    providerId,
    status,
    cause: scrubbedError(error),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
