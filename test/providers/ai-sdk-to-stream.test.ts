// toAiSdk's doStream on every supported AI SDK major (ai 5: v2, ai 6: v3, ai 7: v4, the last on Node >= 22
// only; see test/support/ai-sdk.ts): `streamText` over a rungs ladder streams the accepted answer and never
// glues a rejected attempt to it; live mode marks each discarded attempt's text block; aborts reach the run;
// a tool call of a discarded attempt never reaches the tool.
import { describe, expect, it, vi } from "vitest";
import {
  defineRubric,
  ExhaustedError,
  escalateAcross,
  InvalidArgumentError,
  notMatches,
  RungsEvents,
  validToolCalls,
} from "../../src/index.js";
import { toAiSdk } from "../../src/providers/ai-sdk.js";
import { hang, scriptedModel } from "../../src/testing/index.js";
import { type AiSdkMajorApi, aiSdkMajors, majorRuns } from "../support/ai-sdk.js";

const rubric = defineRubric({ id: "answer", rules: [notMatches("no-todo", /TODO/)] });
const bad = "TODO: look the capital up.";
const good = "Paris is the capital of France.";

/** Every part of `streamText`'s fullStream, and its errors. */
async function drain(result: { fullStream: AsyncIterable<Record<string, unknown>> }) {
  const parts: Record<string, unknown>[] = [];
  for await (const part of result.fullStream) parts.push(part);
  return parts;
}

const toolRubric = defineRubric({ id: "tools", rules: [validToolCalls()] });
const weatherSchema = {
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"],
  additionalProperties: false,
};
const call = (id: string, input: unknown) => ({
  text: "",
  finishReason: "tool-calls" as const,
  toolCalls: [{ id, name: "getWeather", input }],
  usage: { inputTokens: 20, outputTokens: 5 },
});

function weatherTool(sdk: AiSdkMajorApi, seen: unknown[]) {
  return {
    getWeather: sdk.tool({
      description: "The temperature in a city, in °C",
      inputSchema: sdk.jsonSchema(weatherSchema),
      execute: async (input: { city: string }) => {
        seen.push(input);
        return { celsius: 21 };
      },
    }),
  };
}

for (const major of aiSdkMajors) {
  const { runs, title } = majorRuns(major, "toAiSdk streaming (streamText)");
  describe.skipIf(!runs)(title, () => {
    const specificationVersion = major.specificationVersion;

    it("streams exactly the accepted answer by default: rung 1 rejected, rung 2 accepted, nothing glued", async () => {
      const sdk = await major.load();
      const small = scriptedModel("small", [{ text: bad, usage: { inputTokens: 10, outputTokens: 7 } }]);
      const large = scriptedModel("large", [{ text: good, usage: { inputTokens: 12, outputTokens: 8 } }]);
      const result = sdk.streamText({
        model: toAiSdk(escalateAcross([small, large], { rubric }), { specificationVersion }),
        prompt: "What is the capital of France?",
      });
      const chunks: string[] = [];
      for await (const chunk of result.textStream) chunks.push(chunk);

      expect(chunks.join("")).toBe(good);
      expect(await result.text).toBe(good);
      expect(await result.finishReason).toBe("stop");
      expect(await result.providerMetadata).toEqual({
        rungs: { modelId: "large", rung: 1, attemptCount: 2, climbed: true },
      });
      // The run's usage: the rejected attempt's tokens too.
      expect(await result.usage).toMatchObject({ inputTokens: 22, outputTokens: 15 });
      // Rung 1 really streamed (and was judged whole): its text simply never reached the SDK.
      expect(small.calls[0]?.stream).toMatchObject({ finished: true });
      expect(large.calls[0]?.request.feedback).toBeDefined();
    });

    it("live mode: each attempt is its own text block, the discarded one's text-end says so and why", async () => {
      const sdk = await major.load();
      const small = scriptedModel("small", [bad]);
      const large = scriptedModel("large", [good]);
      const result = sdk.streamText({
        model: toAiSdk(escalateAcross([small, large], { rubric }), {
          specificationVersion,
          streamMode: "live",
        }),
        prompt: "What is the capital of France?",
        includeRawChunks: true,
      });
      const parts = await drain(result);

      const blocks = new Map<string, { text: string; rungs?: Record<string, unknown> | undefined }>();
      for (const part of parts) {
        const id = part.id as string;
        if (part.type === "text-start") blocks.set(id, { text: "" });
        if (part.type === "text-delta") {
          const block = blocks.get(id);
          if (block !== undefined) block.text += (part.text ?? part.delta) as string;
        }
        if (part.type === "text-end") {
          const block = blocks.get(id);
          const metadata = part.providerMetadata as { rungs?: Record<string, unknown> } | undefined;
          if (block !== undefined) block.rungs = metadata?.rungs;
        }
      }
      expect([...blocks.values()]).toEqual([
        {
          text: bad,
          rungs: {
            discarded: true,
            kind: "rejected",
            reason: expect.stringContaining("no-todo"),
            path: expect.stringMatching(/attempt/),
            attempt: 1,
            rung: 0,
            modelId: "small",
            early: false,
          },
        },
        { text: good, rungs: { discarded: false } },
      ]);
      // What a UI keeps: the blocks not discarded.
      const kept = [...blocks.values()].filter((block) => block.rungs?.discarded !== true);
      expect(kept.map((block) => block.text).join("")).toBe(good);
      // With includeRawChunks, rungs' own attempt-start and discard parts come through as raw parts.
      const raw = parts
        .filter((part) => part.type === "raw")
        .map((part) => part.rawValue as { type: string });
      expect(raw.map((part) => part.type)).toEqual(["attempt-start", "discard", "attempt-start"]);
      // The SDK joins every text block into result.text: live mode's text glues the attempts (documented).
      expect(await result.text).toBe(`${bad}${good}`);
      expect(await result.providerMetadata).toMatchObject({ rungs: { modelId: "large", climbed: true } });
    });

    it("reports an exhausted ladder through the SDK: accepted-only rejects doStream, live ends with an error part", async () => {
      const sdk = await major.load();
      const ladder = () =>
        escalateAcross([scriptedModel("small", [bad]), scriptedModel("large", ["TODO later"])], { rubric });

      const errors: unknown[] = [];
      const quiet = sdk.streamText({
        model: toAiSdk(ladder(), { specificationVersion }),
        prompt: "q",
        onError: ({ error }: { error: unknown }) => errors.push(error),
      });
      const quietParts = await drain(quiet);
      expect(quietParts.filter((part) => part.type === "text-delta")).toEqual([]);
      expect(quietParts.find((part) => part.type === "error")?.error).toBeInstanceOf(ExhaustedError);
      expect(errors[0]).toBeInstanceOf(ExhaustedError);
      await expect(quiet.text).rejects.toThrow(/No output generated/);

      const live = sdk.streamText({
        model: toAiSdk(ladder(), { specificationVersion, streamMode: "live" }),
        prompt: "q",
        onError: () => {},
      });
      const liveParts = await drain(live);
      expect(liveParts.find((part) => part.type === "error")?.error).toBeInstanceOf(ExhaustedError);
      const ends = liveParts.filter((part) => part.type === "text-end");
      expect(
        ends.map((part) => (part.providerMetadata as { rungs: { discarded: boolean } }).rungs.discarded),
      ).toEqual([true, true]);
      expect(await live.finishReason).toBe("error");
    });

    it.each(["accepted-only", "live"] as const)(
      "streamText's abortSignal aborts the rungs run (%s) and cancels the model's stream",
      async (streamMode) => {
        const sdk = await major.load();
        const stalls = scriptedModel("stalls", [{ chunks: ["Par", hang] }]);
        const events = new RungsEvents();
        const ends: string[] = [];
        events.on("attempt-end", (event) => ends.push(event.attempt.kind ?? "accepted"));
        const controller = new AbortController();
        const result = sdk.streamText({
          model: toAiSdk(escalateAcross([stalls, scriptedModel("never", [good])], { rubric }), {
            specificationVersion,
            streamMode,
            callOptions: { events },
          }),
          prompt: "q",
          abortSignal: controller.signal,
          onError: () => {},
        });
        await vi.waitFor(() => expect(stalls.calls[0]?.stream?.deltas).toBe(1));
        const reason = new Error("the user left");
        controller.abort(reason);
        const parts = await drain(result);
        expect(parts.some((part) => part.type === "abort")).toBe(true);
        await vi.waitFor(() => expect(stalls.calls[0]?.stream?.cancelled).toBe(true));
        await vi.waitFor(() => expect(ends).toEqual(["aborted"]));
      },
    );

    it("runs a streamed tool loop: the discarded attempt's tool call never reaches the tool (live and accepted-only)", async () => {
      const sdk = await major.load();
      for (const streamMode of ["accepted-only", "live"] as const) {
        // Step 1: the small model's call has a wrong field and is discarded; the large one's is run.
        // Step 2: the small model answers from the tool's result.
        const small = scriptedModel("small", [call("c1", { town: "Paris" }), "It is 21 °C in Paris."]);
        const large = scriptedModel("large", [call("c1", { city: "Paris" })]);
        const seen: unknown[] = [];
        const result = sdk.streamText({
          model: toAiSdk(escalateAcross([small, large], { rubric: toolRubric }), {
            specificationVersion,
            streamMode,
          }),
          tools: weatherTool(sdk, seen),
          stopWhen: sdk.stepCountIs(3),
          prompt: "How warm is Paris?",
        });
        const parts = await drain(result);
        expect(seen).toEqual([{ city: "Paris" }]);
        expect(parts.filter((part) => part.type === "tool-call").map((part) => part.input)).toEqual([
          { city: "Paris" },
        ]);
        expect(await result.text).toBe("It is 21 °C in Paris.");
        const steps = await result.steps;
        expect(
          steps.map(
            (step: { providerMetadata?: { rungs?: { modelId: string } } }) =>
              step.providerMetadata?.rungs?.modelId,
          ),
        ).toEqual(["large", "small"]);
        // Step 2's request carried the valid call and its result.
        expect(small.calls[1]?.request.messages.at(-1)).toMatchObject({ role: "tool" });
      }
    });

    it("streams in the SDK's agent class too (agent.stream)", async () => {
      const sdk = await major.load();
      const ladder = escalateAcross([scriptedModel("small", [bad]), scriptedModel("large", [good])], {
        rubric,
      });
      const agent = new sdk.Agent({ model: toAiSdk(ladder, { specificationVersion }) }) as unknown as {
        stream(options: {
          prompt: string;
        }): Promise<{ textStream: AsyncIterable<string>; text: Promise<string> }>;
      };
      const result = await agent.stream({ prompt: "What is the capital of France?" });
      let streamed = "";
      for await (const chunk of result.textStream) streamed += chunk;
      expect(streamed).toBe(good);
      expect(await result.text).toBe(good);
    });

    it("reports options it does not pass on as the stream-start's warnings", async () => {
      const model = toAiSdk(scriptedModel("m", ["x"]), { specificationVersion });
      const { stream } = await model.doStream({
        prompt: [{ role: "user", content: [{ type: "text", text: "q" }] }],
        topP: 0.5,
      });
      const reader = stream.getReader();
      const first = await reader.read();
      expect(first.value).toMatchObject({ type: "stream-start", warnings: [expect.anything()] });
      expect(JSON.stringify(first.value)).toContain("topP");
      await reader.cancel();
    });
  });
}

describe("toAiSdk streaming (any major)", () => {
  it("refuses an unknown streamMode, naming the choices", () => {
    expect(() => toAiSdk(scriptedModel("m", ["x"]), { streamMode: "glued" as never })).toThrow(
      InvalidArgumentError,
    );
    expect(() => toAiSdk(scriptedModel("m", ["x"]), { streamMode: "glued" as never })).toThrow(/streamMode/);
  });

  it("cancelling the SDK's stream closes the rungs run beneath it", async () => {
    const stalls = scriptedModel("stalls", [{ chunks: ["Par", hang] }]);
    const model = toAiSdk(stalls, { specificationVersion: "v3", streamMode: "live" });
    const { stream } = await model.doStream({
      prompt: [{ role: "user", content: [{ type: "text", text: "q" }] }],
    });
    const reader = stream.getReader();
    const seen: string[] = [];
    for (;;) {
      const { value } = await reader.read();
      seen.push(value?.type ?? "none");
      if (value?.type === "text-delta") break;
    }
    expect(seen).toEqual(["stream-start", "text-start", "text-delta"]);
    await reader.cancel();
    await vi.waitFor(() => expect(stalls.calls[0]?.stream?.cancelled).toBe(true));
  });

  it("nests: an inner ladder's discarded attempt and an outer discard each end their own blocks", async () => {
    const inner = escalateAcross([scriptedModel("a", [bad]), scriptedModel("b", ["TODO again"])], {
      rubric: defineRubric({ id: "inner", rules: [notMatches("no-todo-start", /^TODO:/)] }),
    });
    const outer = escalateAcross([inner, scriptedModel("c", [good])], { rubric });
    const model = toAiSdk(outer, { specificationVersion: "v3", streamMode: "live" });
    const { stream } = await model.doStream({
      prompt: [{ role: "user", content: [{ type: "text", text: "q" }] }],
    });
    const ends: Array<[string, boolean, string | undefined]> = [];
    const texts = new Map<string, string>();
    for await (const part of stream) {
      if (part.type === "text-delta") texts.set(part.id, (texts.get(part.id) ?? "") + part.delta);
      if (part.type === "text-end") {
        const { discarded, modelId } = part.providerMetadata.rungs;
        ends.push([texts.get(part.id) ?? "", discarded, modelId]);
      }
    }
    expect(ends).toEqual([
      [bad, true, "a"], // the inner ladder discarded a's attempt
      ["TODO again", true, "ladder(2)"], // b's answer passed the inner rubric; the outer one discarded it
      [good, false, undefined],
    ]);
  });
});
