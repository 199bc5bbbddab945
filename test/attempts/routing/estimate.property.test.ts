import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimateAcceptRate, worthAbove } from "../../../src/attempts/routing/estimate.js";

const counts = fc.record({ accepted: fc.nat(10_000), failed: fc.nat(10_000) });

describe("estimateAcceptRate", () => {
  it("is always strictly between 0 and 1", () => {
    fc.assert(
      fc.property(
        counts,
        fc.array(counts, { maxLength: 8 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (all, keys, prior) => {
          const p = estimateAcceptRate(all, keys, prior);
          expect(p).toBeGreaterThan(0);
          expect(p).toBeLessThan(1);
        },
      ),
    );
  });

  it("a key with many samples decides; with none, the rung's overall rate does", () => {
    expect(estimateAcceptRate({ accepted: 90, failed: 8 }, [{ accepted: 0, failed: 0 }], 1)).toBeCloseTo(
      0.91,
      2,
    );
    expect(estimateAcceptRate({ accepted: 90, failed: 8 }, [{ accepted: 1, failed: 999 }], 1)).toBeLessThan(
      0.002,
    );
  });
});

describe("worthAbove", () => {
  it("is between 0 and the value, and never falls when a rung above gets likelier", () => {
    const ladder = fc.array(
      fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true })),
      {
        minLength: 1,
        maxLength: 8,
      },
    );
    fc.assert(
      fc.property(
        ladder,
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.nat(7),
        (rungs, value, raise) => {
          const chances = rungs.map(([p]) => p);
          const prices = rungs.map(([, c]) => c);
          const rest = worthAbove(-1, chances, prices, value);
          expect(rest).toBeGreaterThanOrEqual(0);
          expect(rest).toBeLessThanOrEqual(value + 1e-9);
          const i = raise % chances.length;
          const better = chances.map((p, j) => (j === i ? Math.min(1, p + 0.1) : p));
          expect(worthAbove(-1, better, prices, value)).toBeGreaterThanOrEqual(rest - 1e-9);
        },
      ),
    );
  });
});
