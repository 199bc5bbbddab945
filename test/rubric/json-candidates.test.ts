import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  findJsonCandidates,
  nestsDeeperThan,
  proseSpans,
  type WorkMeter,
} from "../../src/rubric/json-candidates.js";

const all = { fences: true, prose: true, maxCandidates: 8 };
const texts = (text: string, found: readonly { start: number; end: number }[]) =>
  found.map((c) => text.slice(c.start, c.end));

describe("findJsonCandidates", () => {
  it("puts the whole answer first, then ```json fences before other fences, then prose spans", () => {
    const text = [
      "Two blocks follow.",
      "```ts",
      "const x = { a: 1 };",
      "```",
      "```json",
      '{"answer": "yes"}',
      "```",
      'Also inline: {"inline": [1, 2]} and a citation [3].',
    ].join("\n");
    const found = findJsonCandidates(text, all);
    expect(found.map((c) => c.source)).toEqual(["whole", "fence", "fence", "prose", "prose", "prose"]);
    // The ```json body, deduplicated from the prose spans; prose spans longest first.
    expect(texts(text, found)).toEqual([
      text,
      '{"answer": "yes"}',
      "const x = { a: 1 };",
      '{"inline": [1, 2]}',
      "{ a: 1 }",
      "[3]",
    ]);
  });

  it("keeps an unclosed fence to the end of the answer, and reads ~~~ fences", () => {
    const text = 'Here:\n~~~json\n{"a": 1}\n~~~\n```json\n{"b": 2}';
    const found = findJsonCandidates(text, { fences: true, prose: false, maxCandidates: 8 });
    expect(texts(text, found)).toEqual([text, '{"a": 1}', '{"b": 2}']);
  });

  it("finds JSON after a stray bracket, after an odd quote in prose, and skips brackets inside strings", () => {
    const cases: [string, string][] = [
      ['Use { to open a block.\nAnswer: {"a": 1}', '{"a": 1}'],
      ['He said "hi.\nAnswer: {"a": 1}', '{"a": 1}'],
      ['Mixed [up} then {"a": "}]"}', '{"a": "}]"}'],
      ['Escaped: {"a": "quote \\" and } brace"} end', '{"a": "quote \\" and } brace"}'],
    ];
    for (const [text, json] of cases) {
      expect(
        texts(text, findJsonCandidates(text, { fences: false, prose: true, maxCandidates: 8 })),
      ).toContain(json);
    }
  });

  it("returns only maximal spans, longest first, at most max", () => {
    const text = 'a [1] b [2, 3] c {"x": [4, 5, 6]} d [7]';
    expect(texts(text, proseSpans(text, 2))).toEqual(['{"x": [4, 5, 6]}', "[2, 3]"]);
  });

  it("honours the switches and the cap", () => {
    const text = 'x ```json\n{"a":1}\n``` {"b": 2}';
    expect(findJsonCandidates(text, { fences: false, prose: false, maxCandidates: 8 })).toHaveLength(1);
    expect(findJsonCandidates(text, { fences: true, prose: true, maxCandidates: 1 })).toHaveLength(1);
    expect(findJsonCandidates("   \n", all)).toEqual([]);
  });
});

describe("findJsonCandidates on hostile text", () => {
  it("never throws, returns at most maxCandidates trimmed spans inside the text, in linear work (property)", () => {
    const alphabet = fc.constantFrom(
      "{",
      "}",
      "[",
      "]",
      '"',
      "\\",
      "\n",
      "`",
      "```",
      "~~~",
      " ",
      "a",
      ":",
      ",",
      "1",
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 400 }).map((parts) => parts.join("")),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.boolean(),
        (text, maxCandidates, fences, prose) => {
          const meter: WorkMeter = { steps: 0 };
          const found = findJsonCandidates(text, { fences, prose, maxCandidates }, meter);
          expect(found.length).toBeLessThanOrEqual(maxCandidates);
          for (const c of found) {
            expect(0 <= c.start && c.start < c.end && c.end <= text.length).toBe(true);
            expect(text.slice(c.start, c.end).trim()).toBe(text.slice(c.start, c.end));
          }
          expect(new Set(found.map((c) => `${c.start}:${c.end}`)).size).toBe(found.length);
          // A line pass for the fences, one pass for the prose (each closed span recorded and dropped once).
          expect(meter.steps).toBeLessThanOrEqual(4 * (text.length + 1));
        },
      ),
      { numRuns: 500 },
    );
  });

  // 1 MB texts on which re-scanning from every open bracket (or fence) would be quadratic: ~10^12 steps.
  const megabyte = 1 << 20;
  const hostile: Record<string, string> = {
    "open braces": "{".repeat(megabyte),
    "open brackets": "[".repeat(megabyte),
    "brace then quote": '{"'.repeat(megabyte / 2),
    quotes: '"'.repeat(megabyte),
    backslashes: `{"${"\\".repeat(megabyte - 2)}`,
    "unclosed fences": "```json\n{".repeat(megabyte / 9),
    "backticks without a newline": "`".repeat(megabyte),
    "nested unclosed pairs": "[[]".repeat(megabyte / 3),
    "mismatched closers": "{[}".repeat(megabyte / 3),
  };
  for (const [name, text] of Object.entries(hostile)) {
    it(`does linear work on 1 MB of ${name}`, () => {
      const meter: WorkMeter = { steps: 0 };
      const found = findJsonCandidates(text, all, meter);
      expect(found.length).toBeLessThanOrEqual(all.maxCandidates);
      // One pass over the lines for the fences and one over the characters for the prose, each closed span
      // recorded and dropped at most once: re-scanning from each open bracket would be ~10^11 steps here.
      expect(meter.steps).toBeLessThanOrEqual(4 * text.length);
    });
  }
});

describe("nestsDeeperThan", () => {
  it("counts brackets outside strings and stops at the first level too deep", () => {
    expect(nestsDeeperThan("[[[1]]]", 0, 7, 3)).toBe(false);
    expect(nestsDeeperThan("[[[[1]]]]", 0, 9, 3)).toBe(true);
    expect(nestsDeeperThan('["[[[[[["]', 0, 10, 1)).toBe(false);
    expect(nestsDeeperThan("[".repeat(1 << 20), 0, 1 << 20, 1000)).toBe(true);
  });
});
