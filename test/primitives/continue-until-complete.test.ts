import { describe, expect, it } from "vitest";
import { Budget, BudgetExhaustedError } from "../../src/budget.js";
import { InvalidArgumentError } from "../../src/errors/invalid-argument-error.js";
import { ProviderError } from "../../src/errors/provider-error.js";
import { type OutputContinueEvent, RungsEvents } from "../../src/events.js";
import type { GenerateRequest } from "../../src/model.js";
import {
  continueUntilComplete,
  continueUntilCompleteDefaults,
} from "../../src/primitives/continue-until-complete.js";
import { hang, scriptedModel } from "../../src/testing/index.js";

const request: GenerateRequest = { messages: [{ role: "user", content: "Write the essay." }] };
const cut = (text: string, outputTokens = 10) => ({
  text,
  finishReason: "length" as const,
  usage: { inputTokens: 5, outputTokens },
});

describe("continueUntilComplete", () => {
  it("stitches three cut-off pieces and a final one into one text, seams de-duplicated", async () => {
    const inner = scriptedModel("m", [
      cut("The first part of the essay ends here and "),
      cut("ends here and the second part follows, then "),
      cut("follows, then a third part, "),
      { text: "a third part, and the end.", usage: { inputTokens: 5, outputTokens: 3 } },
    ]);
    const events = new RungsEvents();
    const seen: OutputContinueEvent[] = [];
    events.on("output-continue", (e) => seen.push(e));
    const result = await continueUntilComplete(inner).generate(request, { events, path: "outer" });

    expect(result.text).toBe(
      "The first part of the essay ends here and the second part follows, then a third part, and the end.",
    );
    expect(result.finishReason).toBe("stop");
    expect(result.usage).toEqual({ inputTokens: 20, outputTokens: 33 });
    expect(inner.calls).toHaveLength(4);
    const trace = result.trace?.continuation;
    expect(trace?.continuations).toBe(3);
    expect(trace?.stoppedBy).toBeUndefined();
    expect(trace?.pieces.map((p) => p.overlapRemoved)).toEqual([0, 14, 14, 14]);
    expect(seen.map((e) => [e.continuation, e.path, e.finishReason])).toEqual([
      [1, "outer/continue", "length"],
      [2, "outer/continue", "length"],
      [3, "outer/continue", "stop"],
    ]);
    expect(seen.at(-1)?.totalChars).toBe(result.text.length);
  });

  it("sends a user continue turn to a model that cannot continue its own message", async () => {
    const inner = scriptedModel("m", [cut("partial answer"), "rest"]);
    await continueUntilComplete(inner, { continuePrompt: "Go on." }).generate(request);
    expect(inner.calls[0]?.request).toBe(request);
    expect(inner.calls[1]?.request.messages).toEqual([
      ...request.messages,
      { role: "assistant", content: "partial answer" },
      { role: "user", content: "Go on." },
    ]);
  });

  it("sends the partial as the last assistant message to a model with continueAssistant", async () => {
    const inner = scriptedModel("m", [cut("partial answer"), " rest"], {
      capabilities: { continueAssistant: true },
    });
    const model = continueUntilComplete(inner);
    expect(model.capabilities?.continueAssistant).toBe(true);
    const result = await model.generate(request);
    expect(inner.calls[1]?.request.messages).toEqual([
      ...request.messages,
      { role: "assistant", content: "partial answer" },
    ]);
    expect(result.text).toBe("partial answer rest");
  });

  it("extends a prefilled assistant message instead of adding a second one", async () => {
    const inner = scriptedModel("m", [cut('"a": 1, '), '"b": 2}'], {
      capabilities: { continueAssistant: true },
    });
    const prefilled: GenerateRequest = {
      messages: [...request.messages, { role: "assistant", content: "{" }],
    };
    await continueUntilComplete(inner).generate(prefilled);
    expect(inner.calls[1]?.request.messages.at(-1)).toEqual({ role: "assistant", content: '{"a": 1, ' });
    expect(inner.calls[1]?.request.messages).toHaveLength(2);
  });

  it("truncated forever: exactly maxContinuations extra calls, then finishReason length", async () => {
    const inner = scriptedModel("m", [(_r, { call }) => cut(`piece ${call}; `)], { whenDone: "repeat-last" });
    const result = await continueUntilComplete(inner, { maxContinuations: 3 }).generate(request);
    expect(inner.calls).toHaveLength(4);
    expect(result.finishReason).toBe("length");
    expect(result.text).toBe("piece 1; piece 2; piece 3; piece 4; ");
    expect(result.trace?.continuation).toMatchObject({ continuations: 3, stoppedBy: "maxContinuations" });
  });

  it("defaults to 6 continuations", async () => {
    const inner = scriptedModel("m", [cut("x ")], { whenDone: "repeat-last" });
    await continueUntilComplete(inner).generate(request);
    expect(inner.calls).toHaveLength(1 + continueUntilCompleteDefaults.maxContinuations);
  });

  it("stops past maxTotalChars and says so, with the text cut to the cap", async () => {
    const inner = scriptedModel("m", [(_r, { call }) => cut(`${call}`.repeat(8))], {
      whenDone: "repeat-last",
    });
    const result = await continueUntilComplete(inner, { maxTotalChars: 20 }).generate(request);
    expect(result.text).toBe("111111112222222233333333".slice(0, 20));
    expect(result.finishReason).toBe("length");
    expect(result.trace?.continuation?.stoppedBy).toBe("maxTotalChars");
    expect(inner.calls).toHaveLength(3);
  });

  it("asks again after an empty answer, with the original request", async () => {
    const inner = scriptedModel("m", ["", "an answer"]);
    const result = await continueUntilComplete(inner).generate(request);
    expect(result.text).toBe("an answer");
    expect(inner.calls[1]?.request).toBe(request);
  });

  it("an empty length answer with a full context window is context-overflow, not continued", async () => {
    const inner = scriptedModel("m", [{ text: "", finishReason: "length", usage: { inputTokens: 4095 } }], {
      capabilities: { contextWindowTokens: 4096 },
      whenDone: "repeat-last",
    });
    const error = await continueUntilComplete(inner)
      .generate(request)
      .catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).kind).toBe("context-overflow");
    expect(inner.calls).toHaveLength(1);
  });

  it("an empty length answer well inside the window is continued", async () => {
    const inner = scriptedModel(
      "m",
      [{ text: "", finishReason: "length", usage: { inputTokens: 100 } }, "ok"],
      {
        capabilities: { contextWindowTokens: 4096 },
      },
    );
    expect((await continueUntilComplete(inner).generate(request)).text).toBe("ok");
  });

  it("a continuation that overflows the window stops with what it has", async () => {
    const inner = scriptedModel(
      "m",
      [cut("long partial"), { text: "", finishReason: "length", usage: { inputTokens: 4090 } }],
      { capabilities: { contextWindowTokens: 4096 } },
    );
    const result = await continueUntilComplete(inner).generate(request);
    expect(result).toMatchObject({ text: "long partial", finishReason: "length" });
    expect(result.trace?.continuation).toMatchObject({ continuations: 1, stoppedBy: "contextWindow" });
  });

  it("propagates abort with signal.reason, untouched, and makes no further call", async () => {
    const controller = new AbortController();
    const reason = new Error("caller stopped");
    const inner = scriptedModel("m", [cut("partial"), hang]);
    const running = continueUntilComplete(inner).generate(request, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 0));
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(inner.calls).toHaveLength(2);
  });

  it("propagates BudgetExhaustedError untouched", async () => {
    const inner = scriptedModel("m", [cut("x ")], { whenDone: "repeat-last" });
    const budget = new Budget({ maxCalls: 2 });
    const error = await continueUntilComplete(inner)
      .generate(request, { budget })
      .catch((e: unknown) => e);
    expect(BudgetExhaustedError.isInstance(error)).toBe(true);
    expect((error as BudgetExhaustedError).limit).toBe("maxCalls");
    expect(inner.calls).toHaveLength(2);
  });

  it("keeps each piece's own trace, and the verdict only of a single piece", async () => {
    const verdict = {
      rubricId: "r",
      accepted: true,
      score: 1,
      passed: 1,
      total: 1,
      results: [],
      violations: [],
    };
    const single = scriptedModel("m", [{ text: "whole", verdict, trace: { transportRetries: [] } }]);
    const result = await continueUntilComplete(single).generate(request);
    expect(result.verdict).toEqual(verdict);
    expect(result.trace?.continuation?.pieces[0]?.trace).toEqual({ transportRetries: [] });
    const split = scriptedModel("m", [
      { ...cut("half "), verdict },
      { text: "half", verdict },
    ]);
    expect((await continueUntilComplete(split).generate(request)).verdict).toBeUndefined();
  });

  it.each([
    [{ maxContinuations: -1 }, "maxContinuations"],
    [{ maxContinuations: 1.5 }, "maxContinuations"],
    [{ maxTotalChars: 0 }, "maxTotalChars"],
    [{ continuePrompt: "" }, "continuePrompt"],
    [{ nope: true }, "nope"],
  ])("refuses %o at construction, naming %s", (options, parameter) => {
    const inner = scriptedModel("m", ["x"]);
    const attempt = () => continueUntilComplete(inner, options as never);
    expect(attempt).toThrow(InvalidArgumentError);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidArgumentError).parameter).toBe(parameter);
    }
    expect(() => continueUntilComplete({} as never)).toThrow(/must be a Model/);
  });
});

describe("continueUntilComplete and tool calls", () => {
  const call = { id: "c1", name: "get_weather", input: { city: "Paris" } };

  it("takes an answer that only calls tools as complete: no continuation, the calls returned", async () => {
    const model = scriptedModel("m", [
      { text: "", finishReason: "tool-calls", toolCalls: [call] },
      "never asked",
    ]);
    const generation = await continueUntilComplete(model).generate({ prompt: "Weather?" });
    expect(generation).toMatchObject({ text: "", finishReason: "tool-calls", toolCalls: [call] });
    expect(model.calls).toHaveLength(1);
  });

  it("continues a cut-off piece and returns the calls of the piece that finished", async () => {
    const model = scriptedModel("m", [
      { text: "Let me check the ", finishReason: "length" },
      { text: "weather.", finishReason: "tool-calls", toolCalls: [call] },
    ]);
    const generation = await continueUntilComplete(model).generate({ prompt: "Weather?" });
    expect(generation).toMatchObject({ text: "Let me check the weather.", toolCalls: [call] });
    // The continuation extends a text-only assistant message with text parts kept as parts.
    const prefilled = scriptedModel("p", [{ text: "b", finishReason: "length" }, "c"], {
      capabilities: { continueAssistant: true },
    });
    const parts = await continueUntilComplete(prefilled).generate({
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: [{ type: "text", text: "a" }] },
      ],
    });
    expect(parts.text).toBe("bc");
    expect(prefilled.calls[1]?.request.messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ],
    });
  });
});
