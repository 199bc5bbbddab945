import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { removeSeamOverlap } from "../../src/primitives/seam.js";

describe("removeSeamOverlap", () => {
  it("drops the longest prefix of the continuation that repeats the end of the text", () => {
    expect(removeSeamOverlap("the quick brown fox", "brown fox jumps", { minOverlapChars: 4 })).toEqual({
      text: " jumps",
      removed: 9,
    });
  });

  it("leaves overlaps shorter than minOverlapChars alone (a coincidence, not a repeat)", () => {
    expect(removeSeamOverlap("the", "end of it")).toEqual({ text: "end of it", removed: 0 });
  });

  it("never looks further back than maxOverlapChars", () => {
    const repeated = "0123456789".repeat(5);
    expect(removeSeamOverlap(`x${repeated}`, `${repeated}y`, { maxOverlapChars: 20 }).removed).toBe(20);
  });

  it("finds the longest overlap when shorter ones also match (periodic text)", () => {
    expect(removeSeamOverlap("abababab", "abababX", { minOverlapChars: 2 })).toEqual({
      text: "X",
      removed: 6,
    });
  });

  const options = fc.record({
    minOverlapChars: fc.integer({ min: 1, max: 10 }),
    maxOverlapChars: fc.integer({ min: 0, max: 60 }),
  });
  const text = fc.string({ unit: fc.constantFrom("a", "b", " ", "é"), maxLength: 80 });

  it("stitches losslessly: previous + result is previous with next laid over its end", () => {
    fc.assert(
      fc.property(text, text, options, (previous, next, opts) => {
        const { text: rest, removed } = removeSeamOverlap(previous, next, opts);
        expect(rest).toBe(next.slice(removed));
        expect(previous.endsWith(next.slice(0, removed))).toBe(true);
        expect(removed === 0 || (removed >= opts.minOverlapChars && removed <= opts.maxOverlapChars)).toBe(
          true,
        );
      }),
    );
  });

  it("removes the longest overlap within the bound (checked by brute force)", () => {
    fc.assert(
      fc.property(text, text, options, (previous, next, opts) => {
        const { removed } = removeSeamOverlap(previous, next, opts);
        const bound = Math.min(opts.maxOverlapChars, previous.length, next.length);
        let longest = 0;
        for (let k = bound; k >= 1; k -= 1) {
          if (previous.endsWith(next.slice(0, k))) {
            longest = k;
            break;
          }
        }
        expect(removed).toBe(longest >= opts.minOverlapChars ? longest : 0);
      }),
    );
  });

  it("always removes a planted repeat that is within the bound", () => {
    fc.assert(
      fc.property(text, fc.string({ minLength: 8, maxLength: 40 }), text, (head, repeat, tail) => {
        const { text: rest, removed } = removeSeamOverlap(head + repeat, repeat + tail);
        expect(removed).toBeGreaterThanOrEqual(repeat.length);
        expect(head + repeat + rest).toBe(`${head}${repeat}${(repeat + tail).slice(removed)}`);
      }),
    );
  });
});
