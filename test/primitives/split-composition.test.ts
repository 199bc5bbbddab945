// Issue "composition that holds", problems 1 and 2: the README composition on context over its budget,
// judged by stage, and the split's budget held at every leaf request beneath the ladder.
import { describe, expect, it } from "vitest";
import {
  continueUntilComplete,
  defaultMapPrompt,
  defaultReducePrompt,
  defineRubric,
  escalateAcross,
  type GenerateRequest,
  matches,
  notMatches,
  renderedChars,
  retryWithContext,
  treeSplit,
} from "../../src/index.js";
import { scriptedModel } from "../../src/testing/index.js";

const stageOf = (request: GenerateRequest) => {
  const system = request.messages[0]?.content;
  return system === defaultMapPrompt ? "map" : system === defaultReducePrompt ? "reduce" : "answer";
};
const docs = Array.from(
  { length: 30 },
  (_, i) => `Section ${i}: reqwest's Client is cheap to clone and pools connections; ${"detail ".repeat(50)}`,
);
const task = "Write `pub async fn fetch_all(urls: &[String]) -> Result<Vec<String>, reqwest::Error>`.";
const rubric = defineRubric({
  id: "rust-fn",
  rules: [matches("signature", /pub async fn fetch_all\(/), notMatches("no-unwrap", /\.unwrap\(\)/)],
});
const answer = "pub async fn fetch_all(urls: &[String]) -> Result<Vec<String>, reqwest::Error> { todo!() }";

describe("treeSplit over a ladder: judged by stage (problem 1)", () => {
  it("the README composition answers on context larger than its budget", async () => {
    const byStage = (id: string) =>
      scriptedModel(
        id,
        [(request) => (stageOf(request) === "answer" ? answer : "notes: the reqwest docs say Client pools.")],
        { whenDone: "repeat-last" },
      );
    const small = byStage("small");
    const large = byStage("large");
    // The notes go to the same rungs without the answer's rubric: notes are not answers.
    const solver = treeSplit(
      escalateAcross(
        [small, large].map((m) => continueUntilComplete(m)),
        { rubric, maxAttempts: 6 },
      ),
      {
        promptLimit: { chars: 4000 },
        notesModel: escalateAcross([small, large].map((m) => continueUntilComplete(m))),
      },
    );
    const result = await solver.generate({ messages: [{ role: "user", content: task }], context: docs });
    expect(result.text).toBe(answer);
    expect(result.verdict?.accepted).toBe(true);
    expect(result.trace?.split?.shards).toBeGreaterThan(1);
    // Every note was taken by the first rung: the answer's rubric never judged a note.
    expect(large.calls).toHaveLength(0);
    expect(result.answeredBy).toMatchObject({ rung: 0, climbed: false });
  });

  it("notes are judged by the notes model's own rubric, and notesModel takes them", async () => {
    const notesRubric = defineRubric({ id: "notes", rules: [matches("prefixed", /^notes:/)] });
    const cheap = scriptedModel("cheap", ["bad notes", "notes: fine"], { whenDone: "repeat-last" });
    const main = scriptedModel("main", [answer], { whenDone: "repeat-last" });
    const solver = treeSplit(retryWithContext(main, { rubric }), {
      promptLimit: { chars: 4000 },
      notesModel: retryWithContext(cheap, { rubric: notesRubric }),
    });
    const result = await solver.generate({ messages: [{ role: "user", content: task }], context: docs });
    expect(result.text).toBe(answer);
    expect(main.calls.every((c) => stageOf(c.request) === "answer")).toBe(true);
    const firstNote = result.trace?.split?.nodes.find((n) => n.stage === "map")?.trace?.attempts;
    // The notes model's own rubric judged its first note "bad"; the answer's rubric never saw a note.
    expect(firstNote?.map((a) => a.kind)).toEqual(["rejected", undefined]);
  });
});

describe("the split's budget holds at every leaf (problem 2)", () => {
  it("three rungs with feedback and continuation under a 4,000-char budget: no leaf prompt over it", async () => {
    const sizes: number[] = [];
    const rung = (id: string) =>
      scriptedModel(
        id,
        [
          (request, { call }) => {
            sizes.push(renderedChars(request));
            const stage = stageOf(request);
            if (stage !== "answer")
              return call % 3 === 0 ? { text: "notes: part", finishReason: "length" } : "notes: done.";
            // Answers: cut off once, then wrong (feedback grows) until the top rung.
            if (call % 2 === 0) return { text: `draft ${"x".repeat(900)}`, finishReason: "length" };
            return id === "top" ? answer : `${"wrong ".repeat(150)} .unwrap()`;
          },
        ],
        { whenDone: "repeat-last" },
      );
    const ladder = escalateAcross(
      ["low", "mid", "top"].map((id) => ({
        model: continueUntilComplete(rung(id), { maxContinuations: 2 }),
        maxAttempts: 2,
      })),
      { rubric, maxAttempts: 6, maxFeedbackChars: 2_000 },
    );
    const solver = treeSplit(ladder, { promptLimit: { chars: 4000 } });
    await solver
      .generate({ messages: [{ role: "user", content: task }], context: docs })
      .catch(() => undefined);
    expect(sizes.length).toBeGreaterThan(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4000);
  });
});
