import { describe, expect, it } from "vitest";
import type { GenerateRequest } from "../../src/model.js";
import { continueUntilComplete } from "../../src/primitives/continue-until-complete.js";
import { retryWithContext } from "../../src/primitives/retry-with-context.js";
import { defaultMapPrompt, defaultReducePrompt } from "../../src/primitives/split-requests.js";
import { treeSplit } from "../../src/primitives/tree-split.js";
import { defineRubric } from "../../src/rubric/rubric.js";
import { notMatches } from "../../src/rubric/rules.js";
import { scriptedModel } from "../../src/testing/index.js";

const paragraph = (i: number) => `Section ${i}. ${"The pump runs at night and rests by day. ".repeat(5)}`;
const task: GenerateRequest = {
  messages: [{ role: "user", content: "When does the pump run? Answer with FINAL: <answer>." }],
  context: [Array.from({ length: 12 }, (_, i) => paragraph(i)).join("\n\n")],
};
const stageOf = (request: GenerateRequest) => {
  const system = request.messages[0]?.content;
  return system === defaultMapPrompt ? "map" : system === defaultReducePrompt ? "reduce" : "answer";
};
const continuing = (request: GenerateRequest) => request.messages.at(-1)?.role === "assistant";

describe("continuation inside retry inside split", () => {
  it("treeSplit(retryWithContext(continueUntilComplete(m), { rubric })) splits, continues and retries with feedback", async () => {
    let answers = 0;
    const m = scriptedModel(
      "m",
      [
        (request) => {
          const stage = stageOf(request);
          if (stage !== "answer") return "notes: the pump runs at night.";
          if (continuing(request)) return { text: "runs at night.", finishReason: "stop" };
          answers += 1;
          // First final answer: cut off (continued), and once stitched it breaks the rubric (rejected).
          // Second final answer, carrying feedback: accepted.
          if (answers === 1) return { text: "The pump ", finishReason: "length" };
          return "FINAL: the pump runs at night.";
        },
      ],
      { whenDone: "repeat-last", capabilities: { continueAssistant: true } },
    );
    // The rubric judges every call through the retry (notes too); only the first stitched answer breaks it.
    const rubric = defineRubric({ id: "answer-form", rules: [notMatches("no-bare-answer", /^The pump /)] });
    const solver = treeSplit(retryWithContext(continueUntilComplete(m), { rubric, maxAttempts: 3 }), {
      promptLimit: { chars: 1200 },
    });

    const result = await solver.generate(task);

    expect(result.text).toBe("FINAL: the pump runs at night.");
    expect(result.verdict?.accepted).toBe(true);
    const split = result.trace?.split;
    expect(split?.shards).toBeGreaterThan(1);
    // Every map and reduce call went through the retry (one attempt each, accepted at once);
    // the answer took two attempts: the first continued once then rejected, the second accepted.
    const answerCalls = m.calls.filter((call) => stageOf(call.request) === "answer");
    expect(answerCalls).toHaveLength(3);
    const retried = answerCalls[2]?.request;
    expect(retried?.feedback?.[0]).toMatchObject({ kind: "rejected", attempts: [1] });
    expect(retried?.feedback?.[0]?.violations?.[0]?.ruleId).toBe("no-bare-answer");
    expect(m.calls).toHaveLength((split?.shards ?? 0) + (split?.reduces ?? 0) + 3);
  });
});
