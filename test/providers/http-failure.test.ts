import { describe, expect, it } from "vitest";
import { kindForHttpStatus, networkCodeOf, parseRetryAfterMs } from "../../src/providers/http-failure.js";
import { scrubbedError } from "../../src/providers/scrubbed-error.js";

describe("kindForHttpStatus", () => {
  it.each([
    [401, "", "auth"],
    [403, "forbidden", "auth"],
    [404, "model 'x' not found", "model-not-found"],
    [400, "invalid character in JSON", "invalid-request"],
    [400, "input length exceeds the context length", "context-overflow"],
    [400, "This model's maximum context length is 8192 tokens", "context-overflow"],
    [413, "prompt is too long", "context-overflow"],
    [402, "payment required", "quota-exhausted"],
    [429, "too many requests", "rate-limited"],
    [429, "you have reached your weekly usage limit", "quota-exhausted"],
    [429, "session usage limit reached", "quota-exhausted"],
    [429, '{"error":{"code":"insufficient_quota"}}', "quota-exhausted"],
    [408, "", "timeout"],
    [500, "", "server-error"],
    [502, "bad gateway", "server-error"],
    [418, "teapot", "invalid-request"],
  ] as const)("%i %j → %s", (status, message, kind) => {
    expect(kindForHttpStatus(status, message)).toBe(kind);
  });
});

describe("parseRetryAfterMs", () => {
  it("reads seconds, retry-after-ms and HTTP dates, and ignores garbage", () => {
    expect(parseRetryAfterMs({ retryAfter: "2" }, 0)).toBe(2_000);
    expect(parseRetryAfterMs({ retryAfter: "1.5" }, 0)).toBe(1_500);
    expect(parseRetryAfterMs({ retryAfterMs: "250", retryAfter: "9" }, 0)).toBe(250);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfterMs({ retryAfter: "Thu, 01 Jan 2026 00:00:30 GMT" }, now)).toBe(30_000);
    expect(parseRetryAfterMs({ retryAfter: "Wed, 31 Dec 2025 00:00:00 GMT" }, now)).toBe(0);
    expect(parseRetryAfterMs({ retryAfter: "soon" }, 0)).toBeUndefined();
    expect(parseRetryAfterMs({ retryAfter: null }, 0)).toBeUndefined();
  });
});

describe("networkCodeOf and scrubbedError", () => {
  it("finds the socket code beneath fetch's TypeError", () => {
    const socket = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    expect(networkCodeOf(new TypeError("fetch failed", { cause: socket }))).toBe("UND_ERR_SOCKET");
    expect(networkCodeOf(new Error("plain"))).toBeUndefined();
  });

  it("copies name, code and the cause chain with every key scrubbed", () => {
    const inner = Object.assign(
      new Error("GET https://api.example/v1?key=AIzaSyA-1234567890abcdefghij failed"),
      {
        code: "ECONNRESET",
      },
    );
    const outer = new TypeError("Bearer sk-abcdefghijklmnop rejected", { cause: inner });
    const copy = scrubbedError(outer);
    expect(copy).not.toBe(outer);
    expect(copy.name).toBe("TypeError");
    expect(copy.message).toBe("Bearer *** rejected");
    const cause = copy.cause as Error & { code?: string };
    expect(cause.code).toBe("ECONNRESET");
    expect(cause.message).not.toContain("AIza");
    expect(cause.cause).toBeUndefined();
  });
});
