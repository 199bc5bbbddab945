// A rungs request as the AI SDK's prompt, tools and tool choice (what fromAiSdk sends), per specification
// version: v2 and v3 take file data as it is, v4 tagged.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { aiSdkPromptOf, aiSdkToolChoiceOf, aiSdkToolsOf } from "../../src/providers/ai-sdk-prompt.js";

const bytes = new Uint8Array([1, 2, 3]);
const request = {
  messages: [
    {
      role: "user" as const,
      content: [
        { type: "image" as const, url: "https://example.com/a.png" },
        { type: "file" as const, data: bytes, mediaType: "application/pdf", filename: "r.pdf" },
      ],
    },
    { role: "assistant" as const, content: "", toolCalls: [{ id: "c1", name: "lookup", input: { q: "x" } }] },
    {
      role: "tool" as const,
      content: [
        { type: "tool-result" as const, toolCallId: "c1", toolName: "lookup", output: "found" },
        { type: "tool-result" as const, toolCallId: "c2", toolName: "lookup", output: "boom", isError: true },
        {
          type: "tool-result" as const,
          toolCallId: "c3",
          toolName: "lookup",
          output: { code: 1 },
          isError: true,
        },
        { type: "tool-result" as const, toolCallId: "c4", toolName: "lookup", output: undefined },
      ],
    },
  ],
};

describe("aiSdkPromptOf", () => {
  it("v2/v3: URLs and bytes as they are; an image with no media type is image/*; tool results as text or JSON", () => {
    expect(aiSdkPromptOf(request, "v3")).toEqual([
      {
        role: "user",
        content: [
          { type: "file", data: new URL("https://example.com/a.png"), mediaType: "image/*" },
          { type: "file", data: bytes, mediaType: "application/pdf", filename: "r.pdf" },
        ],
      },
      {
        role: "assistant",
        content: [{ type: "tool-call", toolCallId: "c1", toolName: "lookup", input: { q: "x" } }],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "c1",
            toolName: "lookup",
            output: { type: "text", value: "found" },
          },
          {
            type: "tool-result",
            toolCallId: "c2",
            toolName: "lookup",
            output: { type: "error-text", value: "boom" },
          },
          {
            type: "tool-result",
            toolCallId: "c3",
            toolName: "lookup",
            output: { type: "error-json", value: { code: 1 } },
          },
          {
            type: "tool-result",
            toolCallId: "c4",
            toolName: "lookup",
            output: { type: "json", value: null },
          },
        ],
      },
    ]);
  });

  it("v4: file data tagged", () => {
    const [user] = aiSdkPromptOf(request, "v4");
    expect(user?.content).toEqual([
      {
        type: "file",
        data: { type: "url", url: new URL("https://example.com/a.png") },
        mediaType: "image/*",
      },
      { type: "file", data: { type: "data", data: bytes }, mediaType: "application/pdf", filename: "r.pdf" },
    ]);
  });
});

describe("aiSdkToolsOf, aiSdkToolChoiceOf", () => {
  it("sends a Standard Schema as its JSON Schema, and the tool choice in the SDK's shape", () => {
    const tools = aiSdkToolsOf({
      messages: [{ role: "user", content: "q" }],
      tools: [{ name: "lookup", description: "Looks up", inputSchema: z.object({ q: z.string() }) }],
    });
    expect(tools).toMatchObject([
      {
        type: "function",
        name: "lookup",
        description: "Looks up",
        inputSchema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
      },
    ]);
    expect(aiSdkToolsOf({ messages: [{ role: "user", content: "q" }] })).toBeUndefined();
    expect(aiSdkToolChoiceOf("none")).toEqual({ type: "none" });
    expect(aiSdkToolChoiceOf({ type: "tool", toolName: "lookup" })).toEqual({
      type: "tool",
      toolName: "lookup",
    });
    expect(aiSdkToolChoiceOf(undefined)).toBeUndefined();
  });
});
