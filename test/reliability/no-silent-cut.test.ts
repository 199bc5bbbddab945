// Class "silent truncation": treeSplit measures the uncapped size and splits what does not fit, so no
// call's document is cut by the renderer's 1 M-char cap; a cap that still fires (a leaf given a huge
// document directly) leaves a marker in the prompt, a warning event and a trace entry.
import { describe, expect, it } from "vitest";
import { fromFunction, RungsEvents, renderMessages, treeSplit } from "../../src/index.js";
import { scriptedModel } from "../../src/testing/index.js";

const ask = { messages: [{ role: "user" as const, content: "Summarise." }] };
const document = (chars: number) =>
  "All work and no play makes a dull story. ".repeat(Math.ceil(chars / 41)).slice(0, chars);
const cutMarker = /chars cut here to fit the \d+-char cap/;

describe("nothing is cut silently", () => {
  it("treeSplit with a 2 M-char budget splits a 3 M-char document; no call carries a cut document", async () => {
    const model = scriptedModel("m", ["notes"], { whenDone: "repeat-last" });
    const answer = await treeSplit(model, { promptLimit: { chars: 2_000_000 } }).generate({
      ...ask,
      context: [document(3_000_000)],
    });
    expect(model.calls.length).toBeGreaterThan(1);
    expect(answer.trace?.split?.shards).toBeGreaterThanOrEqual(3);
    for (const call of model.calls) {
      for (const doc of call.request.context ?? []) expect(doc.length).toBeLessThanOrEqual(1_000_000);
      const rendered = renderMessages(call.request)
        .map((m) => m.content)
        .join("\n");
      expect(rendered).not.toMatch(cutMarker);
    }
  });

  it("the same with a token budget above 250 K tokens", async () => {
    const model = scriptedModel("m", ["notes"], { whenDone: "repeat-last" });
    const count = (text: string) => Math.ceil(text.length / 4);
    await treeSplit(model, { promptLimit: { tokens: 600_000, count } }).generate({
      ...ask,
      context: [document(3_000_000)],
    });
    expect(model.calls.length).toBeGreaterThan(1);
    for (const call of model.calls) {
      for (const doc of call.request.context ?? []) expect(doc.length).toBeLessThanOrEqual(1_000_000);
    }
  });

  it("a leaf given a 1.5 M-char document: a marker in the prompt, a warning event and a trace entry", async () => {
    let prompt = "";
    const leaf = fromFunction("leaf", async (text) => {
      prompt = text;
      return "ok";
    });
    const events = new RungsEvents();
    const warnings: string[] = [];
    events.on("run-warn", (w) => warnings.push(w.code));
    const answer = await leaf.generate({ ...ask, context: [document(1_500_000)] }, { events });
    expect(prompt).toMatch(cutMarker);
    expect(warnings).toEqual(["context-capped"]);
    expect(answer.trace?.contextCuts).toEqual([
      { index: 0, chars: 1_500_000, cutChars: 500_000, cap: 1_000_000 },
    ]);
  });
});
