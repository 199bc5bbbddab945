import { describe, expect, it } from "vitest";
import { fromFunction, type GenerateRequest, InvalidArgumentError } from "../../src/index.js";

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

describe("fromFunction: tools, tool calls and parts", () => {
  const call = { id: "c1", name: "get_weather", input: { city: "Paris" } };
  const tools = [
    { name: "get_weather", inputSchema: { type: "object", properties: { city: { type: "string" } } } },
  ];

  it("the request form receives tools, toolChoice, calls and results as they are, and may return tool calls", async () => {
    const seen: GenerateRequest[] = [];
    const model = fromFunction(
      "agent",
      async (request) => {
        seen.push(request);
        return { text: "", toolCalls: [call], finishReason: "tool-calls" };
      },
      { input: "request", capabilities: { inputParts: ["image"] } },
    );
    const request: GenerateRequest = {
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Here?" },
            { type: "image", url: "https://x.test/a.png" },
          ],
        },
        { role: "assistant", content: "", toolCalls: [call] },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "c1", toolName: "get_weather", output: "21C" }],
        },
      ],
      tools,
      toolChoice: "required",
    };
    const generation = await model.generate(request);
    expect(seen[0]).toBe(request);
    expect(generation).toMatchObject({ text: "", toolCalls: [call], finishReason: "tool-calls" });
  });

  it("the prompt form refuses tools and media it cannot carry, naming input: request; it writes tool turns as text", async () => {
    const prompts: string[] = [];
    const model = fromFunction(
      "legacy",
      async (prompt) => {
        prompts.push(prompt);
        return "ok";
      },
      { capabilities: { inputParts: ["image"] } },
    );
    await expect(model.generate({ prompt: "x", tools })).rejects.toThrow(
      /prompt form cannot pass tools.*input: "request"/,
    );
    await expect(
      model.generate({
        messages: [{ role: "user", content: [{ type: "image", data: "AA==", mediaType: "image/png" }] }],
      }),
    ).rejects.toThrow(/cannot carry the image part.*use \{ input: "request" \}/);
    await model.generate({
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: "", toolCalls: [call] },
        {
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "c1", toolName: "get_weather", output: "21C" }],
        },
      ],
    });
    expect(prompts).toEqual([
      'User: Weather?\n\nAssistant: [tool call get_weather {"city":"Paris"}]\n\nTool: [tool result get_weather] 21C',
    ]);
  });
});
