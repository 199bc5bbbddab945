// toAiSdk: a rungs model inside the AI SDK, on every supported major (ai 5: specification v2, ai 6: v3,
// ai 7: v4, the last on Node >= 22 only; see test/support/ai-sdk.ts). generateText, its multi-step tool loop
// and the SDK's agent class run a rungs ladder whose every step is judged by validToolCalls.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  defineRubric,
  ExhaustedError,
  escalateAcross,
  type GenerateRequest,
  InvalidArgumentError,
  retryWithContext,
  validToolCalls,
} from "../../src/index.js";
import { toAiSdk } from "../../src/providers/ai-sdk.js";
import { installedAiSpecificationVersion } from "../../src/providers/ai-sdk-version.js";
import { scriptedModel } from "../../src/testing/index.js";
import {
  type AiSdkMajorApi,
  aiSdkMajors,
  imagePartFor,
  majorRuns,
  systemOptionFor,
} from "../support/ai-sdk.js";

const weatherSchema = {
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"],
  additionalProperties: false,
};
const convertSchema = {
  type: "object",
  properties: { celsius: { type: "number" } },
  required: ["celsius"],
  additionalProperties: false,
};
const rubric = defineRubric({ id: "tools", rules: [validToolCalls()] });
const call = (id: string, name: string, input: unknown) => ({
  text: "",
  finishReason: "tool-calls" as const,
  toolCalls: [{ id, name, input }],
  usage: { inputTokens: 20, outputTokens: 5 },
});

/** The agent's ladder: the small model's first tool call is invalid, the large one's is right. */
function agentLadder() {
  const small = scriptedModel("small", [
    call("c1", "getWeather", { town: "Paris" }),
    call("c2", "toFahrenheit", { celsius: 21 }),
    { text: "It is 21 °C (69.8 °F) in Paris.", usage: { inputTokens: 40, outputTokens: 12 } },
  ]);
  const large = scriptedModel("large", [call("c1", "getWeather", { city: "Paris" })]);
  return { small, large, ladder: escalateAcross([small, large], { rubric }) };
}

function tools(sdk: AiSdkMajorApi, seen: Array<[string, unknown]>) {
  return {
    getWeather: sdk.tool({
      description: "The temperature in a city, in °C",
      inputSchema: sdk.jsonSchema(weatherSchema),
      execute: async (input: { city: string }) => {
        seen.push(["getWeather", input]);
        return { celsius: 21 };
      },
    }),
    toFahrenheit: sdk.tool({
      description: "°C to °F",
      inputSchema: sdk.jsonSchema(convertSchema),
      execute: async (input: { celsius: number }) => {
        seen.push(["toFahrenheit", input]);
        return { fahrenheit: (input.celsius * 9) / 5 + 32 };
      },
    }),
  };
}

for (const major of aiSdkMajors) {
  const { runs, title } = majorRuns(major, "toAiSdk");
  describe.skipIf(!runs)(title, () => {
    const options = { specificationVersion: major.specificationVersion };

    it("is a model of that specification; generateText runs a ladder and reports who answered", async () => {
      const sdk = await major.load();
      const small = scriptedModel("small", [{ text: "", usage: { inputTokens: 3, outputTokens: 0 } }]);
      const large = scriptedModel("large", [{ text: "Bonjour", usage: { inputTokens: 4, outputTokens: 2 } }]);
      const model = toAiSdk(escalateAcross([small, large]), options);
      expect(model.specificationVersion).toBe(major.specificationVersion);
      const result = await sdk.generateText({
        model,
        ...systemOptionFor(major, "Be brief."),
        prompt: "Say hello in French.",
      });
      expect(result.text).toBe("Bonjour");
      expect(result.finishReason).toBe("stop");
      expect(result.usage).toMatchObject({ inputTokens: 7, outputTokens: 2 });
      expect(result.providerMetadata?.rungs).toEqual({
        modelId: "large",
        rung: 1,
        attemptCount: 2,
        climbed: true,
      });
      expect(small.calls[0]?.request.messages).toEqual([
        { role: "system", content: "Be brief." },
        { role: "user", content: "Say hello in French." },
      ]);
    });

    it("runs a three-step tool loop: the small model's invalid call is escalated, the tool gets the large model's input", async () => {
      const sdk = await major.load();
      const { small, large, ladder } = agentLadder();
      const seen: Array<[string, unknown]> = [];
      const result = await sdk.generateText({
        model: toAiSdk(ladder, options),
        tools: tools(sdk, seen),
        stopWhen: sdk.stepCountIs(3),
        prompt: "How warm is Paris, in °F?",
      });
      expect(seen).toEqual([
        ["getWeather", { city: "Paris" }],
        ["toFahrenheit", { celsius: 21 }],
      ]);
      expect(result.steps).toHaveLength(3);
      expect(result.text).toBe("It is 21 °C (69.8 °F) in Paris.");
      expect(
        result.steps.map((step: { providerMetadata?: { rungs?: unknown } }) => step.providerMetadata?.rungs),
      ).toEqual([
        { modelId: "large", rung: 1, attemptCount: 2, climbed: true },
        { modelId: "small", rung: 0, attemptCount: 1, climbed: false },
        { modelId: "small", rung: 0, attemptCount: 1, climbed: false },
      ]);
      // Step 1's usage is the whole run's: the refused attempt's tokens count too.
      expect(result.steps[0].usage).toMatchObject({ inputTokens: 40, outputTokens: 10 });
      // The large model saw why the small one's call was refused.
      expect(JSON.stringify(large.calls[0]?.request.feedback)).toMatch(/getWeather/);
      // Step 2's request carries the tools, the valid call and its result, as rungs messages.
      const second = small.calls[1]?.request as GenerateRequest;
      expect(second.tools?.map((tool) => tool.name)).toEqual(["getWeather", "toFahrenheit"]);
      expect(second.messages.slice(1)).toEqual([
        {
          role: "assistant",
          content: "",
          toolCalls: [{ id: "c1", name: "getWeather", input: { city: "Paris" } }],
        },
        {
          role: "tool",
          content: [
            { type: "tool-result", toolCallId: "c1", toolName: "getWeather", output: { celsius: 21 } },
          ],
        },
      ]);
    });

    it("runs the same loop in the SDK's agent class", async () => {
      const sdk = await major.load();
      const { ladder } = agentLadder();
      const seen: Array<[string, unknown]> = [];
      const agent = new sdk.Agent({
        model: toAiSdk(ladder, options),
        tools: tools(sdk, seen),
        stopWhen: sdk.stepCountIs(3),
      });
      const result = await agent.generate({ prompt: "How warm is Paris, in °F?" });
      expect(seen).toEqual([
        ["getWeather", { city: "Paris" }],
        ["toFahrenheit", { celsius: 21 }],
      ]);
      expect(result.text).toBe("It is 21 °C (69.8 °F) in Paris.");
    });

    it("passes an image part on as bytes with its media type", async () => {
      const sdk = await major.load();
      const seer = scriptedModel("seer", ["a red dot"], { capabilities: { inputParts: ["image"] } });
      const image = new Uint8Array([137, 80, 78, 71]);
      const result = await sdk.generateText({
        model: toAiSdk(seer, options),
        messages: [
          {
            role: "user",
            content: [{ type: "text", text: "What is this?" }, imagePartFor(major, image, "image/png")],
          },
        ],
      });
      expect(result.text).toBe("a red dot");
      const [, part] = (seer.calls[0]?.request.messages[0]?.content ?? []) as unknown as [
        unknown,
        { type: string; mediaType: string; data: unknown },
      ];
      expect(part).toMatchObject({ type: "image", mediaType: "image/png" });
      const bytes =
        typeof part.data === "string"
          ? Buffer.from(part.data, "base64")
          : Buffer.from(part.data as Uint8Array);
      expect([...bytes]).toEqual([137, 80, 78, 71]);
    });

    it("fails an exhausted ladder with rungs' own error, from doGenerate and doStream alike", async () => {
      const sdk = await major.load();
      const model = toAiSdk(
        retryWithContext(scriptedModel("only", [""], { whenDone: "repeat-last" }), { maxAttempts: 2 }),
        options,
      );
      await expect(sdk.generateText({ model, prompt: "q", maxRetries: 0 })).rejects.toThrow(ExhaustedError);
      await expect(
        model.doStream({ prompt: [{ role: "user", content: [{ type: "text", text: "q" }] }] }),
      ).rejects.toThrow(ExhaustedError);
    });
  });
}

describe("toAiSdk (any major)", () => {
  it("defaults to the specification of the installed ai (6 here: v3; 7 in test/ai-sdk-7: v4)", () => {
    expect(installedAiSpecificationVersion()).toBe("v3");
    expect(toAiSdk(scriptedModel("m", ["x"])).specificationVersion).toBe("v3");
    // ai 7 is installed under test/ai-sdk-7 by CI's Node 24 step (after `npm test`, which runs without it);
    // where it is installed, or required, its specification is v4.
    const ai7 = new URL("../ai-sdk-7/node_modules/ai/package.json", import.meta.url);
    if (existsSync(ai7) || process.env.RUNGS_REQUIRE_AI_SDK_7 === "1") {
      expect(installedAiSpecificationVersion(new URL("../ai-sdk-7/package.json", import.meta.url))).toBe(
        "v4",
      );
    }
  });

  it("names the fix when no ai is installed where it looks", () => {
    expect(() => installedAiSpecificationVersion("/nowhere/package.json")).toThrow(
      /npm i ai, or pass \{ specificationVersion/,
    );
  });

  it("refuses a non-model and a bad option, naming the fix", () => {
    expect(() => toAiSdk("gpt-4o" as never)).toThrow(InvalidArgumentError);
    expect(() => toAiSdk("gpt-4o" as never)).toThrow(/fromAiSdk/);
    expect(() => toAiSdk(scriptedModel("m", ["x"]), { specificationVersion: "v9" as never })).toThrow(
      /specificationVersion/,
    );
  });

  it("refuses a provider tool rather than drop it", async () => {
    const model = toAiSdk(scriptedModel("m", ["x"]), { specificationVersion: "v3" });
    await expect(
      model.doGenerate({
        prompt: [{ role: "user", content: [{ type: "text", text: "q" }] }],
        tools: [{ type: "provider", name: "web_search", id: "openai.web_search" } as never],
      }),
    ).rejects.toThrow(/provider tool "web_search"/);
  });

  it("reports options it does not pass on as warnings", async () => {
    const model = toAiSdk(scriptedModel("m", ["x"]), { specificationVersion: "v3" });
    const result = await model.doGenerate({
      prompt: [{ role: "user", content: [{ type: "text", text: "q" }] }],
      topP: 0.5,
      seed: 1,
    });
    expect(result.warnings.map((warning) => warning.feature)).toEqual(["topP", "seed"]);
  });
});
