import { describe, expect, it } from "vitest";
import { Budget, BudgetExhaustedError } from "../../src/index.js";
import { retryWithContext } from "../../src/primitives/retry-with-context.js";
import { judgeRule } from "../../src/rubric/judge.js";
import { defineRubric } from "../../src/rubric/rubric.js";
import { scriptedModel } from "../../src/testing/index.js";

describe("an LLM judge inside a run", () => {
  it("draws on the shared budget, reports under the attempt's path, and stops the run when the budget is spent", async () => {
    const writer = scriptedModel("writer", ["draft one", "draft two"]);
    const judge = scriptedModel("judge", ['{"score": 0.2, "reason": "vague"}'], { whenDone: "repeat-last" });
    const rubric = defineRubric({
      id: "judged",
      rules: [judgeRule("clear", judge, { criteria: "The answer is clear.", passScore: 0.8 })],
    });
    const budget = new Budget({ maxCalls: 3 });
    const error = await retryWithContext(writer, { rubric })
      .generate({ messages: [{ role: "user", content: "explain" }] }, { budget })
      .catch((caught: unknown) => caught);

    // writer, judge, writer: the third call spends the budget, so the second judge call is refused.
    expect(error).toBeInstanceOf(BudgetExhaustedError);
    expect((error as BudgetExhaustedError).limit).toBe("maxCalls");
    expect(writer.calls).toHaveLength(2);
    expect(judge.calls).toHaveLength(1);
    expect(judge.calls[0]?.options.path).toBe("retry/attempt[1]/judge[clear]");
    // Both answers are on record: the first judged and rejected, the second kept unjudged.
    const attempts = (error as BudgetExhaustedError).attempts;
    expect(attempts.map((a) => [a.text, a.kind])).toEqual([
      ["draft one", "rejected"],
      ["draft two", "rubric-error"],
    ]);
  });
});
