import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packRanges, splitText } from "../../src/primitives/split-text.js";

const words = (text: string) => text.split(/\s+/).filter((w) => w !== "");

describe("splitText", () => {
  it("returns the text whole when it fits, and nothing for blank text", () => {
    expect(splitText("  one two  ", 100)).toEqual(["one two"]);
    expect(splitText(" \n\n ", 100)).toEqual([]);
  });

  it("prefers paragraphs, then sentences, then words", () => {
    expect(splitText("One. Two.\n\nThree.", 10)).toEqual(["One. Two.", "Three."]);
    expect(splitText("First sentence here. Second one.", 22)).toEqual([
      "First sentence here.",
      "Second one.",
    ]);
    expect(splitText("alpha beta gamma delta", 11)).toEqual(["alpha beta", "gamma delta"]);
  });

  it("splits inside a word only when the word alone exceeds the budget, on grapheme boundaries", () => {
    expect(splitText("ab supercalifragilistic cd", 8)).toEqual(["ab", "supercal", "ifragili", "stic", "cd"]);
    expect(splitText("👍🏽👍🏽👍🏽", 8)).toEqual(["👍🏽👍🏽", "👍🏽"]);
  });

  it("does not break at a sentence boundary inside a word (word?Next)", () => {
    const pieces = splitText("Is it fine?Yes it is fine.", 14);
    expect(words(pieces.join(" "))).toEqual(words("Is it fine?Yes it is fine."));
  });

  it("respects a non-additive measure (tokens)", () => {
    const count = (s: string) => words(s).length;
    const pieces = splitText(Array.from({ length: 25 }, (_, i) => `w${i}`).join(" "), 10, count);
    expect(pieces.map(count)).toEqual([10, 10, 5]);
  });

  const alphabet = fc.constantFrom("a", "b", "c", "é", "👍", " ", " ", "\n", "\n\n", ".", "?", "!", "-");
  const texts = fc.string({ unit: alphabet, maxLength: 300 });

  it("every piece fits unless it is a single grapheme; nothing is lost", () => {
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 40 }), (text, budget) => {
        const pieces = splitText(text, budget);
        for (const piece of pieces) {
          const graphemes = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(piece)];
          expect(piece.length <= budget || graphemes.length === 1).toBe(true);
          expect(piece).toBe(piece.trim());
          expect(piece.length).toBeGreaterThan(0);
        }
        expect(pieces.join("").replace(/\s+/g, "")).toBe(text.replace(/\s+/g, ""));
      }),
    );
  });

  it("concatenation loses no word when every word fits the budget", () => {
    fc.assert(
      fc.property(texts, fc.integer({ min: 1, max: 40 }), (text, budget) => {
        fc.pre(words(text).every((w) => w.length <= budget));
        const pieces = splitText(text, budget);
        expect(words(pieces.join(" "))).toEqual(words(text));
        expect(pieces.every((p) => p.length <= budget)).toBe(true);
      }),
    );
  });
});

describe("packRanges", () => {
  it("packs greedily: each run is as long as fits, and one more unit would not", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 50 }),
        (sizes, budget) => {
          const sum = (from: number, to: number) => sizes.slice(from, to + 1).reduce((a, b) => a + b, 0);
          const ranges = packRanges(sizes.length, (from, to) => sum(from, to) <= budget);
          let next = 0;
          for (const range of ranges) {
            expect(range.from).toBe(next);
            expect(range.fits).toBe(sum(range.from, range.to) <= budget);
            if (!range.fits) expect(range.to).toBe(range.from);
            if (range.fits && range.to + 1 < sizes.length)
              expect(sum(range.from, range.to + 1)).toBeGreaterThan(budget);
            next = range.to + 1;
          }
          expect(next).toBe(sizes.length);
        },
      ),
    );
  });
});
