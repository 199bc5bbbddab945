import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StreamPart } from "../../src/model.js";
import { VisibleText } from "../../src/stream/visible-text.js";

/** A stream of nested attempts: each either discarded or kept; the text a reader must see, by a stack. */
const attemptTree: fc.Memo<{ parts: StreamPart[]; shown: string }> = fc.memo((depth) =>
  fc
    .tuple(
      fc.array(
        fc.oneof(
          { depthSize: "small", withCrossShrink: true },
          fc.string({ minLength: 1, maxLength: 6 }).map((text) => ({
            parts: [{ type: "text-delta", text } as StreamPart],
            shown: text,
          })),
          depth > 0 ? attemptTree(depth - 1) : fc.constant({ parts: [], shown: "" }),
        ),
        { maxLength: 6 },
      ),
      fc.boolean(),
      fc.nat(1_000),
    )
    .map(([children, discarded, id]) => {
      const path = `a/${depth}/${id}`;
      const parts: StreamPart[] = [
        { type: "attempt-start", path, attempt: 1, rung: 0, modelId: "m" },
        ...children.flatMap((child) => child.parts),
      ];
      const inner = children.map((child) => child.shown).join("");
      if (discarded) {
        parts.push({
          type: "discard",
          path,
          attempt: 1,
          rung: 0,
          modelId: "m",
          kind: "rejected",
          reason: "r",
          chars: inner.length,
          early: false,
        });
      }
      return { parts, shown: discarded ? "" : inner };
    }),
);

describe("VisibleText", () => {
  it("shows every delta not inside a discarded attempt, for any nesting (reading the text at any point)", () => {
    fc.assert(
      fc.property(fc.array(attemptTree(3), { maxLength: 5 }), fc.nat(), (attempts, readEvery) => {
        const visible = new VisibleText();
        let i = 0;
        for (const part of attempts.flatMap((attempt) => attempt.parts)) {
          visible.apply(part);
          // Reading joins the pieces: discards after a read must still cut at the right place.
          if (readEvery > 0 && i++ % ((readEvery % 5) + 1) === 0) void visible.text;
        }
        const expected = attempts.map((attempt) => attempt.shown).join("");
        expect(visible.text).toBe(expected);
        expect(visible.length).toBe(expected.length);
      }),
    );
  });

  it("drops the tool calls of a discarded attempt", () => {
    const visible = new VisibleText();
    visible.apply({ type: "attempt-start", path: "p/attempt[1]", attempt: 1, rung: 0, modelId: "m" });
    visible.apply({ type: "tool-call", toolCall: { id: "1", name: "search", input: {} } });
    visible.apply({
      type: "discard",
      path: "p/attempt[1]",
      attempt: 1,
      rung: 0,
      modelId: "m",
      kind: "rejected",
      reason: "bad call",
      chars: 0,
      early: false,
    });
    visible.apply({ type: "attempt-start", path: "p/attempt[2]", attempt: 2, rung: 0, modelId: "m" });
    visible.apply({ type: "tool-call", toolCall: { id: "2", name: "search", input: { q: "x" } } });
    expect(visible.toolCalls.map((call) => call.id)).toEqual(["2"]);
  });
});
