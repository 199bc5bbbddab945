import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maskUrlUserinfo, redactText } from "../src/redact.js";

// The pattern the scanner replaces, as an oracle: correct but quadratic on `a-a-a-…`, so run on short text.
const userinfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi;

describe("redactText", () => {
  it("masks URL userinfo exactly where the userinfo regex does (property)", () => {
    const text = fc
      .array(
        fc.constantFrom("a", "B", "1", "_", "-", ".", "+", ":", "/", "//", "://", "@", " ", "\n", "x:y@"),
        {
          maxLength: 30,
        },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(text, (input) => {
        expect(maskUrlUserinfo(input)).toBe(input.replace(userinfo, "$1***@"));
      }),
      { numRuns: 5000 },
    );
  });

  it("masks the usual shapes", () => {
    expect(redactText("see https://user:pa55@example.com/x")).toBe("see https://***@example.com/x");
    expect(redactText("GET /v1?key=abcdef123 Bearer abcdef.ghij sk-abcdefghijkl")).not.toMatch(
      /abcdef123|abcdef\.ghij|sk-abcdefghijkl/,
    );
  });
});
