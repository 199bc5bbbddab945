import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { segmentStarts } from "../../src/primitives/segment-starts.js";
import { splitText } from "../../src/primitives/split-text.js";

const granularities = ["sentence", "grapheme"] as const;
const whole = (segmenter: Intl.Segmenter, text: string) =>
  [...segmenter.segment(text)].map((s) => s.index).filter((index) => index > 0);

// Sentences, emoji, combining marks, CJK and whitespace: boundaries of every kind, over many windows.
const piece = fc.constantFrom(
  "All work and no play makes a dull story. ",
  "Why? ",
  "Dr. Smith arrived at 3 p.m. on Jan. 5. ",
  "👩‍👩‍👧‍👦 ",
  "e\u0301\u0302 ",
  "日本語の文です。",
  "\n\n",
  "word",
  "x".repeat(300),
);

describe("segmentStarts", () => {
  it.each(granularities)(
    "finds the same %s boundaries as one Intl.Segmenter call (property)",
    (granularity) => {
      const segmenter = new Intl.Segmenter("en", { granularity });
      fc.assert(
        fc.property(fc.array(piece, { minLength: 1, maxLength: 120 }), (pieces) => {
          const text = pieces.join("");
          expect([...segmentStarts(segmenter, text)]).toEqual(whole(segmenter, text));
        }),
        { numRuns: 40 },
      );
    },
  );

  it("never returns a boundary inside a grapheme, even in a window with no boundary of its own", () => {
    const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });
    // A 10 K-char cluster (a base and combining marks) spans whole windows.
    const text = `ab${"e".concat("\u0301".repeat(10_000))}cd`;
    expect([...segmentStarts(segmenter, text)]).toEqual(whole(segmenter, text));
  });

  // A safety bound, not a benchmark (docs/reliability.md, "Timing bounds"): one Intl.Segmenter call on these
  // took 10 s (a 200 K-char sentence) and minutes (200 K chars of one letter); growth is in `npm run bench -- linear`.
  it("splitText on 1 M chars of one sentence and of one word ends far inside the bound", () => {
    for (const text of ["All work and no play makes a dull story ".repeat(25_000), "a".repeat(1_000_000)]) {
      const started = performance.now();
      const pieces = splitText(text, 100_000);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(pieces.join("").replace(/\s/g, "")).toBe(text.replace(/\s/g, ""));
      for (const p of pieces) expect(p.length).toBeLessThanOrEqual(100_000);
    }
  });
});
