// Tools, tool calls, tool results and images over the real Ollama wire: a loopback server speaking /api/chat
// and the official `ollama` client.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  defineRubric,
  escalateAcross,
  type GenerateRequest,
  InvalidArgumentError,
  validToolCalls,
} from "../../src/index.js";
import { ollamaModel } from "../../src/providers/ollama/index.js";
import {
  chatResponse,
  chatToolCallStream,
  chatToolCalls,
  type FakeOllama,
  json,
  ndjson,
  startFakeOllama,
} from "../e2e/fake-ollama.js";

let server: FakeOllama;
beforeEach(async () => {
  server = await startFakeOllama();
});
afterEach(async () => {
  await server.close();
});

const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
const weather = {
  name: "get_weather",
  description: "Weather now",
  inputSchema: z.object({ city: z.string() }),
};
const clock = {
  name: "get_time",
  inputSchema: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
};
const agentTurn: GenerateRequest = {
  messages: [
    { role: "system", content: "Use the tools." },
    {
      role: "user",
      content: [
        { type: "text", text: "Weather where this was taken? " },
        { type: "image", data: png, mediaType: "image/png" },
        { type: "image", url: `data:image/png;base64,${Buffer.from(png).toString("base64")}` },
      ],
    },
    {
      role: "assistant",
      content: "",
      toolCalls: [{ id: "c1", name: "get_weather", input: { city: "Paris" } }],
    },
    {
      role: "tool",
      content: [{ type: "tool-result", toolCallId: "c1", toolName: "get_weather", output: { celsius: 21 } }],
    },
  ],
  tools: [weather, clock],
};

describe("ollamaModel: tools and tool calls on the wire", () => {
  it.each([false, true])(
    "sends tools, images, calls and results, and reads tool_calls back (stream %s)",
    async (stream) => {
      const calls = [
        { id: "call_a", function: { index: 0, name: "get_time", arguments: { zone: "Europe/Paris" } } },
        { function: { index: 1, name: "get_weather", arguments: { city: "Lyon" } } },
      ];
      server.script((res) =>
        stream ? ndjson(res, chatToolCallStream(calls, ["Checking."])) : json(res, 200, chatToolCalls(calls)),
      );
      const generation = await ollamaModel({ model: "qwen3:8b", host: server.url, stream }).generate(
        agentTurn,
      );
      expect(generation.toolCalls).toEqual([
        { id: "call_a", name: "get_time", input: { zone: "Europe/Paris" } },
        { id: "call_2", name: "get_weather", input: { city: "Lyon" } },
      ]);
      expect(generation.finishReason).toBe("tool-calls");

      const body = server.chats[0]!.body as { messages: unknown[]; tools: unknown[] };
      const base64 = Buffer.from(png).toString("base64");
      expect(body.messages).toEqual([
        { role: "system", content: "Use the tools." },
        { role: "user", content: "Weather where this was taken? ", images: [base64, base64] },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }],
        },
        { role: "tool", content: '{"celsius":21}', tool_name: "get_weather" },
      ]);
      expect(body.tools).toEqual([
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Weather now",
            parameters: weather.inputSchema["~standard"].jsonSchema.input({ target: "draft-2020-12" }),
          },
        },
        { type: "function", function: { name: "get_time", parameters: clock.inputSchema } },
      ]);
    },
  );

  it("honours toolChoice as far as the wire allows: none sends no tools, a named tool only that one", async () => {
    server.script(
      (res) => json(res, 200, chatResponse("no tools")),
      (res) =>
        json(res, 200, chatToolCalls([{ function: { name: "get_time", arguments: { zone: "UTC" } } }])),
    );
    const model = ollamaModel({ model: "m", host: server.url, stream: false });
    await model.generate({ prompt: "x", tools: [weather, clock], toolChoice: "none" });
    expect(server.chats[0]!.body.tools).toBeUndefined();
    await model.generate({
      prompt: "x",
      tools: [weather, clock],
      toolChoice: { type: "tool", toolName: "get_time" },
    });
    expect(
      (server.chats[1]!.body.tools as { function: { name: string } }[]).map((t) => t.function.name),
    ).toEqual(["get_time"]);
  });

  it("refuses what Ollama cannot take before any call, naming the fix: an image by URL, a file", async () => {
    const model = ollamaModel({ model: "m", host: server.url, stream: false });
    const byUrl = await model
      .generate({
        messages: [{ role: "user", content: [{ type: "image", url: "https://example.com/a.png" }] }],
      })
      .catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(byUrl)).toBe(true);
    expect((byUrl as Error).message).toContain("Ollama takes images as bytes, not by URL");
    const file = await model
      .generate({
        messages: [
          { role: "user", content: [{ type: "file", data: "JVBERi0=", mediaType: "application/pdf" }] },
        ],
      })
      .catch((e: unknown) => e);
    expect((file as Error).message).toContain("does not take file parts");
    expect(server.chats).toHaveLength(0);
  });

  it("fails malformed tool_calls from the server as a malformed response (server-error)", async () => {
    server.script(
      (res) =>
        json(res, 200, {
          ...chatToolCalls([]),
          message: { role: "assistant", content: "", tool_calls: "get_time" },
        }),
      (res) => json(res, 200, chatToolCalls([{ function: { name: "", arguments: {} } }])),
    );
    const model = ollamaModel({ model: "m", host: server.url, stream: false, retry: { maxRetries: 0 } });
    await expect(model.generate({ prompt: "x", tools: [clock] })).rejects.toMatchObject({
      kind: "server-error",
      message: expect.stringContaining(
        'field "message.tool_calls" is "get_time"; expected a list of tool calls',
      ),
    });
    await expect(model.generate({ prompt: "x", tools: [clock] })).rejects.toMatchObject({
      message: expect.stringContaining(
        'field "message.tool_calls[0].function.name" is ""; expected a non-empty string',
      ),
    });
  });

  it("round-trips an agent step through a ladder: the small model's invalid call is fed back, the next rung's valid call returned", async () => {
    server.script(
      (res) =>
        json(res, 200, chatToolCalls([{ function: { name: "get_weather", arguments: { city: 75001 } } }])),
      (res) =>
        json(
          res,
          200,
          chatToolCalls([{ id: "w1", function: { name: "get_weather", arguments: { city: "Paris" } } }]),
        ),
    );
    const ladder = escalateAcross(
      [
        ollamaModel({ model: "qwen3:1.7b", host: server.url, stream: false }),
        ollamaModel({ model: "qwen3:8b", host: server.url, stream: false }),
      ],
      { rubric: defineRubric({ id: "step", rules: [validToolCalls()] }) },
    );
    const request: GenerateRequest = {
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weather],
    };
    const generation = await ladder.generate(request);
    expect(generation.toolCalls).toEqual([{ id: "w1", name: "get_weather", input: { city: "Paris" } }]);
    expect(generation.answeredBy).toMatchObject({ rung: 1, modelId: "ollama:qwen3:8b" });
    expect(generation.trace?.attempts?.[0]).toMatchObject({
      kind: "rejected",
      toolCalls: [{ id: "call_1", name: "get_weather", input: { city: 75001 } }],
    });
    const second = server.chats[1]!.body as { model: string; messages: { role: string; content: string }[] };
    expect(second.model).toBe("qwen3:8b");
    expect(second.messages[0]!.content).toContain(
      "rule valid-tool-calls: get_weather.city: Invalid input: expected string, received number",
    );
  });
});
