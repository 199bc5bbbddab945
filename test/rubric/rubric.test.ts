import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CallerCodeError, InvalidArgumentError } from "../../src/errors/index.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { defineRubric, verdictOf } from "../../src/rubric/rubric.js";
import { notMatches } from "../../src/rubric/rules.js";
import type { Rule, RuleResult } from "../../src/rubric/types.js";
import { manualClock, scriptedModel } from "../../src/testing/index.js";

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

  it("refuses bad options, naming them", () => {
    expect(() => defineRubric({ id: "", rules: [rule("a", true)] })).toThrow(/"id"/);
    expect(() => defineRubric({ id: "r", threshold: 1.5, rules: [rule("a", true)] })).toThrow(/"threshold"/);
    expect(() => defineRubric({ id: "r", rules: [rule("a", true, { weight: -1 })] })).toThrow(
      /rules\.0\.weight/,
    );
    expect(() =>
      defineRubric({ id: "r", rules: [rule("a", true, { weight: Number.POSITIVE_INFINITY })] }),
    ).toThrow(/weight/);
    expect(() => defineRubric({ id: "r", rules: [rule("a", true, { weight: 0 })] })).toThrow(/weight 0/);
    expect(() => defineRubric({ id: "r", rules: [{ id: "a" } as Rule] })).toThrow(/rules\.0\.check/);
    expect(() => defineRubric({ id: "r", maxOutputChars: 0, rules: [rule("a", true)] })).toThrow(
      /maxOutputChars/,
    );
  });

  it("uses the rule's description as the message of a bare boolean failure", async () => {
    const verdict = await defineRubric({
      id: "r",
      rules: [rule("a", false, { description: "Say hello." })],
    }).evaluate("x");
    expect(verdict.violations[0]).toMatchObject({
      ruleId: "a",
      message: "Say hello.",
      description: "Say hello.",
    });
  });
});

describe("rules that misbehave fail, and the run goes on", () => {
  it("a throwing rule is a failed, errored rule with the error in its message", async () => {
    const rubric = defineRubric({
      id: "r",
      rules: [
        {
          id: "boom",
          check: () => {
            throw new Error("cannot read x");
          },
        },
        {
          id: "async-boom",
          check: async () => {
            throw new Error("later");
          },
        },
        rule("ok", true),
      ],
    });
    const verdict = await rubric.evaluate("x");
    expect(verdict.results.map((r) => [r.ruleId, r.pass, r.errored ?? false])).toEqual([
      ["boom", false, true],
      ["async-boom", false, true],
      ["ok", true, false],
    ]);
    expect(verdict.results[0]?.message).toBe("rule threw: Error: cannot read x");
    expect(verdict.results[1]?.message).toMatch(/later/);
    expect(verdict.passed).toBe(1);
  });

  it.each([
    ["NaN score", { pass: true, score: Number.NaN }, /score NaN/],
    ["score above 1", { pass: true, score: 1.5 }, /score 1\.5/],
    ["no pass flag", { score: 1 }, /boolean `pass`/],
    ["a number", Number.NaN, /returned NaN/],
    ["undefined", undefined, /returned undefined/],
  ])("a rule returning %s fails as a rubric error", async (_name, value, message) => {
    const rubric = defineRubric({ id: "r", rules: [{ id: "bad", check: () => value as never }] });
    const verdict = await rubric.evaluate("x");
    expect(verdict.accepted).toBe(false);
    expect(verdict.results[0]).toMatchObject({ pass: false, errored: true, score: 0 });
    expect(verdict.results[0]?.message).toMatch(message);
  });

  it("a rule past its time limit fails with a timeout message and sees its signal abort", async () => {
    const clock = manualClock();
    let sawAbort = false;
    const slow: Rule = {
      id: "slow",
      timeoutMs: 500,
      check: (_output, ctx) =>
        new Promise<boolean>(() => {
          ctx.signal?.addEventListener("abort", () => {
            sawAbort = true;
          });
        }),
    };
    const never: Rule = { id: "never", check: () => new Promise<boolean>(() => {}) };
    const rubric = defineRubric({
      id: "r",
      clock,
      ruleTimeoutMs: 2_000,
      rules: [slow, never, rule("ok", true)],
    });
    const pending = rubric.evaluate("x");
    await clock.advance(500);
    expect(sawAbort).toBe(true);
    await clock.advance(1_500);
    const verdict = await pending;
    expect(verdict.results[0]).toMatchObject({ pass: false, errored: true, durationMs: 500 });
    expect(verdict.results[0]?.message).toBe("rule timed out after 500 ms (rubric timeout)");
    expect(verdict.results[1]?.message).toBe("rule timed out after 2000 ms (rubric timeout)");
    expect(verdict.results[2]?.pass).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it("the caller's abort rejects with signal.reason, unwrapped", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const rubric = defineRubric({
      id: "r",
      rules: [{ id: "hang", check: () => new Promise<boolean>(() => {}) }],
    });
    const pending = rubric.evaluate("x", { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(rubric.evaluate("x", { signal: controller.signal })).rejects.toBe(reason);
  });
});

describe("maxOutputChars", () => {
  it("judges a long output on its capped text and says so", async () => {
    const seen: string[] = [];
    const rubric = defineRubric({
      id: "r",
      maxOutputChars: 10,
      rules: [{ id: "spy", check: (o: string) => seen.push(o) > 0 }, notMatches("no-secret-tail", /TAIL/)],
    });
    const verdict = await rubric.evaluate(`${"x".repeat(10)}TAIL`);
    expect(seen).toEqual(["x".repeat(10)]);
    expect(verdict.cappedAt).toBe(10);
    expect(verdict.accepted).toBe(true);
    const short = await rubric.evaluate("short");
    expect(short.cappedAt).toBeUndefined();
  });

  it("never splits a surrogate pair at the cap", async () => {
    const seen: string[] = [];
    const rubric = defineRubric({
      id: "r",
      maxOutputChars: 2,
      rules: [{ id: "spy", check: (o: string) => seen.push(o) > 0 }],
    });
    await rubric.evaluate("a😀b");
    expect(seen).toEqual(["a"]);
  });
});

describe("verdictOf", () => {
  const result = (pass: boolean, score: number, weight: number, required: boolean): RuleResult => ({
    ruleId: "r",
    pass,
    score,
    weight,
    required,
    durationMs: 0,
  });

  it("for any results: score in 0..1, passed + violations = total, accepted implies required rules pass", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            pass: fc.boolean(),
            score: fc.double({ min: 0, max: 1, noNaN: true }),
            weight: fc.double({ min: 0.01, max: 100, noNaN: true }),
            required: fc.boolean(),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (raw, threshold) => {
          const results = raw.map((r) => result(r.pass, r.score, r.weight, r.required));
          const verdict = verdictOf("v", threshold, results);
          expect(verdict.score).toBeGreaterThanOrEqual(0);
          expect(verdict.score).toBeLessThanOrEqual(1);
          expect(verdict.passed + verdict.violations.length).toBe(verdict.total);
          if (verdict.accepted) expect(results.every((r) => r.pass || !r.required)).toBe(true);
          if (threshold === 1 && verdict.accepted) expect(verdict.violations).toHaveLength(0);
        },
      ),
    );
  });
});

describe("checkPrefix must be synchronous", () => {
  it("an async checkPrefix is refused at construction, naming the rule and the fix", () => {
    expect(() =>
      defineRubric({
        id: "r",
        rules: [{ id: "later", check: () => true, checkPrefix: (async () => true) as never }],
      }),
    ).toThrow(/checkPrefix of rule "later" is async; it must be synchronous/);
  });

  it("one that returns a promise stops the run as the caller's bug, its rejection handled", async () => {
    const rubric = defineRubric({
      id: "r",
      rules: [
        {
          id: "thenable",
          check: () => true,
          checkPrefix: (() => Promise.reject(new Error("late"))) as never,
        },
      ],
    });
    expect(() => rubric.evaluatePrefix?.("some text")).toThrow(CallerCodeError);
    const ladder = escalateAcross([scriptedModel("m", ["word ".repeat(50)])], { rubric });
    const error = await (async () => {
      for await (const _ of ladder.stream({ prompt: "q" })) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(CallerCodeError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/returned a promise: it must be synchronous/);
  });
});
