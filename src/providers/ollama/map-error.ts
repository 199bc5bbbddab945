import { attachCallDetails } from "../../errors/call-details.js";
import { networkErrorCodes, timeoutErrorCodes } from "../../errors/classify.js";
import type { FailureKind } from "../../errors/failure-kind.js";
import { ProviderError } from "../../errors/provider-error.js";
import { redactText } from "../../redact.js";
import { capLine } from "../../text/cap.js";
import { kindForHttpStatus, mentionsContextOverflow, networkCodeOf } from "../http-failure.js";
import { scrubbedError } from "../scrubbed-error.js";
import type { StreamProbe } from "./ndjson-guard.js";

/** Who failed, for messages: `providerId` is the model id, `host` the server without credentials. */
export interface CallSite {
  providerId: string;
  host: string;
  model: string;
  timeoutMs?: number | undefined;
}

/** What to do about each kind, appended to messages ("messages name the fix"). */
const fixes: Partial<Record<FailureKind, (site: CallSite) => string>> = {
  auth: () => "Check the apiKey (or OLLAMA_API_KEY) and the headers for this host.",
  "model-not-found": (site) => `Pull it (\`ollama pull ${site.model}\`) or fix the model name.`,
  "context-overflow": () => "Shorten the prompt, raise options.num_ctx, or wrap the model in treeSplit.",
  "quota-exhausted": () => "The account's usage limit is spent; waiting a few seconds will not help.",
  network: (site) => `Is the Ollama server running and reachable at ${site.host}?`,
};

function providerError(
  site: CallSite,
  kind: FailureKind,
  detail: string,
  extra: { status?: number; body?: string; retryAfterMs?: number; cause?: unknown; partialText: string },
): ProviderError {
  const fix = fixes[kind]?.(site);
  const error = new ProviderError(
    `Ollama ${site.providerId} at ${site.host}: ${detail}${fix ? ` ${fix}` : ""}`,
    {
      kind,
      providerId: site.providerId,
      ...(extra.status === undefined ? {} : { status: extra.status }),
      ...(extra.body === undefined ? {} : { body: extra.body }),
      ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
      ...(extra.cause === undefined ? {} : { cause: scrubbedError(extra.cause) }),
    },
  );
  return extra.partialText.length > 0 ? attachCallDetails(error, { partialText: extra.partialText }) : error;
}

/**
 * Maps whatever one ollama-js call threw to a {@link ProviderError} of the right kind, keeping the text
 * received so far (`partialTextOf`). `ResponseError` is not exported by ollama-js, so it is matched by
 * `name` and `status_code`; its message can be a whole body, so only a capped, scrubbed copy is kept, never
 * the raw error. Errors rungs threw itself (already a `ProviderError`) pass through.
 */
export function mapOllamaError(
  error: unknown,
  probe: StreamProbe,
  site: CallSite,
  partialText: string,
): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  const received = partialText.length > 0 ? ` (${partialText.length} chars received before it; kept)` : "";
  if (probe.timedOut) {
    return providerError(site, "timeout", `no answer within timeoutMs (${site.timeoutMs} ms)${received}.`, {
      partialText,
    });
  }
  if (probe.fault !== undefined) {
    const what =
      probe.fault.reason === "line-too-long"
        ? `a stream line passed the ${probe.fault.chars}-char size cap (maxLineChars) without a newline`
        : `the stream carried a line that is not JSON: ${JSON.stringify(probe.fault.excerpt)}`;
    const error = providerError(site, "server-error", `malformed NDJSON stream: ${what}${received}.`, {
      ...(probe.status === undefined ? {} : { status: probe.status }),
      partialText,
    });
    return attachCallDetails(error, { noTransportRetry: true });
  }
  const { name, status_code: statusCode } = (error ?? {}) as { name?: unknown; status_code?: unknown };
  if (name === "ResponseError" && typeof statusCode === "number") {
    const message = (error as Error).message;
    const kind = kindForHttpStatus(statusCode, message);
    return providerError(site, kind, `HTTP ${statusCode}: ${capMessage(message)}.`, {
      status: statusCode,
      body: probe.errorBody ?? message,
      ...(probe.retryAfterMs === undefined ? {} : { retryAfterMs: probe.retryAfterMs }),
      cause: error,
      partialText,
    });
  }
  if (probe.errorLine !== undefined) {
    const kind = mentionsContextOverflow(probe.errorLine) ? "context-overflow" : "server-error";
    return providerError(site, kind, `error mid-stream: ${capMessage(probe.errorLine)}${received}.`, {
      ...(probe.status === undefined ? {} : { status: probe.status }),
      body: probe.errorLine,
      partialText,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/did not receive done/i.test(message)) {
    return providerError(
      site,
      "network",
      `the stream ended without its final "done" message${received}: the connection closed early.`,
      { cause: error, partialText },
    );
  }
  const code = networkCodeOf(error);
  if (code !== undefined && timeoutErrorCodes.has(code)) {
    return providerError(site, "timeout", `the HTTP client timed out (${code})${received}.`, {
      cause: error,
      partialText,
    });
  }
  if (
    (code !== undefined && networkErrorCodes.has(code)) ||
    (error instanceof TypeError && /fetch failed|terminated|network/i.test(message))
  ) {
    return providerError(site, "network", `network failure (${code ?? message})${received}.`, {
      cause: error,
      partialText,
    });
  }
  if (error instanceof SyntaxError) {
    return providerError(site, "server-error", `the response was not valid JSON${received}.`, {
      cause: error,
      partialText,
    });
  }
  return providerError(site, "server-error", `${capMessage(message)}${received}.`, {
    cause: error,
    partialText,
  });
}

function capMessage(message: string): string {
  // Redact before cutting, so a key at the cut cannot survive as a fragment.
  return capLine(redactText(message), 300);
}
