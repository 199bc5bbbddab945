import { describe, expect, it, vi } from "vitest";
import {
  BlockedTaskError,
  ExhaustedError,
  failureKindOf,
  InvalidArgumentError,
  ProviderError,
  RungsError,
} from "../src/index.js";

describe("RungsError.isInstance", () => {
  it("matches its own class and subclasses, and nothing else", () => {
    const provider = new ProviderError("rate limited", {
      kind: "rate-limited",
      providerId: "p",
      status: 429,
    });
    expect(RungsError.isInstance(provider)).toBe(true);
    expect(ProviderError.isInstance(provider)).toBe(true);
    expect(ExhaustedError.isInstance(provider)).toBe(false);
    expect(RungsError.isInstance(new Error("plain"))).toBe(false);
    expect(RungsError.isInstance(null)).toBe(false);
  });

  it("works across two loaded copies of the package, where instanceof does not", async () => {
    vi.resetModules();
    // A query string makes the loader evaluate the module again: a second copy, as ESM + CJS would give.
    const secondCopy = "../src/errors/index.js?copy=2";
    const copy = (await import(/* @vite-ignore */ secondCopy)) as typeof import("../src/errors/index.js");
    const foreign = new copy.ExhaustedError({ limit: "maxAttempts", attempts: [] });
    expect(foreign instanceof ExhaustedError).toBe(false);
    expect(ExhaustedError.isInstance(foreign)).toBe(true);
    expect(RungsError.isInstance(foreign)).toBe(true);
    expect(BlockedTaskError.isInstance(foreign)).toBe(false);
  });
});

describe("ProviderError", () => {
  it("is retryable only for transient kinds", () => {
    const make = (kind: ProviderError["kind"]) => new ProviderError("x", { kind, providerId: "p" });
    expect(make("rate-limited").isRetryable).toBe(true);
    expect(make("server-error").isRetryable).toBe(true);
    expect(make("network").isRetryable).toBe(true);
    expect(make("auth").isRetryable).toBe(false);
    expect(make("quota-exhausted").isRetryable).toBe(false);
  });

  it("truncates and scrubs the body and message", () => {
    const error = new ProviderError("failed for https://user:hunter2@host/?key=SECRETKEY123", {
      kind: "server-error",
      providerId: "p",
      body: `Bearer abcdefghijkl ${"y".repeat(5000)}`,
    });
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("SECRETKEY123");
    expect(error.body).not.toContain("abcdefghijkl");
    expect(error.body?.length).toBeLessThan(2100);
  });

  it("masks a key that straddles the body cap", () => {
    const key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";
    const body = `${"x".repeat(1990)} ${key} trailing`;
    const error = new ProviderError("bad", { kind: "auth", providerId: "p", body });
    expect(error.body).not.toContain("sk-proj-abc");
    expect(error.body).toContain("***");
  });
});

describe("ExhaustedError", () => {
  it("carries its attempts, the last attempt and the limit", () => {
    const attempt = {
      index: 1,
      rung: 0,
      modelId: "m",
      path: "retry",
      accepted: false,
      kind: "empty" as const,
      text: "",
      usage: {},
      startedAt: 0,
      endedAt: 1,
      feedbackChars: 0,
      promptChars: 10,
    };
    const error = new ExhaustedError({ limit: "maxAttempts", attempts: [attempt] });
    expect(error.lastAttempt).toBe(attempt);
    expect(error.message).toMatch(/maxAttempts/);
  });
});

describe("failureKindOf", () => {
  it("classifies aborts, provider errors, nested exhaustion and network codes", () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    expect(failureKindOf(controller.signal.reason, controller.signal)).toBe("aborted");
    expect(failureKindOf(new ProviderError("x", { kind: "auth", providerId: "p", status: 401 }))).toBe(
      "auth",
    );
    expect(
      failureKindOf(
        new ExhaustedError({
          limit: "maxAttempts",
          attempts: [
            {
              index: 1,
              rung: 0,
              modelId: "m",
              path: "",
              accepted: false,
              kind: "truncated",
              text: "",
              usage: {},
              startedAt: 0,
              endedAt: 0,
              feedbackChars: 0,
              promptChars: 0,
            },
          ],
        }),
      ),
    ).toBe("truncated");
    expect(failureKindOf(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe("network");
    expect(failureKindOf(new TypeError("fetch failed"))).toBe("network");
    expect(failureKindOf(Object.assign(new Error("slow socket"), { code: "ETIMEDOUT" }))).toBe("timeout");
    expect(failureKindOf(Object.assign(new Error("closed"), { code: "UND_ERR_CLOSED" }))).toBe("network");
    expect(failureKindOf(new Error("anything"))).toBe("server-error");
  });
});

describe("InvalidArgumentError", () => {
  it("names the parameter and keeps the value", () => {
    const error = new InvalidArgumentError({ parameter: "maxAttempts", value: 0.5, message: "bad" });
    expect(error.parameter).toBe("maxAttempts");
    expect(error.value).toBe(0.5);
    expect(RungsError.isInstance(error)).toBe(true);
  });
});

// Error messages quote what came from outside and are printed to terminals: the base class escapes control
// characters once, for every error rungs throws. Its subjects are found, not listed: every error class any
// entry exports.
describe("every rungs error escapes control characters in its message", () => {
  it("escapes ESC, BEL and bidirectional overrides, and keeps newlines", () => {
    const hostile = "model\u001b[2J\u0007\u202e x\nnext line";
    for (const error of [
      new RungsError(hostile),
      new BlockedTaskError(hostile, 0),
      new ProviderError(hostile, { kind: "server-error", providerId: hostile }),
      new InvalidArgumentError({ parameter: "p", value: 1, message: hostile }),
      new ExhaustedError({ limit: "maxAttempts", attempts: [], message: hostile }),
    ]) {
      for (const c of ["\u001b", "\u0007", "\u202e"]) expect(error.message).not.toContain(c);
      expect(error.message).toContain("\\u001b[2J\\u0007\\u202e x\nnext line");
    }
  });

  it("every error class of every entry goes through RungsError's constructor", async () => {
    const entries = await Promise.all([
      import("../src/index.js"),
      import("../src/testing/index.js"),
      import("../src/config/index.js"),
      import("../src/redis/index.js"),
      import("../src/providers/ollama/index.js"),
      import("../src/providers/ai-sdk.js"),
      import("../src/otel/index.js"),
      import("../src/rubric/ifeval/index.js"),
    ]);
    const classes = entries.flatMap((entry) =>
      Object.entries(entry).filter(
        ([name, value]) =>
          typeof value === "function" && /Error$/.test(name) && value.prototype instanceof Error,
      ),
    );
    expect(classes.length).toBeGreaterThanOrEqual(12);
    // By name along the prototype chain: an entry may load its own copy of a module.
    const chain = (value: unknown): string[] => {
      const names: string[] = [];
      for (
        let c = value as { name?: string } | null;
        c !== null && c !== Function.prototype;
        c = Object.getPrototypeOf(c)
      ) {
        names.push(String(c.name));
      }
      return names;
    };
    for (const [name, value] of classes) expect(chain(value), name).toContain("RungsError");
  });
});
