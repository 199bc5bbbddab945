import { describe, expect, it } from "vitest";
import { fromFunction, InvalidArgumentError } from "../../src/index.js";

describe("fromFunction", () => {
  it("wraps a prompt function, giving it the rendered prompt", async () => {
    const prompts: string[] = [];
    const model = fromFunction("legacy", async (prompt) => {
      prompts.push(prompt);
      return "answer";
    });
    const generation = await model.generate({
      messages: [{ role: "user", content: "What is 2+2?" }],
      feedback: [{ attempts: [1], modelId: "legacy", kind: "empty" }],
    });
    expect(generation).toEqual({ text: "answer", finishReason: "stop", usage: {}, modelId: "legacy" });
    expect(prompts[0]).toContain("What is 2+2?");
    expect(prompts[0]).toContain("<rungs-feedback>");
  });

  it("wraps a request function returning a partial generation", async () => {
    const model = fromFunction(
      "api",
      async (request) => ({
        text: `${request.messages.length}`,
        finishReason: "length",
        usage: { outputTokens: 7 },
      }),
      { input: "request" },
    );
    expect(await model.generate({ messages: [{ role: "user", content: "x" }] })).toEqual({
      text: "1",
      finishReason: "length",
      usage: { outputTokens: 7 },
      modelId: "api",
    });
  });

  it("refuses a non-function and unknown options, naming them", () => {
    expect(() => fromFunction("x", "nope" as never)).toThrow(/option "fn" must be a function/);
    expect(() => fromFunction("x", async () => "", { input: "text" as never })).toThrow(InvalidArgumentError);
    expect(() => fromFunction("x", async () => "", { extra: 1 } as never)).toThrow(InvalidArgumentError);
  });

  it("reports a function that returns something other than text", async () => {
    const model = fromFunction("bad", async () => 42 as never);
    await expect(model.generate({ prompt: "x" })).rejects.toThrow(
      /returned number where a generation was expected/,
    );
  });
});
