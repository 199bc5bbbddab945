import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CircuitBreakers } from "../../src/attempts/breaker-registry.js";
import { climbKinds } from "../../src/attempts/classify.js";
import {
  type Attempt,
  Budget,
  BudgetExhaustedError,
  ExhaustedError,
  type FailureKind,
  failureKinds,
  type Model,
  ProviderError,
  renderedChars,
} from "../../src/index.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { retryWithContext } from "../../src/primitives/retry-with-context.js";
import { type ScriptedModel, type ScriptStep, scriptedModel } from "../../src/testing/index.js";
import { testRubric } from "./helpers.js";

// Per-call outcomes: accepted, rejected, empty, cut off, every provider error kind, a rubric that throws,
// and an unclassified Error.
// Every kind a provider call can fail with: the kinds before "empty" in failureKinds order (docs/architecture.md).
const providerKinds: readonly FailureKind[] = failureKinds.slice(0, failureKinds.indexOf("empty"));
type Outcome = "ok" | "bad" | "empty" | "length" | "rubric-throws" | "plain-error" | FailureKind;
const outcome: fc.Arbitrary<Outcome> = fc.oneof(
  fc.constantFrom<Outcome>("ok", "bad", "empty", "length", "rubric-throws", "plain-error"),
  fc.constantFrom<Outcome>(...providerKinds),
);

const step = (o: Outcome): ScriptStep => {
  switch (o) {
    case "ok":
      return "ok";
    case "bad":
      return "bad";
    case "empty":
      return "";
    case "length":
      return { text: "ok but cut", finishReason: "length" };
    case "rubric-throws":
      return "THROW";
    case "plain-error":
      return new Error("something odd");
    default:
      return new ProviderError(`${o}!`, { kind: o, providerId: "p" });
  }
};

const rubric = testRubric([
  {
    id: "says-ok",
    check: (text) => {
      if (text === "THROW") throw new Error("rule crashed");
      return text.startsWith("ok") || 'must start with "ok"';
    },
  },
]);
// evaluate() itself throws for "THROW" in half the rungs, so both rule errors and rubric crashes occur.
const crashingRubric = {
  ...rubric,
  evaluate: async (text: string) => {
    if (text === "THROW") throw new Error("rubric crashed");
    return rubric.evaluate(text);
  },
};

const rungArb = fc.record({
  script: fc.array(outcome, { minLength: 1, maxLength: 6 }),
  attempts: fc.integer({ min: 1, max: 3 }),
  feedback: fc.constantFrom("full", "brief", "none") as fc.Arbitrary<"full" | "brief" | "none">,
  nested: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
});

const runArb = fc.record({
  rungs: fc.array(rungArb, { minLength: 1, maxLength: 4 }),
  maxAttempts: fc.integer({ min: 1, max: 8 }),
  maxFeedbackChars: fc.integer({ min: 1, max: 2_500 }),
  onExhausted: fc.constantFrom("throw", "best") as fc.Arbitrary<"throw" | "best">,
  breakerThreshold: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  budgetAttempts: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
  crash: fc.boolean(),
});

/** Leaf calls beneath a list of attempts: an attempt with nested attempts counts those, else one call. */
const leafCalls = (attempts: readonly Attempt[] | undefined): number =>
  (attempts ?? []).reduce((sum, a) => sum + (a.trace?.attempts ? leafCalls(a.trace.attempts) : 1), 0);

describe("attempt engine properties", () => {
  it("always terminates within the computed bound, recording every call as an attempt", async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async (run) => {
        const leaves: ScriptedModel[] = [];
        const ladder = run.rungs.map((rung, i) => {
          const leaf = scriptedModel(`m${i}`, rung.script.map(step), { whenDone: "repeat-last" });
          leaves.push(leaf);
          const model: Model =
            rung.nested === undefined
              ? leaf
              : retryWithContext(leaf, {
                  rubric,
                  maxAttempts: rung.nested,
                  maxFeedbackChars: run.maxFeedbackChars,
                });
          return { model, maxAttempts: rung.attempts, feedbackMode: rung.feedback };
        });
        const engine = escalateAcross(ladder, {
          rubric: run.crash ? crashingRubric : rubric,
          maxAttempts: run.maxAttempts,
          maxFeedbackChars: run.maxFeedbackChars,
          onExhausted: run.onExhausted,
          ...(run.breakerThreshold === undefined
            ? {}
            : { breakers: new CircuitBreakers({ failureThreshold: run.breakerThreshold }) }),
        });
        const budget =
          run.budgetAttempts === undefined ? undefined : new Budget({ maxCalls: run.budgetAttempts });
        const request = { messages: [{ role: "user" as const, content: "Say ok." }] };
        let attempts: readonly Attempt[];
        try {
          const generation = await engine.generate(request, budget === undefined ? {} : { budget });
          attempts = generation.trace?.attempts ?? [];
          if (generation.verdict?.accepted !== false) expect(attempts.at(-1)?.accepted).toBe(true);
        } catch (error) {
          expect(ExhaustedError.isInstance(error)).toBe(true);
          if (!BudgetExhaustedError.isInstance(error)) {
            expect([
              "maxAttempts",
              "everyRungTried",
              "notRetryable",
              "rungsUnavailable",
              "rubricError",
            ]).toContain((error as ExhaustedError).limit);
          }
          attempts = (error as ExhaustedError).attempts;
        }
        const calls = leaves.reduce((sum, leaf) => sum + leaf.calls.length, 0);
        // Bound: the outer cap and the rungs' allowances, times the nested caps beneath.
        const perAttempt = Math.max(...run.rungs.map((r) => r.nested ?? 1));
        const outerBound = Math.min(
          run.maxAttempts,
          run.rungs.reduce((sum, r) => sum + r.attempts, 0),
        );
        expect(attempts.length).toBeLessThanOrEqual(outerBound);
        expect(calls).toBeLessThanOrEqual(outerBound * perAttempt);
        if (budget !== undefined) expect(calls).toBeLessThanOrEqual(run.budgetAttempts!);
        expect(leafCalls(attempts)).toBe(calls);
        // A model that failed with a kind asking again cannot fix is not asked again in the run.
        attempts.forEach((attempt, i) => {
          if (attempt.kind !== undefined && climbKinds.has(attempt.kind)) {
            expect(attempts.slice(i + 1).some((later) => later.modelId === attempt.modelId)).toBe(false);
          }
        });
        // Every prompt stays within the first prompt plus the feedback budget.
        const first = renderedChars(request);
        for (const leaf of leaves) {
          for (const call of leaf.calls) {
            const nestedBudget = run.rungs.some((r) => r.nested !== undefined)
              ? 2 * run.maxFeedbackChars
              : run.maxFeedbackChars;
            expect(renderedChars(call.request)).toBeLessThanOrEqual(first + nestedBudget);
          }
        }
      }),
      { numRuns: Number(process.env.RUNGS_PROPERTY_RUNS ?? 300) },
    );
  });
});
