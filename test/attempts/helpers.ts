// A small Rubric built directly on the interface (src/rubric/types.ts), so these tests do not depend on
// defineRubric's details: each rule is a predicate; a rule that throws is an errored result.
import type { GenerateRequest, Rubric, RuleResult, Verdict } from "../../src/index.js";

export interface TestRule {
  id: string;
  /** true to pass, a string to fail with that message; may throw. */
  check(text: string): true | string;
}

export function testRubric(rules: readonly TestRule[], id = "test"): Rubric {
  return {
    id,
    rules: rules.map((rule) => ({ id: rule.id, check: (text: string) => rule.check(text) === true })),
    threshold: 1,
    async evaluate(output: string): Promise<Verdict> {
      const results: RuleResult[] = rules.map((rule) => {
        try {
          const outcome = rule.check(output);
          return outcome === true
            ? { ruleId: rule.id, pass: true, score: 1, weight: 1, required: false, durationMs: 0 }
            : {
                ruleId: rule.id,
                pass: false,
                score: 0,
                weight: 1,
                required: false,
                message: outcome,
                durationMs: 0,
              };
        } catch (error) {
          return {
            ruleId: rule.id,
            pass: false,
            score: 0,
            weight: 1,
            required: false,
            message: `rule threw: ${(error as Error).message}`,
            errored: true,
            durationMs: 0,
          };
        }
      });
      const violations = results.filter((r) => !r.pass);
      const passed = results.length - violations.length;
      return {
        rubricId: id,
        accepted: violations.length === 0,
        score: results.length === 0 ? 1 : passed / results.length,
        passed,
        total: results.length,
        results,
        violations,
      };
    },
  };
}

/** Accepts text containing "ok"; fails with a message otherwise. */
export const containsOk = testRubric([
  { id: "says-ok", check: (t) => t.includes("ok") || 'must contain "ok"' },
]);

/** A rubric that rejects everything. */
export const neverAccepts = testRubric([{ id: "impossible", check: () => "this rule never passes" }]);

export const ask = (content: string, metadata?: GenerateRequest["metadata"]): GenerateRequest =>
  metadata === undefined
    ? { messages: [{ role: "user", content }] }
    : { messages: [{ role: "user", content }], metadata };
