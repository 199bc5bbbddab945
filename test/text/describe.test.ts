import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capMarker } from "../../src/text/cap.js";
import { describeValue } from "../../src/text/describe.js";

describe("describeValue", () => {
  it.each([
    ["qwen3", '"qwen3"'],
    [0.5, "0.5"],
    [Number.NaN, "NaN"],
    [null, "null"],
    [undefined, "undefined"],
    [true, "true"],
    [10n, "10n"],
    [Symbol("x"), "Symbol(x)"],
    [() => 1, "a function"],
    [[1, 2, 3], "an array of 3"],
    [{ apiKey: "sk-secret" }, "an object"],
    [Object.create(null), "an object"],
    [new Map(), "an object"],
  ])("shows %s as %s", (value, shown) => {
    expect(describeValue(value)).toBe(shown);
  });

  it("quotes a long string cut to maxChars with the one marker, and never throws", () => {
    expect(describeValue("x".repeat(100), 10)).toBe(JSON.stringify(`${"x".repeat(9)}${capMarker}`));
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withNullPrototype: true }),
        fc.integer({ min: 1, max: 80 }),
        (value, max) => {
          const shown = describeValue(value, max);
          expect(typeof shown).toBe("string");
          if (typeof value === "string") expect(JSON.parse(shown).length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});
