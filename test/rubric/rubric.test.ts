import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/index.js";
import { defineRubric } from "../../src/rubric/rubric.js";
import type { Rule } from "../../src/rubric/types.js";

const rule = (id: string, pass: boolean, extra: Partial<Rule> = {}): Rule => ({
  id,
  check: () => pass,
  ...extra,
});

describe("defineRubric", () => {
  it("accepts when every rule passes at the default threshold of 1", async () => {
    const rubric = defineRubric({ id: "r", rules: [rule("a", true), rule("b", true)] });
    const verdict = await rubric.evaluate("x");
    expect(verdict).toMatchObject({ rubricId: "r", accepted: true, score: 1, passed: 2, total: 2 });
    expect(verdict.violations).toEqual([]);
  });

  it("rejects at threshold 1 when one rule fails, reporting k/n and the violation", async () => {
    const rubric = defineRubric({ id: "r", rules: [rule("a", true), rule("b", false), rule("c", true)] });
    const verdict = await rubric.evaluate("x");
    expect(verdict.accepted).toBe(false);
    expect(verdict.passed).toBe(2);
    expect(verdict.total).toBe(3);
    expect(verdict.score).toBeCloseTo(2 / 3);
    expect(verdict.violations.map((v) => v.ruleId)).toEqual(["b"]);
  });

  it("weights the score and accepts at or above a lower threshold", async () => {
    const rubric = defineRubric({
      id: "r",
      threshold: 0.75,
      rules: [rule("a", true, { weight: 3 }), rule("b", false)],
    });
    const verdict = await rubric.evaluate("x");
    expect(verdict.score).toBeCloseTo(0.75);
    expect(verdict.accepted).toBe(true);
  });

  it("rejects when a required rule fails, whatever the score", async () => {
    const rubric = defineRubric({
      id: "r",
      threshold: 0.1,
      rules: [rule("a", true, { weight: 100 }), rule("b", false, { required: true })],
    });
    const verdict = await rubric.evaluate("x");
    expect(verdict.score).toBeGreaterThan(0.9);
    expect(verdict.accepted).toBe(false);
  });

  it("refuses an empty rule list and duplicate ids, naming the option", () => {
    expect(() => defineRubric({ id: "r", rules: [] })).toThrow(InvalidArgumentError);
    expect(() => defineRubric({ id: "r", rules: [rule("a", true), rule("a", true)] })).toThrow(
      /rules\[1\]\.id|twice/,
    );
  });
});
