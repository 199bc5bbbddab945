import { describe, expect, it } from "vitest";
import {
  Budget,
  BudgetExhaustedError,
  defineModel,
  InvalidArgumentError,
  messageText,
} from "../src/index.js";
import { hang, manualClock, scriptedModel } from "../src/testing/index.js";

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

describe("defineModel", () => {
  it("fills finishReason, usage and modelId", async () => {
    const model = defineModel("echo", async (request) => ({ text: messageText(request.messages.at(-1)!) }));
    await expect(model.generate(ask("hi"))).resolves.toEqual({
      text: "hi",
      finishReason: "stop",
      usage: {},
      modelId: "echo",
    });
  });

  it("refuses an empty id, naming the parameter", () => {
    const attempt = () => defineModel("", async () => ({ text: "" }));
    expect(attempt).toThrow(InvalidArgumentError);
    expect(attempt).toThrow(/"id" must be a non-empty string/);
  });

  it("rejects with signal.reason, unwrapped, when aborted mid-call", async () => {
    const model = scriptedModel("slow", [hang]);
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const pending = model.generate(ask("x"), { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("aborts a hung call at the budget's deadline and names the limit", async () => {
    const clock = manualClock();
    const budget = new Budget({ deadlineMs: 1000, clock });
    const model = scriptedModel("hung", [hang]);
    const pending = model.generate(ask("x"), { budget });
    const settled = pending.catch((error: unknown) => error);
    await clock.advance(1000);
    const error = await settled;
    expect(error).toBeInstanceOf(BudgetExhaustedError);
    expect((error as BudgetExhaustedError).limit).toBe("deadline");
    // The call saw its signal abort, so the provider can stop its request.
    expect(model.calls[0]?.options.signal?.aborted).toBe(true);
  });
});

describe("tool calls and media parts at a leaf", () => {
  const image = { type: "image" as const, url: "https://example.com/cat.png" };
  const withImage = {
    messages: [{ role: "user" as const, content: [{ type: "text" as const, text: "What is this?" }, image] }],
  };

  it("keeps a generation's tool calls and takes the tool-calls finish reason", async () => {
    const call = { id: "c1", name: "get_weather", input: { city: "Paris" } };
    const model = defineModel("m", async () => ({ text: "", finishReason: "tool-calls", toolCalls: [call] }));
    await expect(model.generate(ask("hi"))).resolves.toEqual({
      text: "",
      finishReason: "tool-calls",
      toolCalls: [call],
      usage: {},
      modelId: "m",
    });
  });

  it.each([
    ["not an array", { id: "c" }, 'field "toolCalls" is object; expected a list'],
    ["a call without an id", [{ name: "t", input: {} }], 'field "toolCalls[0].id" is undefined'],
    ["a call with a numeric name", [{ id: "c", name: 3, input: {} }], 'field "toolCalls[0].name" is number'],
    ["a call that is a string", ["get_weather"], 'field "toolCalls[0]" is string'],
  ])(
    "refuses malformed tool calls from the wire (%s) as a malformed response",
    async (_, toolCalls, field) => {
      const model = defineModel("m", async () => ({ text: "", toolCalls }) as never);
      const error = await model.generate(ask("hi")).catch((e: unknown) => e);
      expect((error as Error).message).toContain(field);
      expect((error as { kind?: string }).kind).toBe("server-error");
    },
  );

  it("refuses an image to a model that does not declare it, before any call, naming the fix", async () => {
    let calls = 0;
    const model = defineModel("text-only", async () => {
      calls += 1;
      return { text: "a cat" };
    });
    const error = await model.generate(withImage).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      'Model "text-only" does not take image parts (messages[0].content[1]; capabilities.inputParts: none)',
    );
    expect(calls).toBe(0);
  });

  it("passes the parts through to a model that declares them", async () => {
    const model = defineModel(
      "vision",
      async (request) => ({ text: JSON.stringify(request.messages[0]?.content) }),
      {
        capabilities: { inputParts: ["image"] },
      },
    );
    const { text } = await model.generate(withImage);
    expect(JSON.parse(text)).toEqual([{ type: "text", text: "What is this?" }, image]);
    const file = { type: "file" as const, url: "https://example.com/a.pdf", mediaType: "application/pdf" };
    await expect(model.generate({ messages: [{ role: "user", content: [file] }] })).rejects.toThrow(
      "does not take file parts",
    );
  });
});
