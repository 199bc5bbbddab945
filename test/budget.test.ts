import { describe, expect, it } from "vitest";
import {
  Budget,
  BudgetExhaustedError,
  ExhaustedError,
  InvalidArgumentError,
  type Model,
} from "../src/index.js";
import { manualClock, scriptedModel } from "../src/testing/index.js";

const ask = { messages: [{ role: "user" as const, content: "go" }] };

/** A wrapper that calls its inner model `times` times per call, as nested primitives do. */
const fanOut = (inner: Model, times: number): Model => ({
  id: `fan(${inner.id})`,
  generate: async (request, options) => {
    let last = await inner.generate(request, options);
    for (let i = 1; i < times; i += 1) last = await inner.generate(request, options);
    return last;
  },
});

describe("Budget", () => {
  it("stops nested calls at the shared attempt cap and names the limit", async () => {
    const leaf = scriptedModel("leaf", ["ok"], { whenDone: "repeat-last" });
    const nested = fanOut(fanOut(leaf, 6), 6); // 36 calls if unbounded
    const budget = new Budget({ maxCalls: 10 });
    const error = await nested.generate(ask, { budget }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExhaustedError);
    expect(ExhaustedError.isInstance(error)).toBe(true);
    expect((error as BudgetExhaustedError).limit).toBe("maxCalls");
    expect(leaf.calls).toHaveLength(10);
    expect(budget.callsUsed).toBe(10);
  });

  it("stops at the output-token cap", async () => {
    const leaf = scriptedModel("leaf", [{ text: "x", usage: { outputTokens: 40 } }], {
      whenDone: "repeat-last",
    });
    const budget = new Budget({ maxOutputTokens: 100 });
    const error = await fanOut(leaf, 5)
      .generate(ask, { budget })
      .catch((e: unknown) => e);
    expect((error as BudgetExhaustedError).limit).toBe("maxOutputTokens");
    expect(leaf.calls).toHaveLength(3);
    expect(budget.outputTokensUsed).toBe(120);
  });

  it("stops at the deadline on the injected clock, for the whole tree", async () => {
    const clock = manualClock(1_000);
    const leaf = scriptedModel("slow", ["ok"], { whenDone: "repeat-last", delayMs: 400, clock });
    const budget = new Budget({ deadlineMs: 1_000, clock });
    const settled = fanOut(leaf, 6)
      .generate(ask, { budget })
      .catch((e: unknown) => e);
    await clock.advance(1_000);
    const error = await settled;
    expect((error as BudgetExhaustedError).limit).toBe("deadline");
    expect(leaf.calls).toHaveLength(3); // two finished at 400 and 800 ms, the third was cut at 1000 ms
    expect(budget.remainingMs()).toBe(0);
  });

  it("refuses invalid caps at construction, naming the option", () => {
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY, 0.5, 0]) {
      const build = () => new Budget({ maxCalls: bad });
      expect(build).toThrow(InvalidArgumentError);
      expect(build).toThrow(/option "maxCalls"/);
    }
    expect(() => new Budget({ deadlineMs: -5 })).toThrow(/option "deadlineMs" must be greater than 0/);
    expect(() => new Budget({ maxAtempts: 3 } as never)).toThrow(InvalidArgumentError);
  });
});
