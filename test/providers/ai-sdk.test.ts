import { inspect } from "node:util";
import { APICallError } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { transportRetriesOf } from "../../src/errors/call-details.js";
import { InvalidArgumentError, ProviderError } from "../../src/index.js";
import { fromAiSdk } from "../../src/providers/ai-sdk.js";
import { manualClock } from "../../src/testing/index.js";

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

/** A v3 `doGenerate` result. */
const result = (
  text: string,
  unified: "stop" | "length" | "content-filter" | "tool-calls" | "error" | "other" = "stop",
  tokens: { input?: number; output?: number } = { input: 10, output: 4 },
) => ({
  content: [
    { type: "reasoning" as const, text: "thinking..." },
    { type: "text" as const, text },
  ],
  finishReason: { unified, raw: unified },
  usage: {
    inputTokens: { total: tokens.input, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: tokens.output, text: undefined, reasoning: undefined },
  },
  warnings: [],
});

const apiError = (
  statusCode: number | undefined,
  extra: Partial<ConstructorParameters<typeof APICallError>[0]> = {},
) =>
  new APICallError({
    message: extra.message ?? `status ${statusCode}`,
    url: "https://generativelanguage.googleapis.com/v1/models?key=AIzaSyA-secret-0123456789abcdef",
    requestBodyValues: { prompt: "hi" },
    ...(statusCode === undefined ? {} : { statusCode }),
    ...extra,
  });

describe("fromAiSdk with the SDK's MockLanguageModelV3", () => {
  it("sends the rendered prompt and settings, and maps text, finish reason and usage", async () => {
    const mock = new MockLanguageModelV3({ provider: "mock", modelId: "m-1", doGenerate: result("Hello") });
    const model = fromAiSdk(mock);
    const generation = await model.generate({
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hi" },
      ],
      context: ["doc"],
      maxOutputTokens: 50,
      temperature: 0.3,
      stop: ["END"],
    });
    expect(generation).toEqual({
      text: "Hello",
      finishReason: "stop",
      usage: { inputTokens: 10, outputTokens: 4 },
      modelId: "mock:m-1",
    });
    const call = mock.doGenerateCalls[0]!;
    expect(call.maxOutputTokens).toBe(50);
    expect(call.temperature).toBe(0.3);
    expect(call.stopSequences).toEqual(["END"]);
    expect(call.abortSignal).toBeInstanceOf(AbortSignal);
    expect(call.prompt[0]).toEqual({ role: "system", content: expect.stringContaining("be brief") });
    expect(call.prompt[0]?.content).toContain("<rungs-context");
    expect(call.prompt[1]).toEqual({ role: "user", content: [{ type: "text", text: "hi" }] });
  });

  it.each([
    ["stop", "stop"],
    ["length", "length"],
    ["content-filter", "content-filter"],
    ["tool-calls", "tool-calls"],
    ["error", "error"],
    ["other", "other"],
  ] as const)("maps finish reason %s → %s", async (unified, expected) => {
    const model = fromAiSdk(new MockLanguageModelV3({ doGenerate: result("x", unified) }));
    expect((await model.generate(ask("q"))).finishReason).toBe(expected);
  });

  it("works with generate detached from the model", async () => {
    const { generate } = fromAiSdk(new MockLanguageModelV3({ doGenerate: result("detached") }));
    await expect(generate(ask("q"))).resolves.toMatchObject({ text: "detached" });
  });

  it("leaves unreported token counts out", async () => {
    const model = fromAiSdk(new MockLanguageModelV3({ doGenerate: result("x", "stop", {}) }));
    expect((await model.generate(ask("q"))).usage).toEqual({});
  });

  it.each([
    [401, "Incorrect API key provided: sk-proj-abcdefghijklmnop", "auth"],
    [404, "The model `gpt-9` does not exist", "model-not-found"],
    [400, "This model's maximum context length is 8192 tokens", "context-overflow"],
    [400, "Invalid value for temperature", "invalid-request"],
    [429, "You exceeded your current quota (insufficient_quota)", "quota-exhausted"],
  ] as const)("maps APICallError %i to %s, not retried", async (status, message, kind) => {
    const mock = new MockLanguageModelV3({
      doGenerate: async () => {
        throw apiError(status, { message, responseBody: `{"error":"${message}"}` });
      },
    });
    const error = (await fromAiSdk(mock)
      .generate(ask("q"))
      .catch((e: unknown) => e)) as ProviderError;
    expect(ProviderError.isInstance(error)).toBe(true);
    expect({ kind: error.kind, status: error.status }).toEqual({ kind, status });
    expect(mock.doGenerateCalls).toHaveLength(1);
    for (const text of [
      error.message,
      String(error.body),
      inspect(error, { depth: 10 }),
      JSON.stringify(error),
    ]) {
      expect(text).not.toContain("sk-proj-abcdefghijklmnop");
      expect(text).not.toContain("AIzaSyA-secret");
    }
  });

  it("retries a 429 after its Retry-After and a connection failure, recording both", async () => {
    const clock = manualClock();
    let calls = 0;
    const mock = new MockLanguageModelV3({
      doGenerate: async () => {
        calls += 1;
        if (calls === 1) throw apiError(429, { responseHeaders: { "retry-after": "3" }, isRetryable: true });
        if (calls === 2)
          throw apiError(undefined, { message: "Cannot connect to API: ECONNRESET", isRetryable: true });
        return result("finally");
      },
    });
    const model = fromAiSdk(mock, { clock, retry: { random: () => 0 } });
    const run = model.generate(ask("q"));
    for (let turn = 0; turn < 100 && clock.pending === 0; turn += 1)
      await new Promise((r) => setImmediate(r));
    await clock.advance(3_000);
    const generation = await run;
    expect(generation.text).toBe("finally");
    expect(generation.trace?.transportRetries?.map((r) => [r.kind, r.delayMs])).toEqual([
      ["rate-limited", 3_000],
      ["network", 0],
    ]);
  });

  it("gives up on 5xx after maxRetries with the retries on the error", async () => {
    const mock = new MockLanguageModelV3({
      doGenerate: async () => {
        throw apiError(503, { isRetryable: true });
      },
    });
    const error = await fromAiSdk(mock, { retry: { maxRetries: 2, random: () => 0 } })
      .generate(ask("q"))
      .catch((e: unknown) => e);
    expect((error as ProviderError).kind).toBe("server-error");
    expect(transportRetriesOf(error)).toHaveLength(2);
    expect(mock.doGenerateCalls).toHaveLength(3);
  });

  // A missing API key (auth) and the call's abort reaching doGenerate are checked for every AI SDK major,
  // this one included, in ai-sdk-majors.test.ts.

  it("refuses an id string or a non-model at construction, and keeps headers out of JSON and inspect", () => {
    expect(() => fromAiSdk("openai/gpt-4o" as never)).toThrow(InvalidArgumentError);
    expect(() => fromAiSdk({} as never)).toThrow(/specification v2, v3 or v4/);
    const model = fromAiSdk(new MockLanguageModelV3({ doGenerate: result("x") }), {
      headers: { authorization: "Bearer tok-0123456789abcdef" },
    });
    expect(JSON.stringify(model)).toBe('{"id":"mock-provider:mock-model-id","provider":"ai-sdk"}');
    expect(inspect(model, { showHidden: true, depth: 10 })).not.toContain("tok-0123456789abcdef");
  });
});
