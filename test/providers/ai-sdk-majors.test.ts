// fromAiSdk against every supported AI SDK major, each with the SDK's own test mock: ai 5
// (MockLanguageModelV2, specification v2), ai 6 (MockLanguageModelV3, v3) and ai 7 (MockLanguageModelV4,
// v4). The same behaviour is checked on each: finish reasons, usage, errors, abort, and a ladder. ai 7
// needs Node >= 22 and is installed apart, in test/ai-sdk-7: on Node 20 its suite is skipped (the title says
// so) and the Node 24 step of .ci/run installs it and runs it with RUNGS_REQUIRE_AI_SDK_7=1, which turns a
// skip into a failure.
import { describe, expect, it } from "vitest";
import { defineRubric, escalateAcross, notMatches, ProviderError } from "../../src/index.js";
import { type AiSdkLanguageModel, fromAiSdk, messagesFromAiSdk } from "../../src/providers/ai-sdk.js";
import { aiSdkMajors, imagePartFor, importAi7, majorRuns, systemOptionFor } from "../support/ai-sdk.js";

type Unified = "stop" | "length" | "content-filter" | "tool-calls" | "error" | "other";
type Tokens = { input?: number; output?: number };
/** What the tests read back from any major's mock. */
type RecordedCall = { abortSignal?: AbortSignal | undefined; prompt: unknown[] };
type Mock = AiSdkLanguageModel & { doGenerateCalls: RecordedCall[] };
type DoGenerate = (options: { abortSignal?: AbortSignal | undefined }) => PromiseLike<unknown>;

interface Major {
  name: string;
  specificationVersion: "v2" | "v3" | "v4";
  /** Node's major version this SDK major runs on, at least. */
  minNode: number;
  load(): Promise<{
    mock(doGenerate: DoGenerate, ids?: { provider: string; modelId: string }): Mock;
    APICallError: new (options: {
      message: string;
      url: string;
      requestBodyValues: unknown;
      statusCode?: number;
      responseBody?: string;
    }) => Error;
    LoadAPIKeyError: new (options: { message: string }) => Error;
  }>;
  /** A `doGenerate` result in this major's shape. */
  result(text: string, unified?: Unified | "interrupted", tokens?: Tokens): unknown;
}

const v2Result = (text: string, unified: string = "stop", tokens: Tokens = { input: 10, output: 4 }) => ({
  content: [
    { type: "reasoning", text: "thinking..." },
    { type: "text", text },
  ],
  finishReason: unified,
  usage: { inputTokens: tokens.input, outputTokens: tokens.output, totalTokens: undefined },
  warnings: [],
});

const v3Result = (text: string, unified: string = "stop", tokens: Tokens = { input: 10, output: 4 }) => ({
  content: [
    { type: "reasoning", text: "thinking..." },
    { type: "text", text },
  ],
  finishReason: { unified, raw: unified },
  usage: {
    inputTokens: { total: tokens.input, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: tokens.output, text: undefined, reasoning: undefined },
  },
  warnings: [],
});

const majors: Major[] = [
  {
    name: "ai 5",
    specificationVersion: "v2",
    minNode: 18,
    result: v2Result,
    async load() {
      const [sdk, test] = await Promise.all([import("ai-v5"), import("ai-v5/test")]);
      return {
        mock: (doGenerate, ids) =>
          new test.MockLanguageModelV2({ ...ids, doGenerate: doGenerate as never }) as unknown as Mock,
        APICallError: sdk.APICallError,
        LoadAPIKeyError: sdk.LoadAPIKeyError,
      };
    },
  },
  {
    name: "ai 6",
    specificationVersion: "v3",
    minNode: 18,
    result: v3Result,
    async load() {
      const [sdk, test] = await Promise.all([import("ai"), import("ai/test")]);
      return {
        mock: (doGenerate, ids) =>
          new test.MockLanguageModelV3({ ...ids, doGenerate: doGenerate as never }) as unknown as Mock,
        APICallError: sdk.APICallError,
        LoadAPIKeyError: sdk.LoadAPIKeyError,
      };
    },
  },
  {
    name: "ai 7",
    specificationVersion: "v4",
    minNode: 22,
    result: v3Result, // v4 results have the v3 shape; v4 adds the finish reason "interrupted"
    async load() {
      const [sdk, test] = (await Promise.all([importAi7("ai"), importAi7("ai/test")])) as [
        {
          APICallError: Awaited<ReturnType<Major["load"]>>["APICallError"];
          LoadAPIKeyError: Awaited<ReturnType<Major["load"]>>["LoadAPIKeyError"];
        },
        { MockLanguageModelV4: new (options: unknown) => unknown },
      ];
      return {
        mock: (doGenerate, ids) =>
          new test.MockLanguageModelV4({ ...ids, doGenerate: doGenerate as never }) as unknown as Mock,
        APICallError: sdk.APICallError,
        LoadAPIKeyError: sdk.LoadAPIKeyError,
      };
    },
  },
];

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

for (const major of majors) {
  const { runs, title } = majorRuns(major, "fromAiSdk");
  describe.skipIf(!runs)(title, () => {
    const sdk = () => major.load();
    const returning =
      (value: unknown): DoGenerate =>
      async () =>
        value;

    it("is a model of that specification, and maps text (reasoning left out) and usage", async () => {
      const { mock } = await sdk();
      const model = mock(returning(major.result("Hello")), { provider: "mock", modelId: "m-1" });
      expect(model.specificationVersion).toBe(major.specificationVersion);
      const generation = await fromAiSdk(model).generate(ask("hi"));
      expect(generation).toEqual({
        text: "Hello",
        finishReason: "stop",
        usage: { inputTokens: 10, outputTokens: 4 },
        modelId: "mock:m-1",
      });
      expect(model.doGenerateCalls[0]?.prompt).toEqual([
        { role: "user", content: [{ type: "text", text: "hi" }] },
      ]);
    });

    it.each([
      ["stop", "stop"],
      ["length", "length"],
      ["content-filter", "content-filter"],
      ["tool-calls", "tool-calls"],
      ["error", "error"],
      ["other", "other"],
    ] as const)("maps finish reason %s → %s", async (unified, expected) => {
      const { mock } = await sdk();
      const model = fromAiSdk(mock(returning(major.result("x", unified))));
      expect((await model.generate(ask("q"))).finishReason).toBe(expected);
    });

    it("leaves unreported token counts out", async () => {
      const { mock } = await sdk();
      const model = fromAiSdk(mock(returning(major.result("x", "stop", {}))));
      expect((await model.generate(ask("q"))).usage).toEqual({});
    });

    it.each([
      [401, "Incorrect API key provided", "auth"],
      [404, "The model `gpt-9` does not exist", "model-not-found"],
      [400, "This model's maximum context length is 8192 tokens", "context-overflow"],
      [429, "You exceeded your current quota (insufficient_quota)", "quota-exhausted"],
    ] as const)("maps APICallError %i to %s, not retried", async (statusCode, message, kind) => {
      const { mock, APICallError } = await sdk();
      const model = mock(async () => {
        throw new APICallError({ message, url: "https://api.example", requestBodyValues: {}, statusCode });
      });
      const error = await fromAiSdk(model)
        .generate(ask("q"))
        .catch((e: unknown) => e);
      expect(ProviderError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ kind, status: statusCode });
      expect(model.doGenerateCalls).toHaveLength(1);
    });

    it("maps a missing API key to auth", async () => {
      const { mock, LoadAPIKeyError } = await sdk();
      const model = mock(async () => {
        throw new LoadAPIKeyError({ message: "API key is missing." });
      });
      await expect(fromAiSdk(model).generate(ask("q"))).rejects.toMatchObject({ kind: "auth" });
    });

    it("passes the call's abort to doGenerate and rejects with signal.reason", async () => {
      const { mock } = await sdk();
      const model = mock(
        (options) =>
          new Promise((_, reject) => {
            options.abortSignal?.addEventListener("abort", () => reject(new Error("provider saw abort")));
          }),
      );
      const controller = new AbortController();
      const run = fromAiSdk(model)
        .generate(ask("q"), { signal: controller.signal })
        .catch((e: unknown) => e);
      await new Promise((r) => setImmediate(r));
      const reason = new Error("stop");
      controller.abort(reason);
      expect(await run).toBe(reason);
      expect(model.doGenerateCalls[0]?.abortSignal?.aborted).toBe(true);
    });

    it("runs as rungs of escalateAcross: a rejected answer climbs, the next rung's is accepted", async () => {
      const { mock } = await sdk();
      const small = mock(returning(major.result("let x = y.unwrap();")), {
        provider: "mock",
        modelId: "small",
      });
      const large = mock(returning(major.result("let x = y?;")), { provider: "mock", modelId: "large" });
      const rubric = defineRubric({ id: "no-unwrap", rules: [notMatches("no-unwrap", /\.unwrap\(\)/)] });
      const answer = await escalateAcross([fromAiSdk(small), fromAiSdk(large)], { rubric }).generate(
        ask("fix"),
      );
      expect(answer).toMatchObject({ text: "let x = y?;", modelId: "mock:large" });
      expect(answer.trace?.attempts?.map((attempt) => [attempt.modelId, attempt.kind ?? "accepted"])).toEqual(
        [
          ["mock:small", "rejected"],
          ["mock:large", "accepted"],
        ],
      );
      // The second rung saw the first one's failure as feedback.
      expect(JSON.stringify(large.doGenerateCalls[0]?.prompt)).toContain("no-unwrap");
    });

    if (major.specificationVersion === "v4") {
      it('fails an "interrupted" answer (the stream ended without a completion signal), keeping its text', async () => {
        const { mock } = await sdk();
        const model = mock(returning(major.result("half an ans", "interrupted")));
        const error = await fromAiSdk(model, { retry: { maxRetries: 0 } })
          .generate(ask("q"))
          .catch((e: unknown) => e);
        expect(ProviderError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({ kind: "server-error", partialText: "half an ans" });
        expect((error as Error).message).toMatch(/interrupted/);
      });
    }
  });
}

// A user's AI SDK conversation, as `generateText({ messages })` takes it: an image, an earlier tool call and
// its result (the system prompt goes beside it, as the SDK wants).
const conversationFor = (major: Pick<Major, "name">) => [
  {
    role: "user",
    content: [
      { type: "text", text: "Which city is this, and how warm is it there?" },
      imagePartFor(major, new Uint8Array([137, 80, 78, 71]), "image/png"),
    ],
  },
  {
    role: "assistant",
    content: [
      { type: "text", text: "Lyon. Checking the weather." },
      { type: "tool-call", toolCallId: "c1", toolName: "getWeather", input: { city: "Lyon" } },
    ],
  },
  {
    role: "tool",
    content: [
      {
        type: "tool-result",
        toolCallId: "c1",
        toolName: "getWeather",
        output: { type: "json", value: { celsius: 21.5 } },
      },
    ],
  },
  { role: "user", content: "And in °F?" },
];
const system = "You are a weather agent.";
const convertSchema = {
  type: "object",
  properties: { celsius: { type: "number" } },
  required: ["celsius"],
  additionalProperties: false,
};

for (const major of aiSdkMajors) {
  const { runs, title } = majorRuns(major, "fromAiSdk with tools");
  describe.skipIf(!runs)(title, () => {
    const toolCallResult = (input: string) => {
      const base = majors.find((m) => m.name === major.name)?.result("", "tool-calls") as Record<
        string,
        unknown
      >;
      return { ...base, content: [{ type: "tool-call", toolCallId: "c2", toolName: "toFahrenheit", input }] };
    };

    it("takes a user's ModelMessage[] conversation (an image, a tool call and its result) through escalateAcross unchanged, and returns the tool calls", async () => {
      const sdk = await major.load();
      // What the SDK itself sends a model for this conversation and tool.
      const direct = new sdk.MockLanguageModel({ doGenerate: toolCallResult('{"celsius":21.5}') });
      await sdk.generateText({
        model: direct,
        ...systemOptionFor(major, system),
        messages: conversationFor(major),
        tools: {
          toFahrenheit: sdk.tool({ description: "°C to °F", inputSchema: sdk.jsonSchema(convertSchema) }),
        },
      });
      const expected = direct.doGenerateCalls[0].prompt as Array<{ role: string; content: unknown }>;

      const small = new sdk.MockLanguageModel({
        provider: "mock",
        modelId: "small",
        // No text and no tool call: an empty answer, so the ladder climbs.
        doGenerate: majors.find((m) => m.name === major.name)?.result(""),
      });
      const large = new sdk.MockLanguageModel({
        provider: "mock",
        modelId: "large",
        doGenerate: toolCallResult('{"celsius":21.5}'),
      });
      const answer = await escalateAcross([fromAiSdk(small), fromAiSdk(large)]).generate({
        messages: [
          { role: "system", content: system },
          ...messagesFromAiSdk(conversationFor(major) as never),
        ],
        tools: [{ name: "toFahrenheit", description: "°C to °F", inputSchema: convertSchema }],
      });

      expect(small.doGenerateCalls[0].prompt).toEqual(expected);
      expect(small.doGenerateCalls[0].tools).toEqual(direct.doGenerateCalls[0].tools);
      // The second rung gets the same conversation, with the first one's empty answer as feedback.
      const [systemMessage, ...rest] = large.doGenerateCalls[0].prompt as Array<{
        role: string;
        content: string;
      }>;
      expect(rest).toEqual(expected.slice(1));
      expect(systemMessage?.content).toMatch(/^You are a weather agent\.[\s\S]*<rungs-feedback[\s\S]*empty/);
      expect(answer).toMatchObject({
        text: "",
        finishReason: "tool-calls",
        toolCalls: [{ id: "c2", name: "toFahrenheit", input: { celsius: 21.5 } }],
        modelId: "mock:large",
      });
    });

    it("passes toolChoice on, and keeps a tool call whose input is not JSON as its text for the rubric to refuse", async () => {
      const sdk = await major.load();
      const model = new sdk.MockLanguageModel({ doGenerate: toolCallResult("{celsius: 21.5") });
      const generation = await fromAiSdk(model).generate({
        messages: [{ role: "user", content: "convert 21.5" }],
        tools: [{ name: "toFahrenheit", inputSchema: convertSchema }],
        toolChoice: { type: "tool", toolName: "toFahrenheit" },
      });
      expect(model.doGenerateCalls[0].toolChoice).toEqual({ type: "tool", toolName: "toFahrenheit" });
      expect(generation.toolCalls).toEqual([{ id: "c2", name: "toFahrenheit", input: "{celsius: 21.5" }]);
    });
  });
}
