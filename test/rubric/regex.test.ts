import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/index.js";
import {
  compilePattern,
  jsPattern,
  RegexTimeoutError,
  unsupportedConstruct,
} from "../../src/rubric/regex.js";
import { defineRubric } from "../../src/rubric/rubric.js";
import { matches, notMatches } from "../../src/rubric/rules.js";

describe("linear-time regex engine", () => {
  it("runs (a+)+$ on 50,000 'a' and a '!' well under 100 ms (a safety property, bound kept generous)", async () => {
    const rubric = defineRubric({ id: "redos", rules: [matches("nested", "(a+)+$")] });
    const input = `${"a".repeat(50_000)}!`;
    await rubric.evaluate("warm up");
    const started = performance.now();
    const verdict = await rubric.evaluate(input);
    const elapsed = performance.now() - started;
    // No match: "$" needs the run of "a" to end the input, and "!" ends it.
    expect(verdict.accepted).toBe(false);
    expect(elapsed).toBeLessThan(100);
  });

  it.each([
    ["a(?=b)", /lookahead/],
    ["a(?!b)", /negative lookahead/],
    ["(?<=a)b", /lookbehind/],
    ["(?<!a)b", /negative lookbehind/],
    ["(a)\\1", /backreference \\1/],
    ["(?<n>a)\\k<n>", /named backreference/],
  ])("refuses %s when the rule is built, with the reason", (pattern, reason) => {
    let error: unknown;
    try {
      matches("r", pattern);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).message).toMatch(reason);
    expect((error as InvalidArgumentError).message).toMatch(/jsPattern/);
    expect((error as InvalidArgumentError).parameter).toBe("pattern");
  });

  it("refuses a RegExp with lookaround and names its index in a list", () => {
    expect(() => notMatches("r", [/ok/, /x(?=y)/])).toThrow(/patterns\[1\]/);
  });

  it("refuses a pattern that does not parse, quoting the engine's reason", () => {
    expect(() => matches("r", "[")).toThrow(/missing closing \]/);
  });

  it("does not mistake lookaround-like text inside a class or an escape for lookaround", () => {
    expect(unsupportedConstruct("[(?=]x")).toBeUndefined();
    expect(unsupportedConstruct("\\(?=")).toBeUndefined();
    expect(unsupportedConstruct("[\\1]")).toBeUndefined();
    expect(unsupportedConstruct("[]]\\1")).toMatch(/backreference/);
  });

  it("carries the RegExp flags i, m and s over", () => {
    expect(compilePattern(/HELLO/i).test("hello")).toBe(true);
    expect(compilePattern(/^b$/m).test("a\nb\nc")).toBe(true);
    expect(compilePattern(/^b$/).test("a\nb\nc")).toBe(false);
    expect(compilePattern(/a.b/s).test("a\nb")).toBe(true);
    expect(compilePattern(/a.b/).test("a\nb")).toBe(false);
  });

  it("agrees with the JS engine on simple patterns for any input", () => {
    const patterns = [/\.unwrap\(\)/, /delay\s*\*=\s*2/, /^\s*\/\/\/ /m, /\d{3,4}/, /fn\s+\w+<'a>/];
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom("a", "1", " ", "\n", "/", ".", "(", ")", "u", "w", "*", "=", "2"),
        }),
        (text) => {
          for (const regex of patterns) expect(compilePattern(regex).test(text)).toBe(regex.test(text));
        },
      ),
    );
  });
});

describe("jsPattern (explicit opt-in to the JS engine)", () => {
  it("runs lookaround the linear-time engine refuses", () => {
    const pattern = jsPattern(/a(?=b)/, { timeoutMs: 10_000 }); // generous: loaded machines compile slowly
    expect(pattern.engine).toBe("js");
    expect(pattern.test("ab")).toBe(true);
    expect(pattern.test("ac")).toBe(false);
    expect(pattern.find("xab")).toEqual({ match: "a", index: 1 });
  });

  it("interrupts a catastrophic backtrack at its time limit; the rule fails with a timeout message", async () => {
    const rubric = defineRubric({
      id: "js",
      rules: [matches("nested", jsPattern(/^(a+)+$/, { timeoutMs: 20 }))],
    });
    const verdict = await rubric.evaluate(`${"a".repeat(40)}!`);
    expect(verdict.accepted).toBe(false);
    expect(verdict.results[0]).toMatchObject({ pass: false, errored: true });
    expect(verdict.results[0]?.message).toMatch(/timed out after 20 ms on the JS engine \(rubric timeout\)/);
    expect(() => jsPattern(/^(a+)+$/, { timeoutMs: 20 }).test(`${"a".repeat(40)}!`)).toThrow(
      RegexTimeoutError,
    );
  });

  it("refuses a bad time limit or a non-RegExp", () => {
    expect(() => jsPattern(/a/, { timeoutMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => jsPattern(/a/, { timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
    expect(() => jsPattern("a" as unknown as RegExp)).toThrow(/RegExp/);
  });

  it("gives the same answer on repeated tests of a global RegExp (no lastIndex state)", () => {
    // A generous limit: this test is about lastIndex state, and a loaded machine can take >100 ms to compile.
    const pattern = jsPattern(/a/g, { timeoutMs: 10_000 });
    expect([pattern.test("a"), pattern.test("a"), pattern.test("a")]).toEqual([true, true, true]);
  });
});
