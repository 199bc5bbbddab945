import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../src/errors/invalid-argument-error.js";
import { followInstructions, type IfevalRecord, ifevalRubric } from "../../../src/rubric/ifeval/index.js";

const record: IfevalRecord = {
  key: 7,
  prompt: "Write about tides.",
  instruction_id_list: [
    "punctuation:no_comma",
    "length_constraints:number_words",
    "length_constraints:number_words",
    "keywords:existence",
  ],
  kwargs: [
    {},
    { num_words: 3, relation: "at least" },
    { num_words: 6, relation: "less than" },
    { keywords: ["moon"] },
  ],
};

describe("ifevalRubric", () => {
  it("has one rule per instruction, a repeated id suffixed, and the instruction in words", () => {
    const rubric = ifevalRubric(record, { mode: "strict" });
    expect(rubric.id).toBe("ifeval-7");
    expect(rubric.threshold).toBe(1);
    expect(rubric.rules.map((rule) => rule.id)).toEqual([
      "punctuation:no_comma",
      "length_constraints:number_words",
      "length_constraints:number_words#2",
      "keywords:existence",
    ]);
    expect(rubric.rules[2]?.description).toBe("Answer with less than 6 words.");
    expect(rubric.rules[3]?.description).toContain('"moon"');
  });

  it("names the missed instructions in its violations", async () => {
    const verdict = await ifevalRubric(record).evaluate("Tides rise, and tides fall again.");
    expect(verdict.accepted).toBe(false);
    expect(verdict.violations.map((violation) => violation.ruleId)).toEqual([
      "punctuation:no_comma",
      "length_constraints:number_words#2",
      "keywords:existence",
    ]);
    expect(verdict.violations[0]?.message).toBe(
      "In your entire response, refrain from the use of any commas.",
    );
  });

  it("accepts a response that follows every instruction", async () => {
    const verdict = await ifevalRubric(record).evaluate("The moon pulls tides.");
    expect(verdict.accepted).toBe(true);
    expect(verdict.passed).toBe(4);
  });

  it("judges each rule exactly as followInstructions does, in both modes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<"strict" | "loose">("strict", "loose"),
        fc.array(fc.constantFrom("moon", "tide", ",", " ", "\n", "*", "a", "."), { maxLength: 30 }),
        async (mode, parts) => {
          const response = parts.join("");
          const verdict = await ifevalRubric(record, { mode }).evaluate(response);
          expect(verdict.results.map((result) => result.pass)).toEqual(
            followInstructions(record, response, { mode }),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it("refuses a bad mode or an unknown instruction at construction", () => {
    expect(() => ifevalRubric(record, { mode: "lax" as "strict" })).toThrow(InvalidArgumentError);
    expect(() => ifevalRubric({ prompt: "p", instruction_id_list: ["x:y"], kwargs: [{}] })).toThrow(
      /unknown IFEval/,
    );
  });
});

describe("modes", () => {
  it("loose never refuses what strict accepts", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("moon", "tide", ",", " ", "\n", "*", "A", ".", '"'), { maxLength: 40 }),
        (parts) => {
          const response = parts.join("");
          const strict = followInstructions(record, response, { mode: "strict" });
          const loose = followInstructions(record, response, { mode: "loose" });
          strict.forEach((followed, index) => {
            if (followed) expect(loose[index]).toBe(true);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
