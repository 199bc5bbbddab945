import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maskUrlUserinfo, redactText, redactValue } from "../src/redact.js";

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

describe("redactValue: shared references are not cycles", () => {
  it("writes a value referenced twice in both places (a verdict's violations shared with its results)", () => {
    const violations = [{ ruleId: "json", message: "not JSON" }];
    const verdict = { accepted: false, violations, results: [{ ruleId: "json", violations }] };
    const out = redactValue({ verdict, again: verdict });
    expect(JSON.parse(JSON.stringify(out))).toEqual(JSON.parse(JSON.stringify({ verdict, again: verdict })));
  });

  it("still cuts a real cycle, and only there", () => {
    const node: Record<string, unknown> = { name: "a" };
    node.self = node;
    node.list = [node];
    expect(redactValue({ node, copy: node })).toEqual({
      node: { name: "a", self: "[cycle]", list: ["[cycle]"] },
      copy: { name: "a", self: "[cycle]", list: ["[cycle]"] },
    });
  });

  it("keeps every acyclic JSON value with shared parts exactly (property)", () => {
    const plain = fc
      .jsonValue({ maxDepth: 4 })
      .filter((v) => redactText(JSON.stringify(v)) === JSON.stringify(v));
    fc.assert(
      fc.property(plain, plain, (a, b) => {
        const shared = { a, b, list: [a, b, a], nested: { a, again: [b] } };
        expect(JSON.stringify(redactValue(shared))).toBe(JSON.stringify(shared));
      }),
      { numRuns: 300 },
    );
  });

  it("stays linear on a value that shares one part 2^40 ways: repeats past the cap become a marker", () => {
    let node: unknown = { leaf: "x" };
    for (let i = 0; i < 40; i += 1) node = [node, node];
    const out = JSON.stringify(redactValue(node));
    expect(out.length).toBeLessThan(50_000_000);
    expect(out).toContain("[repeated reference");
  });
});
