import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TextRope } from "../../src/primitives/text-rope.js";

describe("TextRope", () => {
  it("reads as the string built by the same appends and truncations (fast-check)", () => {
    const op = fc.oneof(
      fc.record({ append: fc.string({ maxLength: 6 }) }),
      fc.record({ truncate: fc.nat({ max: 40 }) }),
      fc.record({ join: fc.constant(true) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.nat({ max: 50 }), fc.nat({ max: 50 }), (ops, a, b) => {
        const rope = new TextRope();
        let model = "";
        for (const step of ops) {
          if ("append" in step) {
            rope.append(step.append);
            model += step.append;
          } else if ("truncate" in step) {
            rope.truncate(step.truncate);
            model = model.slice(0, step.truncate);
          } else {
            expect(rope.toString()).toBe(model);
          }
          expect(rope.length).toBe(model.length);
        }
        expect(rope.slice(a, b)).toBe(model.slice(a, Math.max(a, b)));
        expect(rope.slice(a)).toBe(model.slice(a));
        expect(rope.toString()).toBe(model);
      }),
      { numRuns: 500 },
    );
  });
});
