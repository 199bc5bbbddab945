// Each open attempt's first streamed part and its own streamed text, from events: nested attempts included.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StreamedAttempts, timeToFirstPart } from "../../src/record/streamed-attempts.js";

describe("StreamedAttempts", () => {
  it("a part is the first of every open attempt above it that has none; its text is the innermost's", () => {
    const seen = new StreamedAttempts({ keepText: true });
    seen.start("escalate/attempt[1]", 100);
    expect(seen.part("escalate/attempt[1]", 130, "He")).toEqual(["escalate/attempt[1]"]);
    expect(seen.part("escalate/attempt[1]", 131, "llo")).toEqual([]);
    seen.start("escalate/attempt[1]/retry/attempt[1]", 140);
    // A nested attempt's first part: the outer attempt already has one.
    expect(seen.part("escalate/attempt[1]/retry/attempt[1]", 150, "x")).toEqual([
      "escalate/attempt[1]/retry/attempt[1]",
    ]);
    const inner = seen.end("escalate/attempt[1]/retry/attempt[1]");
    expect(inner).toMatchObject({ text: "x", firstPartAt: 150 });
    expect(timeToFirstPart(inner)).toBe(10);
    const outer = seen.end("escalate/attempt[1]");
    expect(outer?.text).toBe("Hello");
    expect(timeToFirstPart(outer)).toBe(30);
    // Ended: forgotten, and a part beneath it no longer belongs to it.
    expect(seen.end("escalate/attempt[1]")).toBeUndefined();
    expect(seen.part("escalate/attempt[1]", 200, "late")).toEqual([]);
  });

  it("an attempt that streamed nothing has no time to first token; text is kept only when asked", () => {
    const seen = new StreamedAttempts();
    seen.start("a/attempt[1]", 0);
    seen.part("a/attempt[1]/continue", 5, "abc");
    const ended = seen.end("a/attempt[1]");
    expect(ended).toMatchObject({ text: "", firstPartAt: 5 });
    seen.start("a/attempt[2]", 10);
    expect(timeToFirstPart(seen.end("a/attempt[2]"))).toBeUndefined();
    // A part with no attempt above it (a leaf streamed on its own) belongs to none.
    expect(seen.part("leaf", 1, "x")).toEqual([]);
  });

  it("matches a plain model of the rule for any nesting, order and repetition of parts (property)", () => {
    // Paths a/attempt[i] and a/attempt[i]/b/attempt[j]; parts come from leaves at or beneath them.
    const outerIds = fc.integer({ min: 1, max: 3 });
    const op = fc.oneof(
      fc.record({ type: fc.constant("start" as const), outer: outerIds, inner: fc.option(outerIds) }),
      fc.record({ type: fc.constant("end" as const), outer: outerIds, inner: fc.option(outerIds) }),
      fc.record({
        type: fc.constant("part" as const),
        outer: outerIds,
        inner: fc.option(outerIds),
        leaf: fc.boolean(),
        text: fc.string({ maxLength: 3 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const seen = new StreamedAttempts({ keepText: true });
        // The model: open attempts by path, with their first part time and own text.
        const open = new Map<string, { first?: number; text: string }>();
        let now = 0;
        for (const o of ops) {
          now += 1;
          const outer = `a/attempt[${o.outer}]`;
          const path = o.inner === null ? outer : `${outer}/b/attempt[${o.inner}]`;
          if (o.type === "start") {
            seen.start(path, now);
            open.set(path, { text: "" });
          } else if (o.type === "end") {
            const got = seen.end(path);
            const want = open.get(path);
            open.delete(path);
            expect(got === undefined).toBe(want === undefined);
            if (got !== undefined && want !== undefined) {
              expect(got.firstPartAt).toBe(want.first);
              expect(got.text).toBe(want.text);
            }
          } else {
            const leafPath = o.leaf ? `${path}/leaf` : path;
            const firsts = seen.part(leafPath, now, o.text);
            const above = [path, outer].filter((p, i, all) => all.indexOf(p) === i && open.has(p));
            const expected = above.filter((p) => open.get(p)?.first === undefined);
            for (const p of expected) open.get(p)!.first = now;
            const innermost = above[0];
            if (innermost !== undefined) open.get(innermost)!.text += o.text;
            expect(firsts).toEqual(expected);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
