// treeSplit streamed: map and reduce run as for generate; the answer stage (or the one call) streams.
import { describe, expect, it } from "vitest";
import { defineRubric, escalateAcross, type GenerateRequest, predicate, treeSplit } from "../../src/index.js";
import { defaultMapPrompt, defaultReducePrompt } from "../../src/primitives/split-requests.js";
import { hang, type ScriptStep, scriptedModel } from "../../src/testing/index.js";
import { collect, finishOf, shape, shownText, withoutTimes } from "../support/stream-parts.js";

const chunk = (i: number) => `chunk-${i} ${"lorem ipsum dolor sit amet. ".repeat(10)}`;
const task: GenerateRequest = {
  messages: [{ role: "user", content: "Summarise the document." }],
  context: [Array.from({ length: 40 }, (_, i) => chunk(i)).join("\n\n")],
};
const stageOf = (request: GenerateRequest) => {
  const system = request.messages[0]?.content;
  return system === defaultMapPrompt ? "map" : system === defaultReducePrompt ? "reduce" : "answer";
};
const answer = "The document repeats lorem ipsum, forty times over, in numbered chunks.";

/** Notes for map and reduce calls, `final` (or a step of its own) for the answer. */
function staged(final: ScriptStep = answer) {
  return scriptedModel(
    "m",
    [(request) => (stageOf(request) === "answer" ? final : `notes: ${stageOf(request)}`)],
    { whenDone: "repeat-last", streamChunkChars: 5 },
  );
}
const split = (model: ReturnType<typeof staged>) => treeSplit(model, { promptLimit: { chars: 1500 } });

describe("treeSplit.stream", () => {
  it("streams only the answer call's deltas, and finishes with generate's generation", async () => {
    const streamed = staged();
    const parts = await collect(split(streamed).stream(task));
    const generated = await split(staged()).generate(task);

    expect(shape(parts)).toEqual(["text-delta*", "finish"]);
    expect(parts.filter((part) => part.type === "text-delta").length).toBeGreaterThan(5);
    expect(shownText(parts)).toBe(answer);
    const generation = finishOf(parts);
    expect(withoutTimes(generation)).toEqual(withoutTimes(generated));
    expect(generation.trace?.split?.shards).toBeGreaterThan(1);
    // Map and reduce are generated, not streamed; the answer call alone streamed, to its end.
    const streamedCalls = streamed.calls.filter((call) => call.stream !== undefined);
    expect(streamedCalls).toHaveLength(1);
    expect(stageOf(streamedCalls[0]!.request)).toBe("answer");
    expect(streamedCalls[0]?.stream).toMatchObject({ finished: true, cancelled: false });
  });

  it("streams the one call of a request within budget", async () => {
    const model = scriptedModel("m", ["A short answer, streamed."], { streamChunkChars: 3 });
    const request: GenerateRequest = { messages: [{ role: "user", content: "hi" }], context: ["short"] };
    const parts = await collect(treeSplit(model, { promptLimit: { chars: 4000 } }).stream(request));
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]?.stream?.deltas).toBe(9);
    expect(shownText(parts)).toBe("A short answer, streamed.");
    expect(finishOf(parts).trace?.split).toBeUndefined();
  });

  it("passes an inner ladder's attempts and discards through", async () => {
    const rubric = defineRubric({
      id: "answer",
      rules: [predicate("mentions-lorem", (text: string) => text.includes("lorem"))],
    });
    const notes = scriptedModel("notes", ["some notes"], { whenDone: "repeat-last" });
    const small = scriptedModel("small", ["I could not read it."]);
    const large = scriptedModel("large", [answer]);
    const ladder = escalateAcross([small, large], { rubric });
    const parts = await collect(
      treeSplit(ladder, { promptLimit: { chars: 1500 }, notesModel: notes }).stream(task),
    );
    expect(shape(parts)).toEqual([
      "attempt-start",
      "text-delta*",
      "discard",
      "attempt-start",
      "text-delta*",
      "finish",
    ]);
    expect(shownText(parts)).toBe(answer);
    expect(finishOf(parts)).toMatchObject({ text: answer, answeredBy: { rung: 1 } });
  });

  it("accepted-only sends the answer as one delta", async () => {
    const parts = await collect(split(staged()).stream(task, { mode: "accepted-only" }));
    expect(parts.map((part) => part.type)).toEqual(["text-delta", "finish"]);
    expect(parts[0]).toEqual({ type: "text-delta", text: answer });
  });

  it("an abort during the answer's stream rejects with the caller's reason and cancels that stream", async () => {
    const model = staged({ chunks: ["The document ", hang] });
    const controller = new AbortController();
    const reason = new Error("user left");
    const seen: string[] = [];
    const run = (async () => {
      for await (const part of split(model).stream(task, { signal: controller.signal })) {
        if (part.type === "text-delta") {
          seen.push(part.text);
          controller.abort(reason);
        }
      }
    })();
    await expect(run).rejects.toBe(reason);
    expect(seen).toEqual(["The document "]);
    const answerCall = model.calls.find((call) => stageOf(call.request) === "answer");
    expect(answerCall?.stream?.cancelled).toBe(true);
  });

  it("a bad mode is refused as the stream is read", async () => {
    await expect(collect(split(staged()).stream(task, { mode: "fast" as "live" }))).rejects.toThrow(
      /options\.mode/,
    );
  });
});
