// continueUntilComplete streamed: the stitched answer as it comes, never a repeated seam, exactly generate's.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  continueUntilComplete,
  defineRubric,
  escalateAcross,
  type GenerateRequest,
  type Generation,
  type Model,
  predicate,
  type StreamPart,
} from "../../src/index.js";
import { hang, type ScriptStep, scriptedModel } from "../../src/testing/index.js";
import { collect, finishOf, shape, shownText, withoutTimes } from "../support/stream-parts.js";

const request: GenerateRequest = { messages: [{ role: "user", content: "Write the essay." }] };
const cut = (chunks: string[]) => ({ chunks, finishReason: "length" as const });
const deltasOf = (parts: readonly StreamPart[]) =>
  parts.flatMap((part) => (part.type === "text-delta" ? [part.text] : []));

describe("continueUntilComplete.stream", () => {
  it("streams each piece as it comes and drops the repeated start of a continuation", async () => {
    const model = scriptedModel("m", [
      cut(["The first part ", "ends here and "]),
      { chunks: ["ends here", " and the ", "second part ", "follows."] },
    ]);
    const parts = await collect(continueUntilComplete(model).stream(request));
    const finish = finishOf(parts);
    expect(finish.text).toBe("The first part ends here and the second part follows.");
    expect(deltasOf(parts).join("")).toBe(finish.text);
    expect(shape(parts)).toEqual(["text-delta*", "finish"]);
    // The repeat ("ends here and ") never went out; the seam let the rest through piece by piece.
    expect(deltasOf(parts).join("")).not.toContain("ends here and ends here");
    expect(deltasOf(parts).length).toBeGreaterThanOrEqual(4);
    expect(finish.trace?.continuation?.pieces.map((piece) => piece.overlapRemoved)).toEqual([0, 14]);
  });

  it("sends a piece's text before the piece ends, and a continuation's once the seam is decided", async () => {
    const seen: string[] = [];
    const wrapped = continueUntilComplete(
      scriptedModel("live", [
        cut(["Once upon a time, ", "there was a seam."]),
        { chunks: ["was a seam.", " It held", " fast.", hang] },
      ]),
    );
    const controller = new AbortController();
    const reason = new Error("seen enough");
    const run = (async () => {
      for await (const part of wrapped.stream(request, { signal: controller.signal })) {
        if (part.type !== "text-delta") continue;
        seen.push(part.text);
        // " It held" arrives while the continuation is still streaming (it hangs after " fast.").
        if (seen.join("").includes(" It hel")) controller.abort(reason);
      }
    })();
    await expect(run).rejects.toBe(reason);
    expect(seen.join("")).toMatch(/^Once upon a time, there was a seam\. It hel/);
  });

  it("a continuation that repeats nothing is sent from its first delta on", async () => {
    // The continuation breaks after its first delta: whatever of it was sent, was sent from that delta alone.
    const broken = new Error("connection reset");
    const live = scriptedModel("live", [
      cut(["Alpha beta gamma. "]),
      { chunks: ["Zeta eta theta.", broken] },
    ]);
    const seen: string[] = [];
    const run = (async () => {
      for await (const part of continueUntilComplete(live).stream(request)) {
        if (part.type === "text-delta") seen.push(part.text);
      }
    })();
    await expect(run).rejects.toBe(broken);
    // Decided on the first delta ("Zeta…" does not occur in the end of the text): held back is only the
    // last grapheme, which later text could still extend.
    expect(seen.join("")).toBe("Alpha beta gamma. Zeta eta theta");
  });

  it("finishes with generate's generation, and accepted-only sends it as one delta", async () => {
    const script = (): ScriptStep[] => [
      { chunks: ["Part one, ", "cut off here"], finishReason: "length", usage: { outputTokens: 4 } },
      { chunks: ["cut off here", " and part two."], usage: { outputTokens: 3 } },
    ];
    const generated = await continueUntilComplete(scriptedModel("m", script())).generate(request);
    const live = await collect(continueUntilComplete(scriptedModel("m", script())).stream(request));
    expect(withoutTimes(finishOf(live))).toEqual(withoutTimes(generated));
    const accepted = await collect(
      continueUntilComplete(scriptedModel("m", script())).stream(request, { mode: "accepted-only" }),
    );
    expect(accepted).toEqual([
      { type: "text-delta", text: "Part one, cut off here and part two." },
      { type: "finish", generation: expect.objectContaining({ text: generated.text }) },
    ]);
  });

  it("cuts at maxTotalChars as generate does, never sending past the cut", async () => {
    const model = () =>
      scriptedModel("m", [cut(["0123456789", "abcdefghij"]), { chunks: ["klmnopqrst", "uvwxyz"] }]);
    const options = { maxTotalChars: 25, minOverlapChars: 30 };
    const parts = await collect(continueUntilComplete(model(), options).stream(request));
    const generated = await continueUntilComplete(model(), options).generate(request);
    expect(deltasOf(parts).join("")).toBe("0123456789abcdefghijklmno");
    expect(withoutTimes(finishOf(parts))).toEqual(withoutTimes(generated));
    expect(finishOf(parts).trace?.continuation?.stoppedBy).toBe("maxTotalChars");
  });

  it("never sends a char the cut at maxTotalChars could still take back: a grapheme extended by the next delta", async () => {
    const cases = [
      // "e" + a combining acute in the next delta: one grapheme across the cut at 4, so the text ends at 3.
      { chunks: ["cafe", "\u0301 au lait"], maxTotalChars: 4, text: "caf" },
      // A skin-tone modifier split between its surrogates across deltas: 👍🏽 is one grapheme.
      { chunks: ["ok 👍\uD83C", "\uDFFD done"], maxTotalChars: 5, text: "ok " },
    ];
    for (const { chunks, maxTotalChars, text } of cases) {
      const model = () => scriptedModel("m", [{ chunks }]);
      const parts = await collect(continueUntilComplete(model(), { maxTotalChars }).stream(request));
      expect(deltasOf(parts).join("")).toBe(text);
      expect((await continueUntilComplete(model(), { maxTotalChars }).generate(request)).text).toBe(text);
    }
  });

  it("an inner ladder's attempts and discards pass through", async () => {
    // A ladder never accepts a cut-off answer, so its attempts all come in the first piece.
    const rubric = defineRubric({
      id: "no-draft",
      rules: [predicate("not-a-draft", (text: string) => !text.startsWith("DRAFT"))],
    });
    const ladder = () =>
      escalateAcross([scriptedModel("small", ["DRAFT one"]), scriptedModel("large", ["The essay, whole."])], {
        rubric,
      });
    const parts = await collect(continueUntilComplete(ladder()).stream(request));
    expect(shape(parts)).toEqual([
      "attempt-start",
      "text-delta*",
      "discard",
      "attempt-start",
      "text-delta*",
      "finish",
    ]);
    expect(shownText(parts)).toBe("The essay, whole.");
    const generated = await continueUntilComplete(ladder()).generate(request);
    expect(withoutTimes(finishOf(parts))).toEqual(withoutTimes(generated));
  });

  it("the caller's abort rejects with its reason and cancels the piece's stream", async () => {
    const model = scriptedModel("m", [cut(["Some text, "]), { chunks: ["more text", hang] }]);
    const controller = new AbortController();
    const reason = new Error("user left");
    const run = (async () => {
      for await (const part of continueUntilComplete(model).stream(request, { signal: controller.signal })) {
        if (part.type === "text-delta" && part.text.includes("more")) controller.abort(reason);
      }
    })();
    await expect(run).rejects.toBe(reason);
    expect(model.calls[1]?.stream?.cancelled).toBe(true);
  });
});

// Text with graphemes of more than one code unit (combining marks, emoji with modifiers and ZWJ, flags, CR LF),
// so pieces, chunks and overlaps cut through them.
const grapheme = fc.constantFrom("a", "b", "ab", " ", "e\u0301", "👍🏽", "👨‍👩‍👧", "🇫🇷", "\r\n", "\n", "x");
const text = (max: number) => fc.array(grapheme, { maxLength: max }).map((gs) => gs.join(""));

/** Cuts `piece` into chunks at the given fractions of its length. */
function chunked(piece: string, cuts: readonly number[]): string[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * piece.length)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const to of [...at, piece.length]) {
    if (to > from) chunks.push(piece.slice(from, to));
    from = Math.max(from, to);
  }
  return chunks;
}

const scenario = fc.record({
  pieces: fc.array(
    fc.record({
      text: text(12),
      // How much of the text so far the piece repeats first (a fraction of it).
      overlap: fc.double({ min: 0, max: 1, noNaN: true }),
      cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  minOverlapChars: fc.integer({ min: 1, max: 6 }),
  maxOverlapChars: fc.integer({ min: 0, max: 40 }),
  maxTotalChars: fc.option(fc.integer({ min: 1, max: 80 }), { nil: undefined }),
  maxContinuations: fc.integer({ min: 0, max: 5 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The script: each piece repeats the end of the text so far, then goes on; all but the last cut off. */
function scriptOf(s: Scenario): ScriptStep[] {
  let sofar = "";
  return s.pieces.map((piece, i) => {
    const repeat = sofar.slice(sofar.length - Math.floor(piece.overlap * sofar.length));
    sofar += piece.text;
    const chunks = chunked(repeat + piece.text, piece.cuts);
    return { chunks, finishReason: i < s.pieces.length - 1 ? ("length" as const) : ("stop" as const) };
  });
}

// An empty last piece is asked again, up to maxContinuations.
const repeat = { whenDone: "repeat-last" } as const;
const optionsOf = (s: Scenario) => ({
  minOverlapChars: s.minOverlapChars,
  maxOverlapChars: s.maxOverlapChars,
  maxContinuations: s.maxContinuations,
  ...(s.maxTotalChars === undefined ? {} : { maxTotalChars: s.maxTotalChars }),
});

describe("continueUntilComplete.stream: for all texts, cut points and overlaps", () => {
  it("the deltas joined are the final text, which is generate's, and no delta is empty", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const parts = await collect(
          continueUntilComplete(scriptedModel("m", scriptOf(s), repeat), optionsOf(s)).stream(request),
        );
        const generated = await continueUntilComplete(
          scriptedModel("m", scriptOf(s), repeat),
          optionsOf(s),
        ).generate(request);
        const deltas = deltasOf(parts);
        expect(deltas.every((delta) => delta.length > 0)).toBe(true);
        const finish = finishOf(parts);
        expect(deltas.join("")).toBe(finish.text);
        expect(withoutTimes(finish)).toEqual(withoutTimes(generated));
      }),
      { numRuns: 300 },
    );
  });

  it("with nested attempts inside a piece (one discarded after text of the piece), the shown text is the final text", async () => {
    const model = (s: Scenario, drafts: readonly string[], splits: readonly number[]) =>
      nestedAttempts(
        scriptOf(s).map((step, i) => ({
          ...(step as { chunks: string[]; finishReason: "length" | "stop" }),
          draft: drafts[i % drafts.length] ?? "",
          split: splits[i % splits.length] ?? 0,
        })),
      );
    await fc.assert(
      fc.asyncProperty(
        scenario,
        fc.array(text(6), { minLength: 1, maxLength: 3 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
        async (s, drafts, splits) => {
          const parts = await collect(
            continueUntilComplete(model(s, drafts, splits), optionsOf(s)).stream(request),
          );
          const generated = await continueUntilComplete(model(s, drafts, splits), optionsOf(s)).generate(
            request,
          );
          const finish = finishOf(parts);
          expect(shownText(parts)).toBe(finish.text);
          expect(withoutTimes(finish)).toEqual(withoutTimes(generated));
        },
      ),
      { numRuns: 300 },
    );
  });
});

interface NestedStep {
  chunks: string[];
  finishReason: "length" | "stop";
  /** A draft attempt's text, discarded. */
  draft: string;
  /** Where in the piece (a fraction of its chunks) the draft attempt starts: the chunks before it come first. */
  split: number;
}

/**
 * A model whose stream nests attempts the way a hand-written model may (rungs' own ladders never accept a
 * cut-off answer, so they cannot put attempts in a continuation): some of the piece, then a draft attempt
 * that is discarded, then an attempt with the rest. Its finish, and `generate`, give the whole piece. Past
 * its steps it repeats the last.
 */
function nestedAttempts(steps: readonly NestedStep[]): Model {
  let generated = 0;
  let streamed = 0;
  const stepAt = (n: number) => steps[Math.min(n, steps.length - 1)]!;
  const generationOf = (step: NestedStep): Generation => ({
    text: step.chunks.join(""),
    finishReason: step.finishReason,
    usage: {},
    modelId: "nested",
  });
  return {
    id: "nested",
    generate: async () => generationOf(stepAt(generated++)),
    async *stream(): AsyncGenerator<StreamPart> {
      const step = stepAt(streamed++);
      const at = Math.floor(step.split * step.chunks.length);
      const attempt = (n: number) => ({
        path: `inner/attempt[${n}]`,
        attempt: n,
        rung: n - 1,
        modelId: `r${n}`,
      });
      for (const chunk of step.chunks.slice(0, at)) yield { type: "text-delta", text: chunk };
      yield { type: "attempt-start", ...attempt(1) };
      if (step.draft !== "") yield { type: "text-delta", text: step.draft };
      yield {
        type: "discard",
        ...attempt(1),
        kind: "rejected",
        reason: "a draft",
        chars: step.draft.length,
        early: false,
      };
      yield { type: "attempt-start", ...attempt(2) };
      for (const chunk of step.chunks.slice(at)) yield { type: "text-delta", text: chunk };
      yield { type: "finish", generation: generationOf(step) };
    },
  };
}
