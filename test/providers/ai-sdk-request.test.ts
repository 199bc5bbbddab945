// The AI SDK's messages and call options as a rungs request (messagesFromAiSdk, and toAiSdk's doGenerate):
// every part either maps or is refused by name; nothing is dropped but reasoning.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/index.js";
import { messagesFromAiSdk } from "../../src/providers/ai-sdk.js";
import { requestOfAiSdkCall } from "../../src/providers/ai-sdk-request.js";

const bytes = new Uint8Array([1, 2, 3]);

describe("messagesFromAiSdk", () => {
  it("maps text, images (bytes, base64, URL, ArrayBuffer), files, tool calls and results", () => {
    expect(
      messagesFromAiSdk([
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "Look: " },
            { type: "image", image: bytes, mediaType: "image/png" },
            { type: "image", image: "https://example.com/a.png" },
            { type: "image", image: "AQID", mediaType: "image/png" },
            { type: "image", image: bytes.buffer },
            {
              type: "file",
              data: new URL("https://example.com/r.pdf"),
              mediaType: "application/pdf",
              filename: "r.pdf",
            },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "reasoning", text: "hmm" },
            { type: "text", text: "Checking." },
            { type: "tool-call", toolCallId: "c1", toolName: "lookup", input: { q: "x" } },
          ],
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
              output: { type: "error-json", value: { code: 1 } },
            },
            {
              type: "tool-result",
              toolCallId: "c3",
              toolName: "lookup",
              output: { type: "execution-denied", reason: "no" },
            },
            { type: "tool-approval-response", approvalId: "a1", approved: true } as never,
          ],
        },
      ]),
    ).toEqual([
      { role: "system", content: "Be brief." },
      {
        role: "user",
        content: [
          { type: "text", text: "Look: " },
          { type: "image", data: bytes, mediaType: "image/png" },
          { type: "image", url: "https://example.com/a.png" },
          { type: "image", data: "AQID", mediaType: "image/png" },
          { type: "image", data: bytes },
          { type: "file", url: "https://example.com/r.pdf", mediaType: "application/pdf", filename: "r.pdf" },
        ],
      },
      {
        role: "assistant",
        content: "Checking.",
        toolCalls: [{ id: "c1", name: "lookup", input: { q: "x" } }],
      },
      {
        role: "tool",
        content: [
          { type: "tool-result", toolCallId: "c1", toolName: "lookup", output: "found" },
          { type: "tool-result", toolCallId: "c2", toolName: "lookup", output: { code: 1 }, isError: true },
          {
            type: "tool-result",
            toolCallId: "c3",
            toolName: "lookup",
            output: "The tool call was denied: no",
            isError: true,
          },
        ],
      },
    ]);
  });

  it("takes v4's tagged file data", () => {
    expect(
      messagesFromAiSdk([
        {
          role: "user",
          content: [
            { type: "file", data: { type: "data", data: bytes }, mediaType: "image/png" },
            {
              type: "file",
              data: { type: "url", url: new URL("https://example.com/b.pdf") },
              mediaType: "application/pdf",
            },
          ],
        },
      ]),
    ).toEqual([
      {
        role: "user",
        content: [
          { type: "image", data: bytes, mediaType: "image/png" },
          { type: "file", url: "https://example.com/b.pdf", mediaType: "application/pdf" },
        ],
      },
    ]);
  });

  it.each([
    [
      "a file in an assistant message",
      [{ role: "assistant", content: [{ type: "file", data: bytes, mediaType: "image/png" }] }],
      /messages\[0\]\.content\[0\]|assistant message's "file" part/,
    ],
    [
      "media in a tool result",
      [
        {
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: "c1",
              toolName: "chart",
              output: { type: "content", value: [{ type: "media", data: "AQID", mediaType: "image/png" }] },
            },
          ],
        },
      ],
      /the tool "chart" answered with a "media" part/,
    ],
    [
      "an upload reference",
      [
        {
          role: "user",
          content: [
            { type: "file", data: { type: "reference", reference: {} }, mediaType: "application/pdf" },
          ],
        },
      ],
      /upload references are provider-specific/,
    ],
  ])("refuses %s by name, never drops it", (_, messages, message) => {
    const refuse = () => messagesFromAiSdk(messages as never);
    expect(refuse).toThrow(InvalidArgumentError);
    expect(refuse).toThrow(message);
    expect(refuse).toThrow(/^messagesFromAiSdk: /);
  });

  it("refuses a non-array", () => {
    expect(() => messagesFromAiSdk("hi" as never)).toThrow(/"messages" must be an array/);
  });
});

describe("toAiSdk's request", () => {
  it("maps the call options: tools, tool choice, output cap, temperature, stop sequences", () => {
    expect(
      requestOfAiSdkCall({
        prompt: [{ role: "user", content: [{ type: "text", text: "q" }] }],
        maxOutputTokens: 100,
        temperature: 0.2,
        stopSequences: ["END"],
        tools: [
          { type: "function", name: "lookup", description: "Looks up", inputSchema: { type: "object" } },
        ],
        toolChoice: { type: "tool", toolName: "lookup" },
      }),
    ).toEqual({
      messages: [{ role: "user", content: "q" }],
      maxOutputTokens: 100,
      temperature: 0.2,
      stop: ["END"],
      tools: [{ name: "lookup", description: "Looks up", inputSchema: { type: "object" } }],
      toolChoice: { type: "tool", toolName: "lookup" },
    });
    expect(
      requestOfAiSdkCall({ prompt: [{ role: "user", content: "q" }], toolChoice: { type: "required" } })
        .toolChoice,
    ).toBe("required");
  });

  it("names toAiSdk in its errors", () => {
    expect(() => requestOfAiSdkCall({ prompt: [{ role: "system", content: [] }] })).toThrow(
      /^toAiSdk: a system message's content must be a string/,
    );
  });
});
