// Issue "composition that holds", problem 6: a bug in the caller's own code stops the run at once with the
// original error as cause; an error carrying an HTTP status gets the kind the HTTP providers give it.
import { describe, expect, it } from "vitest";
import {
  CallerCodeError,
  defineRubric,
  escalateAcross,
  fromFunction,
  ProviderError,
  predicate,
  retryWithContext,
  treeSplit,
} from "../../src/index.js";
import { scriptedModel } from "../../src/testing/index.js";
import { ask, containsOk } from "./helpers.js";

describe("errors the caller's code throws (problem 6)", () => {
  it("a TypeError inside a fromFunction function is called once, and rethrown as the cause with its stack", async () => {
    let calls = 0;
    const buggy = fromFunction("buggy", async () => {
      calls += 1;
      const config = undefined as unknown as { model: string };
      return config.model;
    });
    const error = await retryWithContext(buggy, { maxAttempts: 6 })
      .generate(ask("t"))
      .catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(CallerCodeError.isInstance(error)).toBe(true);
    const cause = (error as CallerCodeError).cause as Error;
    expect(cause).toBeInstanceOf(TypeError);
    expect(cause.stack).toContain("caller-bugs.test.ts");
    expect((error as CallerCodeError).origin).toBe("model");
    expect((error as Error).message).toContain('model "buggy"');
  });

  it("stops the ladder: no other rung is called", async () => {
    const buggy = fromFunction("buggy", async () => {
      throw new ReferenceError("client is not defined");
    });
    const other = scriptedModel("other", ["ok"]);
    const error = await escalateAcross([buggy, other], { rubric: containsOk })
      .generate(ask("t"))
      .catch((e: unknown) => e);
    expect(CallerCodeError.isInstance(error)).toBe(true);
    expect(other.calls).toHaveLength(0);
  });

  it("a rule or a skip function that throws a TypeError fails the run at once", async () => {
    const rubric = defineRubric({
      id: "r",
      rules: [predicate("reads", (t) => (JSON.parse("{}") as { a: { b: string } }).a.b === t)],
    });
    const model = scriptedModel("m", ["x", "y"]);
    const ruleError = await retryWithContext(model, { rubric })
      .generate(ask("t"))
      .catch((e: unknown) => e);
    expect(CallerCodeError.isInstance(ruleError)).toBe(true);
    expect((ruleError as CallerCodeError).ruleId).toBe("reads");
    expect((ruleError as CallerCodeError).cause).toBeInstanceOf(TypeError);
    expect(model.calls).toHaveLength(1);

    const skipped = scriptedModel("s", ["ok"]);
    const skipError = await escalateAcross([
      {
        model: skipped,
        skip: () => {
          throw new RangeError("bad index");
        },
      },
    ])
      .generate(ask("t"))
      .catch((e: unknown) => e);
    expect((skipError as CallerCodeError).origin).toBe("skip");
    expect((skipError as CallerCodeError).cause).toBeInstanceOf(RangeError);
  });

  it("is never skipped as a shard gap under treeSplit", async () => {
    const buggy = fromFunction("buggy", async () => {
      throw new TypeError("x is not a function");
    });
    const split = treeSplit(retryWithContext(buggy), { promptLimit: { chars: 1_200 }, onShardError: "skip" });
    const error = await split
      .generate({ ...ask("t"), context: ["word ".repeat(400)] })
      .catch((e: unknown) => e);
    expect(CallerCodeError.isInstance(error)).toBe(true);
  });

  it("fetch failed and JSON parse errors stay provider failures", async () => {
    const flaky = fromFunction("flaky", async () => {
      throw new TypeError("fetch failed");
    });
    const html = fromFunction("html", async () => JSON.parse("<html>") as string);
    const fine = scriptedModel("fine", ["ok"]);
    const answer = await escalateAcross([flaky, html, fine], { rubric: containsOk }).generate(ask("t"));
    expect(answer.trace?.attempts?.map((a) => a.kind)).toEqual(["network", "server-error", undefined]);
  });
});

describe("fromFunction maps HTTP status errors like the HTTP providers (problem 6)", () => {
  const apiError = (status: number, message: string, headers?: Record<string, string>) =>
    Object.assign(new Error(message), { status, ...(headers ? { headers } : {}) });

  it.each([
    [401, "Invalid API key", "auth"],
    [404, "The model `gpt-x` does not exist", "model-not-found"],
    [429, "Rate limit reached", "rate-limited"],
    [429, "You exceeded your current quota (insufficient_quota)", "quota-exhausted"],
    [400, "This model's maximum context length is 8192 tokens", "context-overflow"],
    [500, "Internal error", "server-error"],
  ])("status %i (%s) is %s", async (status, message, kind) => {
    const model = fromFunction("api", async () => {
      throw apiError(status, message);
    });
    const error = (await model.generate(ask("t")).catch((e: unknown) => e)) as ProviderError;
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
  });

  it("reads statusCode and Retry-After (Headers or a plain record)", async () => {
    const withHeaders = fromFunction("a", async () => {
      throw Object.assign(new Error("slow down"), {
        statusCode: 429,
        response: { headers: new Headers({ "Retry-After": "7" }) },
      });
    });
    const error = (await withHeaders.generate(ask("t")).catch((e: unknown) => e)) as ProviderError;
    expect([error.kind, error.retryAfterMs]).toEqual(["rate-limited", 7_000]);
    const plain = fromFunction("b", async () => {
      throw apiError(429, "slow down", { "retry-after-ms": "250" });
    });
    const second = (await plain.generate(ask("t")).catch((e: unknown) => e)) as ProviderError;
    expect(second.retryAfterMs).toBe(250);
  });

  it("a 401 is not retried on the same model, and a 429 climbs instead of retrying at once", async () => {
    let calls = 0;
    const model = fromFunction("api", async () => {
      calls += 1;
      throw apiError(401, "Invalid API key");
    });
    const error = await retryWithContext(model, { maxAttempts: 6 })
      .generate(ask("t"))
      .catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((error as { limit: string }).limit).toBe("notRetryable");
    let limited = 0;
    const throttled = fromFunction("throttled", async () => {
      limited += 1;
      throw apiError(429, "Rate limit reached");
    });
    const fallback = scriptedModel("fallback", ["ok"]);
    const answer = await escalateAcross([{ model: throttled, maxAttempts: 3 }, fallback], {
      rubric: containsOk,
    }).generate(ask("t"));
    expect([limited, answer.modelId]).toEqual([1, "fallback"]);
  });
});
