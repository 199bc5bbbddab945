import type { Clock } from "../../clock.js";
import { maxProviderBodyChars, ProviderError } from "../../errors/provider-error.js";
import { redactText } from "../../redact.js";
import { capText } from "../../text/cap.js";
import { parseRetryAfterMs } from "../http-failure.js";
import { ndjsonGuard, type StreamProbe } from "./ndjson-guard.js";

/** The `fetch` the ollama client is given for one request. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` for one call of the ollama client. ollama-js takes no per-call signal (ollama-js#274, #131),
 * so this carries the call's `controller` signal into every request it makes (and links the client's own
 * stream signal to it, so `stream.abort()` stops the request too). It also:
 * - notes the status and `Retry-After` (the client drops headers), and replaces an error body with a
 *   capped `{"error"}` JSON, so the client neither reads an unbounded body nor logs to the console;
 * - passes a 2xx body through {@link ndjsonGuard}.
 */
export function guardedFetch(
  base: FetchFunction,
  controller: AbortController,
  probe: StreamProbe,
  limits: { maxLineChars: number; clock: Clock },
): FetchFunction {
  return async (input, init = {}) => {
    const own = init.signal;
    if (own !== undefined && own !== null) {
      if (own.aborted) controller.abort(own.reason);
      else own.addEventListener("abort", () => controller.abort(own.reason), { once: true });
    }
    const response = await fetchFollowingSameOrigin(base, input, { ...init, signal: controller.signal });
    probe.status = response.status;
    if (!response.ok) {
      const retryAfterMs = parseRetryAfterMs(
        {
          retryAfter: response.headers.get("retry-after"),
          retryAfterMs: response.headers.get("retry-after-ms"),
        },
        limits.clock.now(),
      );
      if (retryAfterMs !== undefined) probe.retryAfterMs = retryAfterMs;
      // Read a margin past the cap: ProviderError redacts before it cuts, so a key at the cut is still masked.
      const body = await readCapped(response, maxProviderBodyChars + 512);
      probe.errorBody = body;
      return new Response(JSON.stringify({ error: errorMessageOf(body) || `HTTP ${response.status}` }), {
        status: response.status,
        headers: { "content-type": "application/json" },
      });
    }
    if (response.body === null) return response;
    return new Response(response.body.pipeThrough(ndjsonGuard(probe, limits.maxLineChars)), {
      status: response.status,
      headers: response.headers,
    });
  };
}

/** Most redirects followed within one origin. */
const maxRedirects = 5;

/**
 * Fetches with redirects handled here, not by `fetch`: one within the same origin is followed (up to
 * {@link maxRedirects}); one to another origin is refused, since the request carries credentials
 * (`Authorization`, `x-api-key`, …) that must never reach another origin, and that origin's answer must not
 * pass as the model's.
 * @throws ProviderError (`invalid-request`) for a redirect to another origin or too many redirects.
 */
async function fetchFollowingSameOrigin(
  base: FetchFunction,
  input: string | URL | Request,
  init: RequestInit,
): Promise<Response> {
  let url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  let request = init;
  for (let hop = 0; ; hop++) {
    const response = await base(hop === 0 ? input : url.href, { ...request, redirect: "manual" });
    const location =
      response.status >= 300 && response.status < 400 ? response.headers.get("location") : null;
    if (location === null) return response;
    response.body?.cancel().catch(() => {});
    const next = new URL(location, url);
    if (next.origin !== url.origin || hop >= maxRedirects) {
      throw new ProviderError(
        next.origin !== url.origin
          ? `Ollama at ${redactText(url.origin)} redirected to another origin (${redactText(next.origin)}); rungs does not follow it, since the request carries credentials. Set host to the server that answers.`
          : `Ollama at ${redactText(url.origin)} redirected more than ${maxRedirects} times.`,
        { kind: "invalid-request", providerId: redactText(url.origin), status: response.status },
      );
    }
    // 303 (and 301/302 after a POST, as fetch does) continue as a GET without a body.
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && request.method === "POST")
    ) {
      const { body: _body, ...rest } = request;
      request = { ...rest, method: "GET" };
    }
    url = next;
  }
}

/** Reads at most `maxChars` of a body, then cancels the rest (error bodies can be whole HTML pages). */
async function readCapped(response: Response, maxChars: number): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length <= maxChars) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      text += decoder.decode(value, { stream: true });
    }
    return capText(text, maxChars);
  } catch {
    return text;
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Ollama's JSON error field, or the body itself when it is not JSON. */
function errorMessageOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null) {
      const { error } = parsed as { error?: unknown };
      if (typeof error === "string") return error;
      if (
        typeof error === "object" &&
        error !== null &&
        typeof (error as { message?: unknown }).message === "string"
      ) {
        return (error as { message: string }).message;
      }
    }
  } catch {
    // not JSON: the text is the message
  }
  return body.trim();
}
