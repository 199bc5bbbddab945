// The status classifier is core (errors/http-status.ts): every model, wrapped or hand-written, is classified the same way.
export { kindForHttpStatus, mentionsContextOverflow } from "../errors/http-status.js";
export { networkCodeOf } from "../errors/network-code.js";

/**
 * A `Retry-After` (seconds or an HTTP-date) or `retry-after-ms` header value in ms, or `undefined` when it
 * is absent or unreadable. A date in the past is 0.
 * @param now ms since the epoch, from the injected clock, to turn an HTTP-date into a delay.
 */
export function parseRetryAfterMs(
  headers: { retryAfter?: string | null | undefined; retryAfterMs?: string | null | undefined },
  now: number,
): number | undefined {
  const ms = headers.retryAfterMs?.trim();
  if (ms !== undefined && ms !== "" && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = headers.retryAfter?.trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
