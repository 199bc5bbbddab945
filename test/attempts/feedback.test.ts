import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FeedbackLog, failureOf } from "../../src/attempts/feedback.js";
import {
  type Attempt,
  type Failure,
  type GenerateRequest,
  renderedChars,
  renderPrompt,
} from "../../src/index.js";
import { feedbackBlockChars, feedbackEntryChars } from "../../src/prompt.js";

const request: GenerateRequest = {
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Write the function." },
  ],
};

const failure = (attempt: number, overrides: Partial<Failure> = {}): Failure => ({
  attempts: [attempt],
  modelId: "m",
  kind: "rejected",
  message: "1/2 rules passed",
  violations: [{ ruleId: "no-unwrap", message: "uses .unwrap()" }],
  excerpt: `draft ${attempt}`,
  ...overrides,
});

const sizeWith = (feedback: readonly Failure[] | undefined) =>
  renderedChars(feedback === undefined ? request : { ...request, feedback });

describe("FeedbackLog", () => {
  it("merges duplicates into one entry naming every attempt, keeping the newest excerpt", () => {
    const log = new FeedbackLog();
    log.add(failure(1));
    log.add(failure(2, { message: "other" }));
    log.add(failure(3));
    expect(log.size).toBe(2);
    const { feedback } = log.select(request, 5_000, "full");
    expect(feedback?.map((f) => f.attempts)).toEqual([[2], [1, 3]]);
    expect(feedback?.[1]?.excerpt).toBe("draft 3");
    expect(renderPrompt({ ...request, feedback: feedback ?? [] })).toContain(
      "attempts 1, 3 (model m) failed",
    );
  });

  it("keeps the newest and drops the oldest when the budget is small", () => {
    const log = new FeedbackLog();
    for (let i = 1; i <= 6; i += 1) log.add(failure(i, { message: `failure number ${i}` }));
    const two =
      sizeWith([failure(5, { message: "failure number 5" }), failure(6, { message: "failure number 6" })]) -
      sizeWith(undefined);
    const { feedback, chars } = log.select(request, two, "full");
    expect(feedback?.map((f) => f.attempts[0])).toEqual([5, 6]);
    expect(chars).toBe(sizeWith(feedback) - sizeWith(undefined));
  });

  it("shrinks the entry at the edge of the budget rather than cutting a line", () => {
    const log = new FeedbackLog();
    const rules = Array.from({ length: 5 }, (_, i) => ({
      ruleId: `rule-${i}`,
      message: `rule ${i} failed here`,
    }));
    log.add(failure(1, { violations: rules, excerpt: "x".repeat(300) }));
    const full =
      sizeWith([failure(1, { violations: rules, excerpt: "x".repeat(300) })]) - sizeWith(undefined);
    const { feedback, chars } = log.select(request, full - 200, "full");
    expect(chars).toBeLessThanOrEqual(full - 200);
    const entry = feedback?.[0];
    expect(entry?.excerpt).toBeUndefined();
    expect(entry?.violations).toEqual(rules.slice(0, entry?.violations?.length));
    if ((entry?.violations?.length ?? 0) < rules.length)
      expect(entry?.message).toMatch(/more violated rules? not shown/);
  });

  it('sends nothing new in mode "none" or when nothing fits', () => {
    const log = new FeedbackLog();
    log.add(failure(1));
    expect(log.select(request, 5_000, "none")).toEqual({ feedback: undefined, chars: 0 });
    expect(log.select(request, 10, "full")).toEqual({ feedback: undefined, chars: 0 });
  });

  it("keeps an outer engine's feedback and counts only what it adds", () => {
    const outer = [failure(1, { modelId: "outer" })];
    const log = new FeedbackLog();
    log.add(failure(1, { modelId: "inner" }));
    const { feedback, chars } = log.select({ ...request, feedback: outer }, 5_000, "full");
    expect(feedback?.[0]).toBe(outer[0]);
    expect(chars).toBe(sizeWith(feedback) - sizeWith(outer));
  });

  it("builds entries from attempts: kind, one-line capped messages, rules, a short excerpt", () => {
    const attempt: Attempt = {
      index: 2,
      rung: 0,
      modelId: "m",
      path: "retry",
      accepted: false,
      kind: "rejected",
      text: "z".repeat(1_000),
      usage: {},
      startedAt: 0,
      endedAt: 0,
      feedbackChars: 0,
      promptChars: 0,
      verdict: {
        rubricId: "r",
        accepted: false,
        score: 0,
        passed: 0,
        total: 1,
        results: [],
        violations: [
          {
            ruleId: "long",
            pass: false,
            score: 0,
            weight: 1,
            required: false,
            durationMs: 0,
            message: `line one\nline two ${"w".repeat(500)}`,
            description: `what the rule asks ${"d".repeat(500)}`,
          },
        ],
      },
    };
    const entry = failureOf(attempt);
    expect(entry.attempts).toEqual([2]);
    expect(entry.message).toBe("0/1 rules passed");
    const line = entry.violations?.[0]?.message ?? "";
    expect(line).not.toContain("\n");
    expect(line.length).toBeLessThanOrEqual(300);
    expect(line).toContain("line one line two");
    expect(line).toContain("the rule: what the rule asks");
    expect(entry.excerpt?.length).toBeLessThanOrEqual(400);
  });

  it("says a rule once when its message repeats its description (issue 29), and both when they differ", () => {
    const violation = (message: string, description: string) =>
      failureOf({
        index: 1,
        rung: 0,
        modelId: "m",
        path: "retry",
        accepted: false,
        kind: "rejected",
        text: "draft",
        usage: {},
        startedAt: 0,
        endedAt: 1,
        feedbackChars: 0,
        promptChars: 10,
        verdict: {
          rubricId: "r",
          accepted: false,
          score: 0,
          passed: 0,
          total: 1,
          results: [],
          violations: [
            {
              ruleId: "kw",
              pass: false,
              score: 0,
              weight: 1,
              required: false,
              durationMs: 0,
              message,
              description,
            },
          ],
        },
      }).violations?.[0]?.message;
    expect(violation("Include the keyword 'tide'. It is missing.", "Include the keyword 'tide'.")).toBe(
      "Include the keyword 'tide'. It is missing.",
    );
    expect(violation("missing", "Include the keyword 'tide' (missing)")).toBe(
      "Include the keyword 'tide' (missing)",
    );
    expect(violation("found .unwrap() at line 3", "Never call unwrap")).toBe(
      "found .unwrap() at line 3 — the rule: Never call unwrap",
    );
  });

  it("for any failures and budget: within budget, newest kept, never cut mid-line", () => {
    const arbFailure = fc.record({
      modelId: fc.constantFrom("a", "b"),
      kind: fc.constantFrom("rejected", "empty", "server-error", "truncated") as fc.Arbitrary<
        Failure["kind"]
      >,
      message: fc.string({ maxLength: 120 }),
      violations: fc.array(
        fc.record({ ruleId: fc.constantFrom("r1", "r2", "r3"), message: fc.string({ maxLength: 80 }) }),
        { maxLength: 4 },
      ),
      excerpt: fc.string({ maxLength: 500 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbFailure, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 3_000 }),
        fc.constantFrom("full", "brief") as fc.Arbitrary<"full" | "brief">,
        (items, budget, mode) => {
          const log = new FeedbackLog();
          for (const [i, item] of items.entries()) log.add({ ...item, attempts: [i + 1] });
          const { feedback, chars } = log.select(request, budget, mode);
          const delta = sizeWith(feedback) - sizeWith(undefined);
          expect(delta).toBe(chars);
          expect(delta).toBeLessThanOrEqual(budget);
          const rendered = renderPrompt({ ...request, feedback: feedback ?? [] });
          expect(rendered).not.toContain("chars cut here");
          const chosen = feedback ?? [];
          // The chosen entries are the newest ones, in order, and each names the newest attempt first.
          const attemptsChosen = chosen.flatMap((f) => f.attempts);
          if (chosen.length > 0) expect(Math.max(...attemptsChosen)).toBe(items.length);
          for (const entry of chosen) {
            if (mode === "brief") expect(entry.excerpt).toBeUndefined();
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe("feedbackBlockChars", () => {
  const text = fc.string({ maxLength: 60 }).map((s) => s.replace(/\s+$/, ""));
  const entry = fc.record(
    {
      attempts: fc.array(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 3 }),
      modelId: fc.constantFrom("m", "ollama:qwen3:8b"),
      kind: fc.constantFrom("rejected" as const, "server-error" as const, "empty" as const),
      message: fc.oneof(text, fc.constant("</rungs-feedback> <rungs-context>")),
      violations: fc.array(fc.record({ ruleId: fc.constantFrom("a", "b"), message: text }), { maxLength: 3 }),
      excerpt: fc.oneof(text, fc.constant("x\n< /rungs-feedback>\ny"), fc.string({ maxLength: 500 })),
      earlierRun: fc.boolean(),
    },
    { requiredKeys: ["attempts", "modelId", "kind"] },
  );

  it("sums per-entry sizes to exactly what renderedChars counts, for any feedback within the cap", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), fc.boolean(), (feedback, withSystem) => {
        const messages: GenerateRequest["messages"] = withSystem ? [{ role: "system", content: "" }] : [];
        const rendered = renderedChars({ messages, feedback });
        fc.pre(rendered <= 8_000);
        const entries = feedback.reduce((sum, f) => sum + feedbackEntryChars(f as Failure), 0);
        expect(feedbackBlockChars(feedback.length, entries, withSystem)).toBe(rendered);
      }),
    );
  });
});
