// fromAiSdk against every supported AI SDK major, each with the SDK's own test mock: ai 5
// (MockLanguageModelV2, specification v2), ai 6 (MockLanguageModelV3, v3) and ai 7 (MockLanguageModelV4,
// v4). The same behaviour is checked on each: finish reasons, usage, errors, abort, and a ladder. ai 7
// needs Node >= 22 and is installed apart, in test/ai-sdk-7: on Node 20 its suite is skipped (the title says
// so) and the Node 24 step of .ci/run installs it and runs it with RUNGS_REQUIRE_AI_SDK_7=1, which turns a
// skip into a failure.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { defineRubric, escalateAcross, notMatches, ProviderError } from "../../src/index.js";
import { type AiSdkLanguageModel, fromAiSdk } from "../../src/providers/ai-sdk.js";

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

/**
 * ai 7 from its own install in test/ai-sdk-7 (it needs Node >= 22, so it is not among the dev
 * dependencies, whose `npm ci` must be quiet on Node 20).
 */
async function importAi7(specifier: string): Promise<unknown> {
  const require = createRequire(new URL("../ai-sdk-7/package.json", import.meta.url));
  let resolved: string;
  try {
    resolved = require.resolve(specifier);
  } catch (error) {
    throw new Error(
      `ai 7 is not installed for the tests: run \`npm ci --prefix test/ai-sdk-7\` (on Node >= 22). ${(error as Error).message}`,
    );
  }
  return import(pathToFileURL(resolved).href);
}

const nodeMajor = Number(process.versions.node.split(".")[0]);
const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

for (const major of majors) {
  const runs = nodeMajor >= major.minNode;
  if (!runs && major.name === "ai 7" && process.env.RUNGS_REQUIRE_AI_SDK_7 === "1") {
    throw new Error(
      `RUNGS_REQUIRE_AI_SDK_7=1 but this is Node ${process.versions.node}: ai 7 needs Node >= 22`,
    );
  }
  const title = runs
    ? `fromAiSdk with ${major.name} (specification ${major.specificationVersion})`
    : `fromAiSdk with ${major.name} (specification ${major.specificationVersion}): skipped, ${major.name} needs Node >= ${major.minNode} and this is Node ${process.versions.node}; the Node 24 step of .ci/run runs it`;

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
      ["tool-calls", "other"],
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
