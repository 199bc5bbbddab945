import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PrefixSchedule } from "../../src/stream/prefix-schedule.js";

describe("PrefixSchedule", () => {
  it("reads at most about 5n chars over an n-char stream, whatever the delta sizes (linear work)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 2_000 }), (sizes) => {
        const schedule = new PrefixSchedule();
        let length = 0;
        let read = 0;
        for (const size of sizes) {
          length += size;
          if (schedule.due(length)) read += length;
        }
        expect(read).toBeLessThanOrEqual(5 * length + 32);
      }),
    );
  });

  it("catches a failure within a quarter of the text past it (and one delta, and the minimum step)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 1_000 }),
        fc.nat(),
        (sizes, at) => {
          const total = sizes.reduce((sum, size) => sum + size, 0);
          const failsAt = at % total;
          const schedule = new PrefixSchedule();
          let length = 0;
          let caughtAt: number | undefined;
          for (const size of sizes) {
            length += size;
            if (schedule.due(length) && length > failsAt) {
              caughtAt = length;
              break;
            }
          }
          if (caughtAt === undefined) return; // the stream ended first: the whole output is judged at its end
          expect(caughtAt).toBeLessThanOrEqual(Math.max(failsAt * 1.25 + 32, failsAt + 32) + 50 + 1);
        },
      ),
    );
  });
});
