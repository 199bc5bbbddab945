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

describe("parts, tool calls, tool results, tools and toolChoice at the boundary", () => {
  const model = scriptedModel("s", ["ok"], {
    whenDone: "repeat-last",
    capabilities: { inputParts: ["image", "file"] },
  });
  const call = { id: "c1", name: "get_weather", input: { city: "Paris" } };
  const weather = {
    name: "get_weather",
    description: "Weather now",
    inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  };
  const refused = async (request: unknown) => {
    const error = await model.generate(request as GenerateRequest).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    return (error as InvalidArgumentError).message;
  };

  it("takes a whole agent conversation: parts, an assistant's tool calls, a tool result, tools, toolChoice", async () => {
    const request: GenerateRequest = {
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "Weather where this photo was taken?" },
            { type: "image", data: new Uint8Array([137, 80, 78, 71]), mediaType: "image/png" },
            { type: "image", url: "https://example.com/a.jpg" },
            { type: "file", data: "JVBERi0=", mediaType: "application/pdf", filename: "a.pdf" },
          ],
        },
        { role: "assistant", content: "", toolCalls: [call] },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "c1", toolName: "get_weather", output: { c: 21 } }],
        },
      ],
      tools: [weather],
      toolChoice: { type: "tool", toolName: "get_weather" },
    };
    await expect(model.generate(request)).resolves.toMatchObject({ text: "ok" });
    expect(model.calls.at(-1)?.request).toBe(request);
  });

  it.each([
    [
      { messages: [{ role: "user", content: [{ type: "video", url: "https://x.test/v" }] }] },
      'must be a part of type "text", "image", "file"',
    ],
    [{ messages: [{ role: "user", content: [{ type: "image" }] }] }, 'needs exactly one of "url"'],
    [
      { messages: [{ role: "user", content: [{ type: "image", url: "https://a", data: "AA==" }] }] },
      ", not both",
    ],
    [
      { messages: [{ role: "user", content: [{ type: "image", url: "ftp://a" }] }] },
      "https:, http: or data: URL",
    ],
    [
      { messages: [{ role: "user", content: [{ type: "image", data: "not base64!" }] }] },
      'a URL goes in "url"',
    ],
    [{ messages: [{ role: "user", content: [{ type: "file", data: "AA==" }] }] }, '"application/pdf"'],
    [
      { messages: [{ role: "user", content: [{ type: "text", text: 3 }] }] },
      "content[0].text must be a string",
    ],
    [{ messages: [{ role: "assistant", content: [{ type: "tool-call" }] }] }, 'go in its "toolCalls"'],
    [
      { messages: [{ role: "system", content: [{ type: "text", text: "x" }] }] },
      "must be a string for a system message",
    ],
    [
      { messages: [{ role: "user", content: "x", toolCalls: [call] }] },
      "only an assistant message carries tool calls",
    ],
    [
      { messages: [{ role: "assistant", content: "", toolCalls: [{ id: "", name: "t", input: {} }] }] },
      "toolCalls[0].id must be a non-empty string",
    ],
    [
      { messages: [{ role: "assistant", content: "", toolCalls: [{ id: "a", name: "t" }] }] },
      "input is missing",
    ],
    [{ messages: [{ role: "tool", content: "72F" }] }, 'non-empty array of { type: "tool-result"'],
    [
      {
        messages: [
          { role: "tool", content: [{ type: "tool-result", toolCallId: "zz", toolName: "t", output: 1 }] },
        ],
      },
      "answers no tool call of an earlier assistant message",
    ],
    [
      {
        messages: [
          { role: "assistant", content: "", toolCalls: [call] },
          { role: "tool", content: [{ type: "tool-result", toolCallId: "c1", toolName: "get_weather" }] },
        ],
      },
      "output is missing",
    ],
    [{ prompt: "x", tools: [{ name: "get weather", inputSchema: { type: "object" } }] }, "letters, digits"],
    [{ prompt: "x", tools: [weather, weather] }, "is given twice"],
    [
      { prompt: "x", tools: [{ name: "t", inputSchema: { type: "string" } }] },
      'JSON Schema of an object ({ type: "object"',
    ],
    [{ prompt: "x", tools: [{ name: "t" }] }, "inputSchema must be a JSON Schema of an object"],
    [{ prompt: "x", toolChoice: "always" }, '"toolChoice" must be "auto", "none", "required"'],
    [{ prompt: "x", toolChoice: "required" }, "offers no tools"],
    [
      { prompt: "x", tools: [weather], toolChoice: { type: "tool", toolName: "get_time" } },
      'one of the request\'s tools ("get_weather")',
    ],
    [{ messages: [{ role: "function", content: "x" }] }, '"system", "user", "assistant" or "tool"'],
  ])("refuses %j naming the fix", async (request, fix) => {
    expect(await refused(request)).toContain(fix);
  });

  it("takes a tool's input schema as a Standard Schema that converts to JSON Schema, and refuses one that does not", async () => {
    const { z } = await import("zod");
    await expect(
      model.generate({ prompt: "x", tools: [{ name: "t", inputSchema: z.object({ city: z.string() }) }] }),
    ).resolves.toMatchObject({ text: "ok" });
    const bare = { "~standard": { version: 1, vendor: "hand", validate: () => ({ value: {} }) } };
    expect(await refused({ prompt: "x", tools: [{ name: "t", inputSchema: bare }] })).toContain(
      "has no JSON Schema converter",
    );
    expect(await refused({ prompt: "x", tools: [{ name: "t", inputSchema: z.string() }] })).toMatch(
      /must be a JSON Schema of an object .*got type "string"/,
    );
  });
});
