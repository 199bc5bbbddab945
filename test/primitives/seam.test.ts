import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideSeam, removeSeamOverlap } from "../../src/primitives/seam.js";

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

describe("decideSeam", () => {
  const options = fc.record({
    minOverlapChars: fc.integer({ min: 1, max: 10 }),
    maxOverlapChars: fc.integer({ min: 0, max: 60 }),
  });
  // A small alphabet, so heads often occur in the end of the text and stay undecided for a while.
  const text = fc.string({ unit: fc.constantFrom("a", "b", " "), maxLength: 80 });

  it("once it decides from a head, every continuation of that head has that overlap removed", () => {
    fc.assert(
      fc.property(text, text, text, options, (previous, head, rest, opts) => {
        const decided = decideSeam(previous, head, opts);
        if (decided === undefined) return;
        expect(removeSeamOverlap(previous, head + rest, opts).removed).toBe(decided);
      }),
      { numRuns: 500 },
    );
  });

  it("decides at the latest when the head reaches the longest overlap looked for", () => {
    fc.assert(
      fc.property(text, text, options, (previous, next, opts) => {
        const bound = Math.min(opts.maxOverlapChars, previous.length);
        if (next.length >= bound) expect(decideSeam(previous, next.slice(0, bound), opts)).toBeDefined();
        // Undecided means a longer overlap is still possible: some continuation of the head has one.
        for (let m = 0; m < Math.min(bound, next.length); m += 1) {
          const head = next.slice(0, m);
          if (decideSeam(previous, head, opts) !== undefined) continue;
          const longer = previous.slice(previous.length - bound);
          const witness = [...Array(bound - m).keys()]
            .map((i) => longer.slice(i))
            .some((end) => end.length > m && end.startsWith(head) && end.length >= opts.minOverlapChars);
          expect(witness).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("holds a head that repeats the end of the text, and decides one that cannot", () => {
    const previous = "The first part ends here and ";
    expect(decideSeam(previous, "ends her")).toBeUndefined();
    expect(decideSeam(previous, "ends here and ")).toBe(14);
    expect(decideSeam(previous, "Zeta")).toBe(0);
    expect(decideSeam("short", "sho", { minOverlapChars: 8 })).toBe(0);
  });
});
