// generate's boundary: every model rungs builds checks its request and takes the { prompt, system? } shorthand.
import { describe, expect, it } from "vitest";
import {
  continueUntilComplete,
  defineModel,
  escalateAcross,
  fromFunction,
  type GenerateRequest,
  InvalidArgumentError,
  type Model,
  retryWithContext,
  treeSplit,
} from "../src/index.js";
import { scriptedModel } from "../src/testing/index.js";

/** Every primitive over a leaf that answers with the request's rendered messages. */
function models(): [string, Model, () => readonly unknown[]][] {
  const seen: unknown[] = [];
  const leaf = () =>
    defineModel("echo", async (request) => {
      seen.push(request.messages);
      return { text: request.messages.map((m) => `${m.role}:${m.content}`).join("|") };
    });
  const scripted = scriptedModel("s", [(request) => request.messages.map((m) => m.content).join("|")]);
  return [
    ["defineModel", leaf(), () => seen],
    [
      "fromFunction",
      fromFunction(
        "f",
        async (request: GenerateRequest) => {
          seen.push(request.messages);
          return request.messages.map((m) => m.content).join("|");
        },
        { input: "request" },
      ),
      () => seen,
    ],
    ["scriptedModel", scripted, () => scripted.calls.map((c) => c.request.messages)],
    ["retryWithContext", retryWithContext(leaf()), () => seen],
    ["escalateAcross", escalateAcross([leaf()]), () => seen],
    ["continueUntilComplete", continueUntilComplete(leaf()), () => seen],
    ["treeSplit", treeSplit(leaf(), { promptLimit: { chars: 10_000 } }), () => seen],
  ];
}

describe("generate({ prompt, system? })", () => {
  it.each(models())("%s takes the shorthand as a system and a user message", async (_name, model, sent) => {
    const generation = await model.generate({ prompt: "hi", system: "be brief" });
    expect(generation.text).toContain("hi");
    const messages = sent().at(-1);
    expect(messages).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
    ]);
  });

  it.each(models())(
    '%s: generate("x") throws InvalidArgumentError naming the shorthand',
    async (_name, model) => {
      const error = await model.generate("x" as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).parameter).toBe("request");
      expect((error as Error).message).toMatch(/must be an object.*generate\(\{ prompt: "x" \}\)/);
    },
  );

  it.each([
    [{ messages: [] }, "request.messages", /non-empty array/],
    [{ messages: [{ role: "human", content: "hi" }] }, "request.messages[0].role", /did you mean "user"/],
    [{ messages: [{ role: "user", content: 42 }] }, "request.messages[0].content", /must be a string/],
    [{ prompt: "a", messages: [{ role: "user", content: "b" }] }, "request.prompt", /not both/],
    [{ prompt: 3 }, "request.prompt", /must be a string/],
    [{ promt: "typo" }, "request.messages", /needs "messages".*got keys: promt/],
    [{ prompt: "a", maxOutputTokens: 0 }, "request.maxOutputTokens", /whole number > 0/],
    [{ prompt: "a", temperature: Number.NaN }, "request.temperature", /finite number/],
    [{ prompt: "a", context: "doc" }, "request.context", /array of strings/],
    [null, "request", /got null/],
  ])("refuses %j at the boundary (%s), before any call", async (request, parameter, message) => {
    for (const [, model, sent] of models()) {
      const before = sent().length;
      const error = await model.generate(request as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).parameter).toBe(parameter);
      expect((error as Error).message).toMatch(message);
      expect(sent().length).toBe(before);
    }
  });
});
