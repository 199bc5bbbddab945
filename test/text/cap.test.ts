import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capLine, capMarker, capText, graphemeBoundaryAtOrBefore } from "../../src/text/cap.js";

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
/** The oracle: every grapheme boundary of `text`, from one segmenter call over all of it. */
const boundaries = (text: string) =>
  new Set([...segmenter.segment(text)].map((s) => s.index).concat(text.length));

// Pieces that make graphemes of one to many code units, and the places the rules are subtle: combining
// marks, emoji with modifiers and ZWJ sequences, flags (regional indicator pairs), CRLF, Hangul jamo, an
// Indic conjunct, lone surrogates.
const pieces = [
  "a",
  "Z",
  " ",
  ".",
  "\n",
  "\r\n",
  "\r",
  "é",
  "e\u0301",
  "e\u0301\u0302\u0303",
  "字",
  "👍",
  "👍🏽",
  "👩‍👩‍👧‍👦",
  "🏳️‍🌈",
  "🇫🇷",
  "🇩🇪",
  "\u{1F1E6}",
  "\u1100\u1161\u11A8",
  "क्ष",
  "\u0600a",
  "\uD800",
  "\uDC00",
];
const texts = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((parts) => parts.join(""));

describe("capText", () => {
  it("returns a text that fits unchanged, and cuts one that does not at a grapheme boundary, marked", () => {
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 90 }), (text, max) => {
        const capped = capText(text, max);
        expect(capped.length).toBeLessThanOrEqual(max);
        if (text.length <= max) {
          expect(capped).toBe(text);
          return;
        }
        // Cut: the marker ends it, before it a prefix of the text that ends on a grapheme boundary, the last
        // boundary that leaves room for the marker.
        expect(capped.endsWith(capMarker)).toBe(true);
        const kept = capped.slice(0, -capMarker.length);
        expect(text.startsWith(kept)).toBe(true);
        const all = boundaries(text);
        expect(all.has(kept.length)).toBe(true);
        const room = max - capMarker.length;
        expect([...all].filter((b) => b <= room)).toSatisfy(
          (fit: number[]) => Math.max(...fit) === kept.length,
        );
        // Never between the halves of a surrogate pair.
        const last = kept.charCodeAt(kept.length - 1);
        const next = text.charCodeAt(kept.length);
        expect(last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it("agrees with one segmenter pass on long texts: no ASCII to anchor on, a flag run, a long combining run", () => {
    const cases = [
      "字👍🏽é".repeat(1_200),
      `a${"🇫🇷".repeat(1_600)}`,
      `b${"🇫🇷".repeat(800)}\u{1F1E6}${"🇩🇪".repeat(800)}`,
      `x${"\u0301".repeat(4_500)}y${"e\u0301".repeat(1_000)}`,
      `${"word ".repeat(400)}👩‍👩‍👧‍👦${"字".repeat(5_000)}`,
    ];
    for (const text of cases) {
      const all = [...boundaries(text)].sort((a, b) => a - b);
      for (const index of [
        1,
        2,
        3,
        4_095,
        4_096,
        4_097,
        5_001,
        Math.floor(text.length / 2),
        text.length - 1,
      ]) {
        const expected = all.filter((b) => b <= index).at(-1);
        expect(graphemeBoundaryAtOrBefore(text, index), `index ${index} of a ${text.length}-char text`).toBe(
          expected,
        );
      }
    }
  });

  it("keeps the marker alone when not one grapheme fits, and refuses a max below the marker", () => {
    expect(capText("👩‍👩‍👧‍👦 family", 5)).toBe(capMarker);
    expect(capText("abc", 1)).toBe(capMarker);
    expect(capText("", 1)).toBe("");
    expect(() => capText("abc", 0)).toThrow(RangeError);
    expect(() => capText("abc", 2.5)).toThrow(/at least 1/);
  });

  it("capLine makes the text one line first", () => {
    expect(capLine("  first\n\n second\tthird  ", 100)).toBe("first second third");
    expect(capLine("first\nsecond line", 8)).toBe(`first s${capMarker}`);
  });
});
