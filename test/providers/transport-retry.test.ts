import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { partialTextOf, transportRetriesOf } from "../../src/errors/call-details.js";
import { InvalidArgumentError, ProviderError, RungsEvents } from "../../src/index.js";
import {
  backoffDelayMs,
  RetryQuota,
  resolveTransportRetryOptions,
  withTransportRetries,
} from "../../src/providers/transport-retry.js";
import { manualClock } from "../../src/testing/index.js";

const failure = (kind: ProviderError["kind"], extra: { status?: number; retryAfterMs?: number } = {}) =>
  new ProviderError(`failed: ${kind}`, { kind, providerId: "p", ...extra });

/** A call that plays `steps` in order: an error is thrown, anything else returned. */
function playing(steps: readonly unknown[]) {
  let calls = 0;
  const call = async () => {
    const step = steps[calls];
    calls += 1;
    if (step instanceof Error) throw step;
    return step;
  };
  return { call, calls: () => calls };
}

async function untilTimer(clock: { pending: number }) {
  for (let turn = 0; turn < 100 && clock.pending === 0; turn += 1) await new Promise((r) => setImmediate(r));
}

describe("backoffDelayMs (full jitter)", () => {
  it("lies in [0, min(cap, base·2ⁿ⁻¹)] for every retry, base, cap and random draw", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, initialDelayMs, maxDelayMs, r) => {
          const delay = backoffDelayMs(retry, { initialDelayMs, maxDelayMs }, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(maxDelayMs, initialDelayMs * 2 ** (retry - 1)));
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });

  it("never returns NaN, even from a broken random source", () => {
    expect(backoffDelayMs(3, { initialDelayMs: 100, maxDelayMs: 1000 }, () => Number.NaN)).toBe(0);
    expect(backoffDelayMs(3, { initialDelayMs: 100, maxDelayMs: 1000 }, () => 7)).toBe(400);
  });
});

describe("withTransportRetries", () => {
  const context = (overrides: Partial<Parameters<typeof resolveTransportRetryOptions>[0]> = {}) => {
    const clock = manualClock();
    return {
      clock,
      ctx: {
        modelId: "m",
        clock,
        options: resolveTransportRetryOptions({ random: () => 0.5, ...overrides }),
      },
    };
  };

  it("retries 429, 5xx and network failures, at most 1 + maxRetries calls, with each delay on the clock", async () => {
    const { clock, ctx } = context({ maxRetries: 3, initialDelayMs: 100 });
    const script = playing([
      failure("server-error", { status: 503 }),
      failure("network"),
      failure("rate-limited"),
    ]);
    const events = new RungsEvents();
    const seen: number[] = [];
    events.on("transport-retry", (event) => seen.push(event.retry.delayMs));
    const run = withTransportRetries(script.call, { ...ctx, events }).catch((e: unknown) => e);
    for (let i = 0; i < 3; i += 1) {
      await untilTimer(clock);
      await clock.advance(10_000);
    }
    const result = await run;
    // The 4th call returned `undefined` (the script ran out): success after 3 retries.
    expect(result).toEqual({ value: undefined, transportRetries: expect.any(Array) });
    expect(script.calls()).toBe(4);
    expect(seen).toEqual([50, 100, 200]);
  });

  it("stops after maxRetries and attaches every retry to the final error", async () => {
    const { clock, ctx } = context({ maxRetries: 1 });
    const last = failure("server-error", { status: 500 });
    const script = playing([failure("server-error", { status: 502 }), last]);
    const run = withTransportRetries(script.call, ctx).catch((e: unknown) => e);
    await untilTimer(clock);
    await clock.advance(10_000);
    const error = await run;
    expect(error).toBe(last);
    expect(transportRetriesOf(error).map((r) => r.status)).toEqual([502]);
    expect(script.calls()).toBe(2);
  });

  it.each([
    "auth",
    "model-not-found",
    "invalid-request",
    "context-overflow",
    "quota-exhausted",
    "timeout",
  ] as const)("never retries %s", async (kind) => {
    const { ctx } = context();
    const script = playing([failure(kind)]);
    await expect(withTransportRetries(script.call, ctx)).rejects.toMatchObject({ kind });
    expect(script.calls()).toBe(1);
  });

  it("never retries a plain error or one that already delivered text", async () => {
    const { ctx } = context();
    const plain = playing([new Error("boom")]);
    await expect(withTransportRetries(plain.call, ctx)).rejects.toThrow("boom");
    expect(plain.calls()).toBe(1);
    const { attachCallDetails } = await import("../../src/errors/call-details.js");
    const partial = playing([attachCallDetails(failure("network"), { partialText: "half" })]);
    const error = await withTransportRetries(partial.call, ctx).catch((e: unknown) => e);
    expect(partialTextOf(error)).toBe("half");
    expect(partial.calls()).toBe(1);
  });

  it("honours a Retry-After within the cap exactly, and fails fast past it", async () => {
    const { clock, ctx } = context({ maxRetryAfterMs: 5_000 });
    const ok = playing([failure("rate-limited", { status: 429, retryAfterMs: 2_000 }), "done"]);
    const run = withTransportRetries(ok.call, ctx);
    await untilTimer(clock);
    await clock.advance(1_999);
    expect(ok.calls()).toBe(1);
    await clock.advance(1);
    await expect(run).resolves.toMatchObject({ value: "done", transportRetries: [{ delayMs: 2_000 }] });

    const long = playing([failure("rate-limited", { status: 429, retryAfterMs: 3_600_000 })]);
    const error = (await withTransportRetries(long.call, ctx).catch((e: unknown) => e)) as ProviderError;
    expect(error.kind).toBe("rate-limited");
    expect(error.message).toMatch(/more than maxRetryAfterMs \(5000 ms\)/);
    expect(long.calls()).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it("rejects with signal.reason, unwrapped, when aborted during the backoff sleep", async () => {
    const { clock, ctx } = context();
    const controller = new AbortController();
    const script = playing([failure("server-error"), "never"]);
    const run = withTransportRetries(script.call, { ...ctx, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    await untilTimer(clock);
    const reason = { why: "user" };
    controller.abort(reason);
    expect(await run).toBe(reason);
    expect(script.calls()).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it("debits the shared quota per retry, refunds per success, and stops retrying when it is spent", async () => {
    const quota = new RetryQuota({ capacity: 10, retryCost: 5, successRefund: 1 });
    const { clock, ctx } = context({ quota, maxRetries: 5, random: () => 0 });
    const script = playing([failure("server-error"), failure("server-error"), failure("server-error"), "x"]);
    const error = await withTransportRetries(script.call, ctx).catch((e: unknown) => e);
    expect((error as ProviderError).kind).toBe("server-error");
    expect(script.calls()).toBe(3);
    expect(quota.available).toBe(0);
    expect(clock.pending).toBe(0);
    const ok = playing(["fine"]);
    await withTransportRetries(ok.call, ctx);
    expect(quota.available).toBe(1);
  });
});

describe("withTransportRetries with a rate gate", () => {
  const gated = (waits: number[], maxRetryAfterMs = 1_000) => {
    const clock = manualClock();
    const taken: number[] = [];
    const gate = {
      take: async () => {
        taken.push(clock.now());
        return waits.shift() ?? 0;
      },
    };
    const options = resolveTransportRetryOptions({ gate, maxRetryAfterMs, random: () => 0 });
    return { clock, taken, ctx: { modelId: "m", clock, options } };
  };

  it("every request takes a slot; a wait within maxRetryAfterMs is slept on the clock", async () => {
    const { clock, taken, ctx } = gated([300, 200]);
    const script = playing([failure("server-error"), "ok"]);
    const pending = withTransportRetries(script.call, ctx);
    await untilTimer(clock);
    expect(script.calls()).toBe(0);
    await clock.advance(300);
    await untilTimer(clock);
    await clock.advance(200);
    expect((await pending).value).toBe("ok");
    expect(script.calls()).toBe(2);
    // First try: refused, waited 300, refused, waited 200, took a slot; the retry took one at once.
    expect(taken).toEqual([0, 300, 500, 500]);
  });

  it("a wait past maxRetryAfterMs (or Infinity) fails at once as rate-limited, with no request", async () => {
    for (const wait of [5_000, Number.POSITIVE_INFINITY]) {
      const { clock, ctx } = gated([wait]);
      const script = playing(["never"]);
      const error = await withTransportRetries(script.call, ctx).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: "rate-limited" });
      expect((error as Error).message).toMatch(/rate gate/);
      expect(script.calls()).toBe(0);
      expect(clock.pending).toBe(0);
    }
  });

  it("a gate that throws fails the call with its error; an abort while waiting rejects with the reason", async () => {
    const clock = manualClock();
    const broken = resolveTransportRetryOptions({
      gate: {
        take: () => {
          throw new Error("gate down");
        },
      },
    });
    await expect(
      withTransportRetries(async () => "x", { modelId: "m", clock, options: broken }),
    ).rejects.toThrow("gate down");
    const { ctx } = gated([500]);
    const controller = new AbortController();
    const pending = withTransportRetries(async () => "x", { ...ctx, signal: controller.signal });
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
  });
});

describe("RetryQuota", () => {
  it("refuses bad sizes at construction", () => {
    expect(() => new RetryQuota({ capacity: 0 })).toThrow(InvalidArgumentError);
    expect(() => new RetryQuota({ retryCost: -1 })).toThrow(/retryCost/);
  });

  it("never refunds above its capacity", () => {
    const quota = new RetryQuota({ capacity: 3 });
    quota.refund();
    expect(quota.available).toBe(3);
  });
});
