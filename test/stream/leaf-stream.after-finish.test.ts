// A leaf's stream after its `finish` part must be closed, whoever reads it: the provider's stream (a
// defineModel stream's `finally`) and the Budget deadline timer the leaf stream holds are released when
// the caller iterates `model.stream` to its end, and must be when a ladder, a retry, continuation,
// tree-split or withOtel reads it for the caller. Found by an outside test of the packed tarball: through
// any of them the leaf's `finally` never ran and each streamed call left a deadline timer armed until the
// Budget's deadline (a script's process stayed alive until then; 1,000 streams left 1,000 timers).
// The readers stopped at `finish` without calling the iterator's return(). The fix is in the leaf: it releases
// its resources (deadline timer, provider stream, listeners) before it yields `finish`, so every reader is
// covered at once; stream-call.ts, the one loop the engine and wrappers read through, also closes the stream
// after its finish (a hand-written model's stream may hold things too).
import { describe, expect, it } from "vitest";
import {
  Budget,
  continueUntilComplete,
  defineModel,
  defineRubric,
  escalateAcross,
  type Model,
  nonEmpty,
  retryWithContext,
  type StreamingModel,
  streamModel,
  treeSplit,
} from "../../src/index.js";
import { withOtel } from "../../src/otel/index.js";
import { manualClock } from "../../src/testing/index.js";

const rubric = defineRubric({ id: "answer", rules: [nonEmpty()] });

/** A leaf whose stream counts how often its provider's stream was closed (its `finally` ran). */
function closingLeaf(): { model: StreamingModel; closed: () => number } {
  let closed = 0;
  const model = defineModel("leaf", async () => ({ text: "Paris." }), {
    async *stream() {
      try {
        yield { type: "text-delta", text: "Paris." };
        yield { type: "finish", finishReason: "stop" };
      } finally {
        closed += 1;
      }
    },
  });
  return { model, closed: () => closed };
}

/** Everything that reads a model's stream on the caller's behalf. */
const readers: Record<string, (model: Model) => Model> = {
  escalateAcross: (model) => escalateAcross([model], { rubric }),
  retryWithContext: (model) => retryWithContext(model, { rubric }),
  continueUntilComplete: (model) => continueUntilComplete(model),
  treeSplit: (model) => treeSplit(model, { promptLimit: { chars: 100_000 } }),
  withOtel: (model) => withOtel(model),
};

async function streamThrough(model: Model, budget?: Budget): Promise<string> {
  let text = "";
  for await (const part of streamModel(model, { prompt: "q" }, budget === undefined ? {} : { budget })) {
    if (part.type === "finish") text = part.generation.text;
  }
  await new Promise((resolve) => setImmediate(resolve));
  return text;
}

describe("a leaf's stream after its finish part", () => {
  it("is closed, its deadline timer cleared, when the caller reads it to its end (the reference)", async () => {
    const { model, closed } = closingLeaf();
    const clock = manualClock();
    expect(await streamThrough(model, new Budget({ deadlineMs: 60_000, clock }))).toBe("Paris.");
    expect(closed()).toBe(1);
    expect(clock.pending).toBe(0);
  });

  for (const [name, reader] of Object.entries(readers)) {
    it(`is closed when ${name} reads it (the leaf's finally runs)`, async () => {
      const { model, closed } = closingLeaf();
      expect(await streamThrough(reader(model))).toBe("Paris.");
      expect(closed()).toBe(1);
    });

    it(`leaves no Budget deadline timer armed when ${name} reads it`, async () => {
      const clock = manualClock();
      const { model } = closingLeaf();
      expect(await streamThrough(reader(model), new Budget({ deadlineMs: 60_000, clock }))).toBe("Paris.");
      expect(clock.pending).toBe(0);
    });
  }
});
