// fromAiSdk streaming through the SDK model's doStream, on every supported AI SDK major (ai 5: v2, ai 6: v3,
// ai 7: v4, the last on Node >= 22 only; see test/support/ai-sdk.ts), each with the SDK's own mock model:
// deltas, tool calls and finish mapped as generate maps them, error parts and broken streams as
// ProviderErrors, and the SDK's ReadableStream cancelled whenever rungs stops reading it.
import { describe, expect, it, vi } from "vitest";
import {
  defineRubric,
  escalateAcross,
  notMatches,
  ProviderError,
  retryWithContext,
  type StreamPart,
} from "../../src/index.js";
import { fromAiSdk } from "../../src/providers/ai-sdk.js";
import { aiSdkMajors, majorRuns } from "../support/ai-sdk.js";

type Unified = "stop" | "length" | "tool-calls" | "other" | "interrupted";

/** A `finish` stream part in the major's shape (v2: a string and numbers; v3, v4: objects). */
function finishPart(version: string, unified: Unified = "stop", input = 10, output = 4) {
  return version === "v2"
    ? {
        type: "finish",
        finishReason: unified,
        usage: { inputTokens: input, outputTokens: output, totalTokens: input + output },
      }
    : {
        type: "finish",
        finishReason: { unified, raw: unified },
        usage: {
          inputTokens: { total: input, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: output, text: undefined, reasoning: undefined },
        },
      };
}

/** The text parts of one block, as providers send them. */
const textBlock = (id: string, ...deltas: string[]) => [
  { type: "text-start", id },
  ...deltas.map((delta) => ({ type: "text-delta", id, delta })),
  { type: "text-end", id },
];

/**
 * A ReadableStream of `parts`, then (with `hang`) nothing ever again. It records whether it was cancelled,
 * and how many parts were read, so a test sees rungs stop reading.
 */
function providerStream(parts: readonly unknown[], options: { hang?: boolean } = {}) {
  const state = { cancelled: undefined as unknown, read: 0 };
  let i = 0;
  const stream = new ReadableStream<unknown>(
    {
      pull(controller) {
        if (i < parts.length) {
          controller.enqueue(parts[i++]);
          state.read = i;
          return;
        }
        if (options.hang === true) return new Promise<void>(() => {});
        controller.close();
      },
      cancel(reason) {
        state.cancelled = reason ?? "cancelled";
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

for (const major of aiSdkMajors) {
  const { runs, title } = majorRuns(major, "fromAiSdk streaming");
  describe.skipIf(!runs)(title, () => {
    const v = major.specificationVersion;
    const mockOf = async (
      doStream: unknown,
      ids: { provider: string; modelId: string } = { provider: "mock", modelId: "m" },
    ) => {
      const sdk = await major.load();
      return new sdk.MockLanguageModel({ ...ids, doStream });
    };

    it("streams text deltas and complete tool calls (reasoning and tool-input deltas passed over), and ends with generate's generation", async () => {
      const parts = [
        { type: "stream-start", warnings: [] },
        { type: "response-metadata", id: "r1", modelId: "m-1" },
        { type: "reasoning-start", id: "think" },
        { type: "reasoning-delta", id: "think", delta: "hmm" },
        { type: "reasoning-end", id: "think" },
        ...textBlock("t1", "Checking ", "the weather."),
        { type: "tool-input-start", id: "c1", toolName: "getWeather" },
        { type: "tool-input-delta", id: "c1", delta: '{"city":' },
        { type: "tool-input-delta", id: "c1", delta: '"Lyon"}' },
        { type: "tool-input-end", id: "c1" },
        { type: "tool-call", toolCallId: "c1", toolName: "getWeather", input: '{"city":"Lyon"}' },
        // Run by the provider itself: not a call for rungs' caller, as generate leaves it out.
        {
          type: "tool-call",
          toolCallId: "p1",
          toolName: "web_search",
          input: "{}",
          providerExecuted: true,
        },
        { type: "raw", rawValue: { anything: true } },
        finishPart(v, "tool-calls", 12, 7),
      ];
      const { stream, state } = providerStream(parts);
      const model = await mockOf({ stream });
      const streamed = await collect(fromAiSdk(model).stream(ask("How warm is Lyon?")));

      expect(streamed.map((part) => part.type)).toEqual(["text-delta", "text-delta", "tool-call", "finish"]);
      expect(streamed.slice(0, 3)).toEqual([
        { type: "text-delta", text: "Checking " },
        { type: "text-delta", text: "the weather." },
        { type: "tool-call", toolCall: { id: "c1", name: "getWeather", input: { city: "Lyon" } } },
      ]);
      expect(streamed[3]).toEqual({
        type: "finish",
        generation: {
          text: "Checking the weather.",
          finishReason: "tool-calls",
          usage: { inputTokens: 12, outputTokens: 7 },
          modelId: "mock:m",
          toolCalls: [{ id: "c1", name: "getWeather", input: { city: "Lyon" } }],
        },
      });
      expect(state.read).toBe(parts.length);
      // The call the SDK model got: the same prompt generate sends, and a live abort signal.
      expect(model.doStreamCalls[0].prompt).toEqual([
        { role: "user", content: [{ type: "text", text: "How warm is Lyon?" }] },
      ]);
      expect(model.doStreamCalls[0].abortSignal).toBeInstanceOf(AbortSignal);
    });

    it("fails on an error part as a ProviderError carrying the provider's message, keeps the text so far, and cancels the stream", async () => {
      const { stream, state } = providerStream(
        [
          ...textBlock("t1", "Half an ").slice(0, 2),
          { type: "error", error: { type: "server_error", message: "The server had an error mid-answer" } },
          ...textBlock("t1", "never read"),
          finishPart(v),
        ],
        { hang: true },
      );
      const model = await mockOf({ stream });
      const seen: StreamPart[] = [];
      const error = await (async () => {
        for await (const part of fromAiSdk(model, { retry: { maxRetries: 2, random: () => 0 } }).stream(
          ask("q"),
        ))
          seen.push(part);
      })().catch((e: unknown) => e);

      expect(ProviderError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ kind: "server-error", providerId: "mock:m", partialText: "Half an " });
      expect((error as Error).message).toContain("The server had an error mid-answer");
      expect(seen).toEqual([{ type: "text-delta", text: "Half an " }]);
      // Once parts flowed nothing is re-sent: one call, and the stream was cancelled past the error.
      expect(model.doStreamCalls).toHaveLength(1);
      await vi.waitFor(() => expect(state.cancelled).toBeDefined());
      expect(state.read).toBe(3);
    });

    it("maps an APICallError in an error part by its status, and a stream that breaks as the error it broke with", async () => {
      const sdk = await major.load();
      const { APICallError } = sdk as unknown as {
        APICallError: new (options: object) => Error;
      };
      const limited = new APICallError({
        message: "Rate limit reached",
        url: "https://api.example",
        requestBodyValues: {},
        statusCode: 429,
        responseHeaders: { "retry-after": "2" },
      });
      const inPart = await mockOf({
        stream: providerStream([{ type: "error", error: limited }]).stream,
      });
      await expect(collect(fromAiSdk(inPart).stream(ask("q")))).rejects.toMatchObject({
        kind: "rate-limited",
        status: 429,
        retryAfterMs: 2000,
      });

      let pulls = 0;
      const broken = new ReadableStream(
        {
          pull(controller) {
            pulls += 1;
            if (pulls === 1) controller.enqueue({ type: "text-delta", id: "t", delta: "par" });
            else controller.error(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
          },
        },
        { highWaterMark: 0 },
      );
      const error = await collect(fromAiSdk(await mockOf({ stream: broken })).stream(ask("q"))).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ kind: "network", partialText: "par" });
    });

    it("retries opening the stream (a 503 from doStream) as generate retries its call, and reports the retry", async () => {
      const sdk = await major.load();
      const { APICallError } = sdk as unknown as { APICallError: new (options: object) => Error };
      let calls = 0;
      const model = await mockOf(async () => {
        calls += 1;
        if (calls === 1) {
          throw new APICallError({
            message: "Service Unavailable",
            url: "https://api.example",
            requestBodyValues: {},
            statusCode: 503,
            isRetryable: true,
          });
        }
        return { stream: providerStream([...textBlock("t", "ok"), finishPart(v)]).stream };
      });
      const parts = await collect(
        fromAiSdk(model, { retry: { maxRetries: 2, random: () => 0 } }).stream(ask("q")),
      );
      const finish = parts.at(-1);
      expect(finish?.type === "finish" && finish.generation.text).toBe("ok");
      expect(finish?.type === "finish" && finish.generation.trace?.transportRetries).toMatchObject([
        { kind: "server-error", status: 503 },
      ]);
      expect(calls).toBe(2);
    });

    it("refuses an unauthorised doStream at once (auth, no retry)", async () => {
      const sdk = await major.load();
      const { APICallError } = sdk as unknown as { APICallError: new (options: object) => Error };
      const model = await mockOf(async () => {
        throw new APICallError({
          message: "Incorrect API key provided",
          url: "https://api.example",
          requestBodyValues: {},
          statusCode: 401,
        });
      });
      await expect(collect(fromAiSdk(model).stream(ask("q")))).rejects.toMatchObject({
        kind: "auth",
        status: 401,
      });
      expect(model.doStreamCalls).toHaveLength(1);
    });

    it("fails a stream that ends without a finish part, keeping its text", async () => {
      const model = await mockOf({ stream: providerStream(textBlock("t", "cut sho")).stream });
      const error = await collect(fromAiSdk(model).stream(ask("q"))).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: "server-error", partialText: "cut sho" });
      expect((error as Error).message).toMatch(/without a finish part/);
    });

    it("cancels the SDK's stream and aborts its signal when the consumer leaves the loop", async () => {
      const { stream, state } = providerStream(textBlock("t", "one ", "two ", "three"), { hang: true });
      const model = await mockOf({ stream });
      for await (const part of fromAiSdk(model).stream(ask("q"))) {
        expect(part).toEqual({ type: "text-delta", text: "one " });
        break;
      }
      await vi.waitFor(() => expect(state.cancelled).toBeDefined());
      expect(model.doStreamCalls[0].abortSignal.aborted).toBe(true);
      expect(state.read).toBeLessThan(5);
    });

    it("rejects with the caller's reason on abort mid-stream, and cancels the stream", async () => {
      const { stream, state } = providerStream(textBlock("t", "one ").slice(0, 2), { hang: true });
      const model = await mockOf({ stream });
      const controller = new AbortController();
      const reason = new Error("user left");
      const run = (async () => {
        for await (const part of fromAiSdk(model).stream(ask("q"), { signal: controller.signal })) {
          if (part.type === "text-delta") controller.abort(reason);
        }
      })();
      await expect(run).rejects.toBe(reason);
      await vi.waitFor(() => expect(state.cancelled).toBeDefined());
      expect(model.doStreamCalls[0].abortSignal.aborted).toBe(true);
    });

    it("ends a stream that never finishes at the attempt time limit, cancels it, and the next rung answers", async () => {
      const stalled = providerStream(textBlock("t", "I am thinking").slice(0, 2), { hang: true });
      const small = await mockOf({ stream: stalled.stream }, { provider: "mock", modelId: "small" });
      const large = await mockOf(
        { stream: providerStream([...textBlock("t", "Paris", "."), finishPart(v)]).stream },
        { provider: "mock", modelId: "large" },
      );
      const parts = await collect(
        escalateAcross([fromAiSdk(small), fromAiSdk(large)], { attemptTimeoutMs: 150 }).stream(ask("q")),
      );
      const discard = parts.find((part) => part.type === "discard");
      expect(discard).toMatchObject({
        modelId: "mock:small",
        kind: "timeout",
        chars: "I am thinking".length,
      });
      const finish = parts.at(-1);
      expect(finish?.type === "finish" && finish.generation).toMatchObject({
        text: "Paris.",
        modelId: "mock:large",
      });
      await vi.waitFor(() => expect(stalled.state.cancelled).toBeDefined());
      expect(small.doStreamCalls[0].abortSignal.aborted).toBe(true);
    });

    it("stops reading past maxAnswerChars: a provider that never stops fails the attempt, its stream cancelled", async () => {
      // An endless stream of 1,000-char deltas.
      const state = { cancelled: false, read: 0 };
      const endless = new ReadableStream(
        {
          pull(controller) {
            state.read += 1;
            controller.enqueue({ type: "text-delta", id: "t", delta: "x".repeat(1000) });
          },
          cancel() {
            state.cancelled = true;
          },
        },
        { highWaterMark: 0 },
      );
      const model = await mockOf({ stream: endless });
      const error = await collect(fromAiSdk(model, { maxAnswerChars: 10_000 }).stream(ask("q"))).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ kind: "server-error" });
      expect((error as Error).message).toMatch(/10000-char cap \(maxAnswerChars\)/);
      expect((error as { partialText?: string }).partialText).toBe("x".repeat(10_000));
      await vi.waitFor(() => expect(state.cancelled).toBe(true));
      expect(state.read).toBe(11);
    });

    it("streams a ladder over AI SDK models: rung 1 discarded, rung 2 accepted and never glued to it", async () => {
      const small = await mockOf(
        { stream: providerStream([...textBlock("t", "let x = ", "y.unwrap();"), finishPart(v)]).stream },
        { provider: "mock", modelId: "small" },
      );
      const large = await mockOf(
        { stream: providerStream([...textBlock("t", "let x = ", "y?;"), finishPart(v)]).stream },
        { provider: "mock", modelId: "large" },
      );
      const rubric = defineRubric({ id: "no-unwrap", rules: [notMatches("no-unwrap", /\.unwrap\(\)/)] });
      const parts = await collect(
        escalateAcross([fromAiSdk(small), fromAiSdk(large)], { rubric }).stream(ask("fix")),
      );
      expect(parts.map((part) => (part.type === "text-delta" ? `+${part.text}` : part.type))).toEqual([
        "attempt-start",
        "+let x = ",
        "+y.unwrap();",
        "discard",
        "attempt-start",
        "+let x = ",
        "+y?;",
        "finish",
      ]);
      const finish = parts.at(-1);
      expect(finish?.type === "finish" && finish.generation).toMatchObject({
        text: "let x = y?;",
        modelId: "mock:large",
        usage: { inputTokens: 20, outputTokens: 8 },
      });
    });

    it("streams a model without doStream as doGenerate's answer in one chunk", async () => {
      const sdk = await major.load();
      const result =
        v === "v2"
          ? { content: [{ type: "text", text: "whole" }], finishReason: "stop", usage: {}, warnings: [] }
          : {
              content: [{ type: "text", text: "whole" }],
              finishReason: { unified: "stop", raw: "stop" },
              usage: { inputTokens: {}, outputTokens: {} },
              warnings: [],
            };
      const mock = new sdk.MockLanguageModel({ doGenerate: result });
      const bare = {
        specificationVersion: mock.specificationVersion,
        provider: "bare",
        modelId: "g",
        doGenerate: (options: never) => mock.doGenerate(options),
      };
      const parts = await collect(fromAiSdk(bare).stream(ask("q")));
      expect(parts.map((part) => part.type)).toEqual(["text-delta", "finish"]);
      expect(parts[0]).toEqual({ type: "text-delta", text: "whole" });
    });

    if (v === "v4") {
      it('fails an "interrupted" finish, keeping the text', async () => {
        const model = await mockOf({
          stream: providerStream([...textBlock("t", "half an ans"), finishPart(v, "interrupted")]).stream,
        });
        const error = await collect(fromAiSdk(model, { retry: { maxRetries: 0 } }).stream(ask("q"))).catch(
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ kind: "server-error", partialText: "half an ans" });
        expect((error as Error).message).toMatch(/interrupted/);
      });
    }

    it("retries within retryWithContext: a broken stream's attempt is recorded with its partial text", async () => {
      let calls = 0;
      const model = await mockOf(async () => {
        calls += 1;
        return calls === 1
          ? {
              stream: providerStream([
                ...textBlock("t", "par").slice(0, 2),
                { type: "error", error: "overloaded" },
              ]).stream,
            }
          : { stream: providerStream([...textBlock("t", "whole answer"), finishPart(v)]).stream };
      });
      const parts = await collect(retryWithContext(fromAiSdk(model), { maxAttempts: 2 }).stream(ask("q")));
      const finish = parts.at(-1);
      if (finish?.type !== "finish") throw new Error("no finish");
      expect(finish.generation.text).toBe("whole answer");
      expect(finish.generation.trace?.attempts?.[0]).toMatchObject({ kind: "server-error", text: "par" });
      expect(finish.generation.trace?.attempts?.[0]?.error?.message).toMatch(/overloaded/);
    });
  });
}
