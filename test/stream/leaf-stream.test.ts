// defineModel with a stream function: every part checked, the signal and the deadline followed, nothing lost.
import { describe, expect, it } from "vitest";
import {
  Budget,
  BudgetExhaustedError,
  defineModel,
  type ModelStreamPart,
  ProviderError,
  partialTextOf,
  RungsEvents,
  type StreamPart,
} from "../../src/index.js";
import { manualClock } from "../../src/testing/index.js";

const ask = { prompt: "hi" };

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

const leaf = (stream: () => AsyncIterable<unknown>) =>
  defineModel("leaf", async () => ({ text: "unused" }), {
    stream: stream as () => AsyncIterable<ModelStreamPart>,
  });

describe("a leaf model's stream", () => {
  it("yields the deltas and ends with the checked generation, usage booked on the budget", async () => {
    const budget = new Budget({ maxCalls: 3 });
    const events = new RungsEvents();
    const seen: number[] = [];
    events.on("output-stream", ({ chars }) => seen.push(chars));
    const parts = await collect(
      leaf(async function* () {
        yield { type: "text-delta", text: "Hel" };
        yield { type: "text-delta", text: "" };
        yield { type: "text-delta", text: "lo" };
        yield { type: "finish", finishReason: "stop", usage: { inputTokens: 4, outputTokens: 2 } };
      }).stream(ask, { budget, events }),
    );
    expect(parts).toEqual([
      { type: "text-delta", text: "Hel" },
      { type: "text-delta", text: "lo" },
      {
        type: "finish",
        generation: {
          text: "Hello",
          finishReason: "stop",
          usage: { inputTokens: 4, outputTokens: 2 },
          modelId: "leaf",
        },
      },
    ]);
    expect(seen).toEqual([3, 5]);
    expect(budget.callsUsed).toBe(1);
    expect(budget.outputTokensUsed).toBe(2);
  });

  it("a stream that ends without finish fails as a server-error, its partial text kept", async () => {
    const error = await collect(
      leaf(async function* () {
        yield { type: "text-delta", text: "half an ans" };
      }).stream(ask),
    ).catch((e: unknown) => e);
    expect(ProviderError.isInstance(error) && error.kind).toBe("server-error");
    expect((error as Error).message).toMatch(/ended without a finish part/);
    expect(partialTextOf(error)).toBe("half an ans");
  });

  it.each([
    ["an unknown part type", { type: "reasoning", text: "x" }, /a part of type "reasoning"/],
    ["a delta without text", { type: "text-delta", text: 42 }, /text-delta without a string text/],
    [
      "a tool call without a name",
      { type: "tool-call", toolCall: { id: "1", input: {} } },
      /toolCalls\[0\]\.name/,
    ],
    ["not an object", null, /a part of type undefined/],
  ])("refuses %s as a server-error naming it", async (_label, bad, message) => {
    const error = await collect(
      leaf(async function* () {
        yield { type: "text-delta", text: "ok so far" };
        yield bad;
      }).stream(ask),
    ).catch((e: unknown) => e);
    expect(ProviderError.isInstance(error) && error.kind).toBe("server-error");
    expect((error as Error).message).toMatch(message);
  });

  it("an error thrown mid-stream keeps the text received before it", async () => {
    const error = await collect(
      leaf(async function* () {
        yield { type: "text-delta", text: "so far" };
        throw new ProviderError("connection reset", { kind: "network", providerId: "leaf" });
      }).stream(ask),
    ).catch((e: unknown) => e);
    expect(partialTextOf(error)).toBe("so far");
  });

  it("a stall past the budget's deadline rejects with the deadline, and the provider's stream is closed", async () => {
    const clock = manualClock();
    const budget = new Budget({ deadlineMs: 1_000, clock });
    let closed = false;
    const iterator = leaf(async function* () {
      try {
        yield { type: "text-delta", text: "x" };
        await new Promise(() => {});
      } finally {
        closed = true;
      }
    })
      .stream(ask, { budget })
      [Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    clock.advance(1_000);
    const error = await pending.catch((e: unknown) => e);
    expect(BudgetExhaustedError.isInstance(error) && error.limit).toBe("deadline");
    // A generator stalled in an await cannot run its finally; its signal fired, which is how a provider
    // learns of the stop. A generator suspended at a yield is closed (next test).
    expect(closed).toBe(false);
  });

  it("leaving early closes the provider's iterator, fires its signal and books one output token per delta", async () => {
    const budget = new Budget({ maxCalls: 2 });
    let closed = false;
    let signal: AbortSignal | undefined;
    const model = defineModel("leaf", async () => ({ text: "" }), {
      async *stream(_request, options) {
        signal = options.signal;
        try {
          for (let i = 0; i < 100; i++) yield { type: "text-delta", text: `t${i} ` };
          yield { type: "finish" };
        } finally {
          closed = true;
        }
      },
    });
    let taken = 0;
    for await (const part of model.stream(ask, { budget })) {
      if (part.type === "text-delta" && ++taken === 3) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(closed).toBe(true);
    expect(signal?.aborted).toBe(true);
    expect(budget.outputTokensUsed).toBe(3);
  });

  it("a model without a stream function streams its generate answer as one chunk", async () => {
    const model = defineModel("plain", async () => ({ text: "whole", usage: { outputTokens: 1 } }));
    const parts = await collect(model.stream(ask, { mode: "accepted-only" }));
    expect(parts.map((part) => part.type)).toEqual(["text-delta", "finish"]);
  });

  it("checks the request as the stream is read, not when stream() is called", async () => {
    const model = defineModel("plain", async () => ({ text: "x" }));
    const stream = model.stream({ messages: [] } as never);
    await expect(collect(stream)).rejects.toThrow(/messages/);
  });

  it("refuses a stream option that is not a function at construction", () => {
    expect(() => defineModel("m", async () => ({ text: "" }), { stream: 5 as never })).toThrow(
      /options\.stream" must be a function/,
    );
  });
});

describe("a leaf stream that never waits on I/O", () => {
  it("is still ended by its caller's time limit: timers get their turn", async () => {
    const endless = defineModel("endless", async () => ({ text: "" }), {
      async *stream() {
        for (;;) yield { type: "text-delta", text: "x" };
      },
    });
    const error = await collect(endless.stream(ask, { signal: AbortSignal.timeout(50) })).catch(
      (e: unknown) => e,
    );
    expect((error as DOMException).name).toBe("TimeoutError");
  });
});

describe("a leaf stream's size cap (maxAnswerChars)", () => {
  it("cancels a stream that never stops at the cap, as a server-error naming it, the text so far kept", async () => {
    let closed = false;
    const endless = defineModel("forever", async () => ({ text: "" }), {
      maxAnswerChars: 10_000,
      async *stream() {
        try {
          for (;;) yield { type: "text-delta", text: "x".repeat(4_096) };
        } finally {
          closed = true;
        }
      },
    });
    const error = await collect(endless.stream(ask)).catch((e: unknown) => e);
    expect(ProviderError.isInstance(error) && error.kind).toBe("server-error");
    expect((error as Error).message).toMatch(
      /more than maxAnswerChars \(10000 chars\).*Raise defineModel's maxAnswerChars/,
    );
    expect(partialTextOf(error)).toHaveLength(8_192);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(closed).toBe(true);
  });

  it("counts tool-call inputs too, and refuses a cap that is not a whole number ≥ 1", async () => {
    const calls = defineModel("calls", async () => ({ text: "" }), {
      maxAnswerChars: 100,
      async *stream() {
        yield { type: "tool-call", toolCall: { id: "1", name: "t", input: { q: "y".repeat(200) } } };
        yield { type: "finish" };
      },
    });
    await expect(collect(calls.stream(ask))).rejects.toThrow(/maxAnswerChars \(100 chars\)/);
    expect(() => defineModel("m", async () => ({ text: "" }), { maxAnswerChars: 0 })).toThrow(
      /maxAnswerChars" must be a whole number/,
    );
  });
});
