// jsonPrefixError: a prefix of any JSON text is never refused (so a rule built on it is sound), and text no
// JSON can start with is.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonPrefixError } from "../../src/rubric/json-prefix.js";

describe("jsonPrefixError", () => {
  it("accepts every prefix of every JSON text (any value, any spacing, strings of any UTF-16 units)", () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.constantFrom(undefined, 2, "\t"),
        fc.string({ unit: "binary" }),
        fc.nat(),
        (value, space, raw, cut) => {
          // Raw characters in a string, lone surrogates included, are valid JSON too (JSON.parse takes them);
          // JSON.stringify would escape them. Only quotes, backslashes and control characters must go.
          const unescaped = [...raw].filter((char) => char >= " " && char !== '"' && char !== "\\").join("");
          for (const text of [
            JSON.stringify(value, null, space),
            ` [${JSON.stringify(value)}, "${unescaped}"] \n`,
          ]) {
            expect(() => JSON.parse(text)).not.toThrow();
            const at = cut % (text.length + 1);
            expect(jsonPrefixError(text.slice(0, at)), JSON.stringify(text.slice(0, at))).toBeUndefined();
            expect(jsonPrefixError(text)).toBeUndefined();
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("refuses text that no JSON text starts with, and every longer text then fails JSON.parse", () => {
    const refused = [
      "Sure, here",
      "{'a': 1",
      '{"a" 1,',
      "[1,]",
      '{"a": 1} and',
      "tru e",
      "01x",
      '"tab\there',
      "NaN",
      "\u00a0{",
    ];
    for (const text of refused) expect(jsonPrefixError(text), text).toEqual(expect.any(String));
    fc.assert(
      fc.property(fc.constantFrom(...refused), fc.string(), (prefix, rest) => {
        expect(() => JSON.parse(prefix + rest)).toThrow();
      }),
    );
  });

  it("cannot tell yet on a value still open, and none on an empty or blank text", () => {
    for (const text of ["", "  \n", '{"a": [1, tr', '"unfinished \\u00', "-", "1e", '{"a":1}  '])
      expect(jsonPrefixError(text), text).toBeUndefined();
  });

  it("judges text nested past 1,000 levels only up to there (the parser slows on deeper nesting)", () => {
    expect(jsonPrefixError(`[x${"[".repeat(5_000)}`)).toEqual(expect.any(String));
    expect(jsonPrefixError(`${"[".repeat(5_000)}x`)).toBeUndefined(); // cannot tell, never a wrong refusal
    expect(jsonPrefixError(`${"[".repeat(1_000)}x`)).toEqual(expect.any(String));
  });

  it("loads @streamparser/json on the first JSON prefix judged, not on import", async () => {
    const script = `
      import { createRequire } from "node:module";
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes("@streamparser"));
      const rungs = await import(${JSON.stringify(resolve(import.meta.dirname, "../../src/index.ts"))});
      const rule = rungs.json("j", { "~standard": { version: 1, vendor: "t", validate: (value) => ({ value }) } });
      const before = loaded();
      rule.checkPrefix("Sure", {});
      console.log(JSON.stringify([before, loaded()]));`;
    const { stdout } = await promisify(execFile)(process.execPath, [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      script,
    ]);
    expect(JSON.parse(stdout)).toEqual([false, true]);
  }, 60_000);
});
