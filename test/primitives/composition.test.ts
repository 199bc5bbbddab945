import { describe, expect, it } from "vitest";
import { type ContextSplitEvent, RungsEvents } from "../../src/events.js";
import type { GenerateRequest } from "../../src/model.js";
import { continueUntilComplete } from "../../src/primitives/continue-until-complete.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { defaultMapPrompt, defaultReducePrompt } from "../../src/primitives/split-requests.js";
import { treeSplit } from "../../src/primitives/tree-split.js";
import { renderedChars } from "../../src/prompt.js";
import { defineRubric } from "../../src/rubric/rubric.js";
import { notMatches } from "../../src/rubric/rules.js";
import { scriptedModel } from "../../src/testing/index.js";
import type { Attempt } from "../../src/trace.js";

const chunk = (i: number) =>
  `chunk-${String(i).padStart(2, "0")} ${"the ledger balances at the end of day. ".repeat(6)}`;
const document = Array.from({ length: 40 }, (_, i) => chunk(i)).join("\n\n");
const task: GenerateRequest = {
  messages: [{ role: "user", content: "What does the ledger do?" }],
  context: [document],
};
const stageOf = (request: GenerateRequest) => {
  const system = request.messages[0]?.content;
  return system === defaultMapPrompt ? "map" : system === defaultReducePrompt ? "reduce" : "answer";
};
const continuing = (request: GenerateRequest) => request.messages.some((m) => m.role === "assistant");
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("treeSplit(escalateAcross([continueUntilComplete(a), continueUntilComplete(b)], { rubric }))", () => {
  it("splits, continues cut-off notes and escalates the answer, with the full trace", async () => {
    // a: every first reply is cut off mid-sentence and finished on continuation; its answer breaks the rubric.
    const a = scriptedModel(
      "a",
      [
        async (request) => {
          await tick();
          const stage = stageOf(request);
          if (stage === "answer")
            return { text: "WRONG: the ledger is a mystery.", usage: { outputTokens: 7 } };
          const head = `${stage} notes: the ledger balances `;
          if (!continuing(request)) return { text: head, finishReason: "length", usage: { outputTokens: 5 } };
          const detail = "detail ".repeat(stage === "map" ? 70 : 10);
          return { text: `balances at the end of day. ${detail}`, usage: { outputTokens: 6 } };
        },
      ],
      { whenDone: "repeat-last" },
    );
    const b = scriptedModel("b", ["The ledger balances at the end of every day."], {
      whenDone: "repeat-last",
    });
    const rubric = defineRubric({ id: "no-wrong", rules: [notMatches("no-wrong", /WRONG/)] });
    const ladder = escalateAcross([continueUntilComplete(a), continueUntilComplete(b)], { rubric });
    const solver = treeSplit(ladder, { promptLimit: { chars: 2500 }, concurrency: 3 });

    const events = new RungsEvents();
    const splits: ContextSplitEvent[] = [];
    const attemptPaths: string[] = [];
    const continuationPaths: string[] = [];
    events.on("context-split", (e) => splits.push(e));
    events.on("attempt-end", (e) => attemptPaths.push(e.path));
    events.on("output-continue", (e) => continuationPaths.push(e.path));
    const result = await solver.generate(task, { events });

    // Escalation: the answer came from b after a's answer was rejected.
    expect(result.text).toBe("The ledger balances at the end of every day.");
    expect(result.modelId).toBe("b");
    expect(result.verdict?.accepted).toBe(true);
    const answerAttempts = result.trace?.attempts ?? [];
    expect(answerAttempts.map((t: Attempt) => [t.modelId, t.accepted, t.kind])).toEqual([
      ["continue(a)", false, "rejected"],
      ["continue(b)", true, undefined],
    ]);
    expect(b.calls[0]?.request.feedback?.[0]?.kind).toBe("rejected");

    // Splitting: exact calls of the composed model, each within budget.
    const split = result.trace?.split;
    expect(split).toBeDefined();
    const { shards = 0, reduces = 0 } = split ?? {};
    expect(shards).toBeGreaterThan(1);
    expect(reduces).toBeGreaterThan(0);
    // The default reserve (a quarter of the budget) leaves room for continued text and feedback.
    expect(split).toMatchObject({ shards: 8, reduces: 4, depth: 1, calls: 13 });
    expect(split?.calls).toBe(shards + reduces + 1);
    expect(split?.depth).toBeLessThanOrEqual(4);
    expect(a.maxInFlight).toBeLessThanOrEqual(3);
    // Every leaf request, continuations and retries with feedback included, renders within the budget.
    for (const call of [...a.calls, ...b.calls])
      expect(renderedChars(call.request)).toBeLessThanOrEqual(2500);

    // Truncation: every map and reduce call was cut off once and continued once, on a.
    const notes = split?.nodes.filter((n) => n.stage !== "answer") ?? [];
    expect(notes).toHaveLength(shards + reduces);
    for (const node of notes) {
      const attempt = node.trace?.attempts?.[0];
      expect(attempt?.accepted).toBe(true);
      expect(attempt?.trace?.continuation).toMatchObject({ continuations: 1 });
      expect(attempt?.trace?.continuation?.pieces[1]?.overlapRemoved).toBe("balances ".length);
    }
    // Leaf calls: two per map or reduce node (first + continuation), one answer on a, one on b.
    expect(a.calls).toHaveLength(2 * (shards + reduces) + 1);
    expect(b.calls).toHaveLength(1);
    expect(result.usage.outputTokens).toBe((shards + reduces) * 11 + 7 + 0);

    // Every chunk reached a map call.
    const mapped = a.calls
      .filter((c) => stageOf(c.request) === "map" && !continuing(c.request))
      .map((c) => c.request.context?.join("\n") ?? "");
    expect(mapped).toHaveLength(shards);
    for (let i = 0; i < 40; i += 1) expect(mapped.join("\n")).toContain(chunk(i).trim());

    // Events name where they happened in the nesting.
    expect(splits[0]).toMatchObject({ stage: "plan", count: shards });
    expect(attemptPaths).toContain("treeSplit/map[0]/escalate/attempt[1]");
    expect(attemptPaths).toContain("treeSplit/reduce[1.0]/escalate/attempt[1]");
    expect(attemptPaths.slice(-2)).toEqual([
      "treeSplit/answer/escalate/attempt[1]",
      "treeSplit/answer/escalate/attempt[2]",
    ]);
    expect(
      continuationPaths.every((p) => /^treeSplit\/(map|reduce)\[[\d.]+\]\/escalate.*\/continue$/.test(p)),
    ).toBe(true);
    expect(continuationPaths).toHaveLength(shards + reduces);
  });
});
