import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countPlaceholders } from "../../../src/rubric/ifeval/detectable-content.js";
import { countBullets, titleSpans } from "../../../src/rubric/ifeval/format.js";
import { pyStrip, pyWhitespace } from "../../../src/rubric/ifeval/py.js";

// The regexes the scanners replace, as oracles: correct but quadratic on hostile text, so only ever run
// here on short strings.
const lineStart = "(?<![^\\n])";
const lineEnd = "(?![^\\n])";
const starBullet = new RegExp(`${lineStart}[${pyWhitespace}]*\\*[^*][^\\n]*${lineEnd}`, "g");
const dashBullet = new RegExp(`${lineStart}[${pyWhitespace}]*-[^\\n]*${lineEnd}`, "g");
const titlePattern = /<<[^\n]+>>/g;
const placeholder = /\[[^\n]*?\]/g;
const strip = (text: string) =>
  text.replace(new RegExp(`^[${pyWhitespace}]+`), "").replace(new RegExp(`[${pyWhitespace}]+$`), "");

// Strings drawn from the characters each pattern cares about, so matches and near-misses are common.
const hostile = fc
  .array(fc.constantFrom("*", "-", "<", ">", "[", "]", "\n", " ", "\t", "\u3000", "a", "\r"), {
    maxLength: 40,
  })
  .map((chars) => chars.join(""));

describe("IFEval's linear scanners agree with the reference regexes", () => {
  it("bullets: star and dash counts equal re.findall's (property)", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(countBullets(text, "*")).toBe(text.match(starBullet)?.length ?? 0);
        expect(countBullets(text, "-")).toBe(text.match(dashBullet)?.length ?? 0);
      }),
      { numRuns: 3000 },
    );
  });

  it("titles: the same spans as re.findall(<<[^\\n]+>>) (property)", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(titleSpans(text)).toEqual([...text.matchAll(titlePattern)].map(([span]) => span));
      }),
      { numRuns: 3000 },
    );
  });

  it("placeholders: the same count as re.findall(\\[.*?\\]) (property)", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(countPlaceholders(text)).toBe(text.match(placeholder)?.length ?? 0);
      }),
      { numRuns: 3000 },
    );
  });

  it("pyStrip strips exactly what the whitespace regexes strip (property)", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(pyStrip(text)).toBe(strip(text));
      }),
      { numRuns: 3000 },
    );
  });
});
