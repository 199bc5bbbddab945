import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidArgumentError } from "../../src/errors/index.js";
import { defineRubric } from "../../src/rubric/rubric.js";
import {
  countUnits,
  json,
  length,
  matches,
  nonEmpty,
  notMatches,
  predicate,
} from "../../src/rubric/rules.js";
import type { Rule } from "../../src/rubric/types.js";

async function run(rule: Rule, output: string) {
  const verdict = await defineRubric({ id: "t", rules: [rule] }).evaluate(output);
  return verdict.results[0]!;
}

describe("matches", () => {
  const backoff = matches("backoff", [/delay\s*\*=\s*2/, /<<\s*1/, /\.pow\(/, /250[\s\S]*500[\s\S]*1000/]);

  it.each([
    ["delay *= 2;"],
    ["let d = base << 1;"],
    ["2u64.pow(attempt)"],
    ["const DELAYS: [u64; 3] = [250, 500, 1000];"],
  ])("passes when any accepted form matches: %s", async (text) => {
    expect((await run(backoff, text)).pass).toBe(true);
  });

  it("fails when none matches, saying how many forms were tried", async () => {
    const result = await run(backoff, "sleep(100)");
    expect(result.pass).toBe(false);
    expect(result.message).toMatch(/None of the 4 accepted forms matched/);
  });

  it("fails a single pattern naming it, with the given description first", async () => {
    const rule = matches("sig", /pub async fn fetch_all/, { description: "Keep the exact signature." });
    const result = await run(rule, "fn other()");
    expect(result.message).toMatch(/^Keep the exact signature\. It did not match \/pub async fn fetch_all\//);
    expect(result.description).toBe("Keep the exact signature.");
  });

  it("refuses an empty id or an empty pattern list", () => {
    expect(() => matches("", "a")).toThrow(InvalidArgumentError);
    expect(() => matches("r", [])).toThrow(/at least one pattern/);
  });
});

describe("notMatches", () => {
  it("passes when nothing matches and fails naming the pattern, the line and the text", async () => {
    const rule = notMatches("no-unwrap", [/\.expect\(/, /\.unwrap\(\)/]);
    expect((await run(rule, "let x = y?;")).pass).toBe(true);
    const result = await run(rule, "fn a() {\n  let x = y.unwrap();\n}");
    expect(result.pass).toBe(false);
    expect(result.message).toMatch(/Found "\.unwrap\(\)" \(\/\\\.unwrap\\\(\\\)\/\) on line 2/);
  });
});

describe("json", () => {
  const shape = z.object({ answer: z.string(), confidence: z.number().min(0).max(1) });
  const rule = json("shape", shape);

  it("passes JSON the zod 4 schema accepts, bare or in one code fence", async () => {
    expect((await run(rule, '{"answer":"42","confidence":0.9}')).pass).toBe(true);
    expect((await run(rule, '```json\n{"answer":"42","confidence":0.9}\n```')).pass).toBe(true);
  });

  it("refuses a fence when told to", async () => {
    const strict = json("shape", shape, { allowCodeFence: false });
    expect((await run(strict, '```json\n{"answer":"42","confidence":0.9}\n```')).pass).toBe(false);
  });

  it("reports a parse error", async () => {
    const result = await run(rule, "{answer: 42");
    expect(result.pass).toBe(false);
    expect(result.message).toMatch(/not valid JSON/);
  });

  it("reports the schema's issues with their paths", async () => {
    const result = await run(rule, '{"answer":42,"confidence":2}');
    expect(result.pass).toBe(false);
    expect(result.message).toMatch(/answer: /);
    expect(result.message).toMatch(/confidence: /);
  });

  it("works with any Standard Schema, async validation included", async () => {
    const even = {
      "~standard": {
        version: 1 as const,
        vendor: "test",
        validate: async (value: unknown) =>
          typeof value === "number" && value % 2 === 0
            ? { value }
            : { issues: [{ message: "must be even", path: [{ key: "n" }] }] },
      },
    };
    expect((await run(json("even", even), "4")).pass).toBe(true);
    expect((await run(json("even", even), "3")).message).toMatch(/n: must be even/);
  });

  it("refuses something that is not a Standard Schema", () => {
    expect(() => json("x", {} as never)).toThrow(/Standard Schema/);
  });
});

describe("length", () => {
  it("counts chars, words and lines", () => {
    expect(countUnits("héllo", "chars")).toBe(5);
    expect(countUnits("  one two\n three  ", "words")).toBe(3);
    expect(countUnits("a\nb\n", "lines")).toBe(2);
    expect(countUnits("a\r\nb\nc", "lines")).toBe(3);
    expect(countUnits("", "lines")).toBe(0);
    expect(countUnits("a\r", "lines")).toBe(1);
    expect(countUnits("\r\r\n\n", "lines")).toBe(3);
  });

  it("counts words as the runs between whitespace, and lines as the pieces between breaks less a last empty one", () => {
    const pieces = fc.constantFrom(
      "a",
      "bc",
      " ",
      "\t",
      "\u00a0",
      "\u2028",
      "\uFEFF",
      "\r",
      "\n",
      "\r\n",
      "\uD83D",
    );
    fc.assert(
      fc.property(
        fc.array(pieces).map((list) => list.join("")),
        (text) => {
          expect(countUnits(text, "words")).toBe(text.split(/\s+/).filter((word) => word !== "").length);
          const lines = text.split(/\r\n|\r|\n/);
          expect(countUnits(text, "lines")).toBe(
            text === "" ? 0 : lines.length - (lines.at(-1) === "" ? 1 : 0),
          );
        },
      ),
    );
  });

  it("passes within min..max inclusive and fails outside, saying the count", async () => {
    const rule = length("words", { min: 2, max: 3, unit: "words" });
    expect((await run(rule, "one two")).pass).toBe(true);
    expect((await run(rule, "one two three")).pass).toBe(true);
    const result = await run(rule, "one two three four");
    expect(result.pass).toBe(false);
    expect(result.message).toMatch(/between 2 and 3 words.*It is 4 words/);
    expect((await run(length("lines", { max: 1, unit: "lines" }), "a\nb")).pass).toBe(false);
    expect((await run(length("chars", { min: 3 }), "ab")).pass).toBe(false);
  });

  it("refuses no bounds, min > max and negative bounds, naming the option", () => {
    expect(() => length("x", {})).toThrow(/needs min or max/);
    expect(() => length("x", { min: 5, max: 2 })).toThrow(/"min"/);
    expect(() => length("x", { max: -1 })).toThrow(/"max"/);
    expect(() => length("x", { max: 1, unit: "bytes" as never })).toThrow(/"unit"/);
  });

  it("holds for all texts: word count never exceeds char count, line count never exceeds newlines + 1", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(countUnits(text, "words")).toBeLessThanOrEqual(text.length);
        expect(countUnits(text, "lines")).toBeLessThanOrEqual((text.match(/\r\n|\r|\n/g) ?? []).length + 1);
      }),
    );
  });
});

describe("nonEmpty", () => {
  it("fails on empty or whitespace-only output", async () => {
    expect((await run(nonEmpty(), "x")).pass).toBe(true);
    expect((await run(nonEmpty(), " \n\t")).pass).toBe(false);
    expect(nonEmpty().id).toBe("non-empty");
    expect(nonEmpty({ id: "has-text", required: true })).toMatchObject({ id: "has-text", required: true });
  });
});

describe("predicate", () => {
  it("passes a partial k/n score into the weighted verdict", async () => {
    const tests = predicate("three-tests", (code) => {
      const found = (code.match(/#\[test\]/g) ?? []).length;
      return { pass: found >= 3, score: Math.min(1, found / 3), message: `${found}/3 tests` };
    });
    const rubric = defineRubric({ id: "t", threshold: 0.5, rules: [tests, nonEmpty()] });
    const verdict = await rubric.evaluate("#[test]\n#[test]");
    expect(verdict.results[0]).toMatchObject({ pass: false, message: "2/3 tests" });
    expect(verdict.results[0]?.score).toBeCloseTo(2 / 3);
    expect(verdict.score).toBeCloseTo((2 / 3 + 1) / 2);
    expect(verdict.passed).toBe(1);
    expect(verdict.accepted).toBe(true);
  });

  it("takes weight, required and timeoutMs, and refuses a non-function", () => {
    const rule = predicate("p", () => true, { weight: 2, required: true, timeoutMs: 50 });
    expect(rule).toMatchObject({ weight: 2, required: true, timeoutMs: 50 });
    expect(() => predicate("p", "no" as never)).toThrow(/function/);
    expect(() => predicate("p", () => true, { weight: -1 })).toThrow(/"weight"/);
  });
});
