// For all ladders, feedback, continuations and context sizes under treeSplit: every request a leaf model
// receives renders within the split's budget (issue "composition that holds", problem 2).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  continueUntilComplete,
  defineRubric,
  escalateAcross,
  type GenerateRequest,
  type Model,
  ProviderError,
  predicate,
  renderedChars,
  retryWithContext,
  treeSplit,
} from "../../src/index.js";
import { scriptedModel } from "../../src/testing/index.js";

const rubric = defineRubric({
  id: "answer",
  rules: Array.from({ length: 5 }, (_, i) =>
    predicate(`rule-${i}`, (t) => !t.includes(`bad${i}`), {
      description: `Never write bad${i}. ${"why ".repeat(i * 5)}`,
    }),
  ),
});

const arbRung = fc.record({
  attempts: fc.integer({ min: 1, max: 3 }),
  feedback: fc.constantFrom("full", "brief", "none") as fc.Arbitrary<"full" | "brief" | "none">,
  continuations: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  nested: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
});
const arbRun = fc.record({
  budget: fc.integer({ min: 700, max: 5_000 }),
  reserve: fc.constantFrom(0, 0.1, 0.3),
  contextChars: fc.integer({ min: 0, max: 20_000 }),
  maxFeedbackChars: fc.integer({ min: 1, max: 4_000 }),
  maxAttempts: fc.integer({ min: 1, max: 6 }),
  rungs: fc.array(arbRung, { minLength: 1, maxLength: 3 }),
  seed: fc.integer({ min: 0, max: 1_000 }),
});

describe("treeSplit budget at the leaves (property)", () => {
  it("no leaf request renders over the budget, whatever the ladder, feedback and continuation", async () => {
    await fc.assert(
      fc.asyncProperty(arbRun, async (run) => {
        let largest = 0;
        let n = run.seed;
        const leaf = (id: string) =>
          scriptedModel(
            id,
            [
              (request: GenerateRequest) => {
                largest = Math.max(largest, renderedChars(request));
                n = (n * 1103515245 + 12345) % 2 ** 31;
                const pick = n % 7;
                if (pick === 0) return { text: `cut ${"y".repeat(n % 700)}`, finishReason: "length" };
                if (pick === 1) return "";
                if (pick === 2)
                  return new ProviderError("HTTP 500 at http://internal", {
                    kind: "server-error",
                    providerId: id,
                  });
                if (pick === 3) return `bad${n % 5} ${"z".repeat(n % 500)}`;
                return `notes ${"w".repeat(n % 200)}`;
              },
            ],
            { whenDone: "repeat-last" },
          );
        const ladder = run.rungs.map((r, i) => {
          let model: Model = leaf(`m${i}`);
          if (r.continuations !== undefined)
            model = continueUntilComplete(model, { maxContinuations: r.continuations });
          if (r.nested !== undefined)
            model = retryWithContext(model, {
              rubric,
              maxAttempts: r.nested,
              maxFeedbackChars: run.maxFeedbackChars,
            });
          return { model, maxAttempts: r.attempts, feedbackMode: r.feedback };
        });
        const solver = treeSplit(
          escalateAcross(ladder, {
            rubric,
            maxAttempts: run.maxAttempts,
            maxFeedbackChars: run.maxFeedbackChars,
          }),
          { promptLimit: { chars: run.budget }, reserve: run.reserve, maxDepth: 2 },
        );
        const context = Array.from(
          { length: Math.ceil(run.contextChars / 1_000) },
          (_, i) => `doc ${i} ${"word ".repeat(199)}`,
        );
        await solver
          .generate({ messages: [{ role: "user", content: "Answer from the documents." }], context })
          .catch(() => undefined);
        expect(largest).toBeLessThanOrEqual(run.budget);
      }),
      { numRuns: 40, seed: 14 },
    );
  });
});
