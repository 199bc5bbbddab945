// escalateAcross and retryWithContext streamed: attempts marked, rejected ones discarded, never glued.
import { describe, expect, it } from "vitest";
import {
  defineRubric,
  escalateAcross,
  predicate,
  type Rule,
  RungsEvents,
  retryWithContext,
  streamModel,
} from "../../src/index.js";
import { hang, scriptedModel } from "../../src/testing/index.js";
import { collect, shape, withoutTimes } from "../support/stream-parts.js";
import { capitalRubric } from "../support/stream-rubrics.js";

const ask = { prompt: "What is the capital of France?" };

const rubric = capitalRubric;

describe("a streamed ladder", () => {
  it("stops rung 1 early on a failing prefix, discards rung 2 at its end, and streams rung 3's accepted text", async () => {
    const long = `TODO fill this in later. ${"and more words ".repeat(40)}`;
    const r1 = scriptedModel("r1", [long]);
    const r2 = scriptedModel("r2", ["Lyon is a fine city."]);
    const r3 = scriptedModel("r3", ["Paris is the capital of France."]);
    const events = new RungsEvents();
    const discards: { early: boolean; kind: string }[] = [];
    events.on("attempt-discard", ({ early, kind }) => discards.push({ early, kind }));

    const parts = await collect(escalateAcross([r1, r2, r3], { rubric }).stream(ask, { events }));

    expect(shape(parts)).toEqual([
      "attempt-start",
      "text-delta*",
      "discard",
      "attempt-start",
      "text-delta*",
      "discard",
      "attempt-start",
      "text-delta*",
      "finish",
    ]);
    const finish = parts.at(-1);
    if (finish?.type !== "finish") throw new Error("no finish part");
    expect(finish.generation.text).toBe("Paris is the capital of France.");
    expect(finish.generation.modelId).toBe("r3");
    // The accepted deltas are exactly the final text: nothing of the discarded attempts glued on.
    const lastStart = parts.findLastIndex((part) => part.type === "attempt-start");
    const accepted = parts
      .slice(lastStart)
      .flatMap((part) => (part.type === "text-delta" ? [part.text] : []))
      .join("");
    expect(accepted).toBe(finish.generation.text);

    // Rung 1's stream was cancelled before its end, long before all of its text was sent.
    const stream1 = r1.calls[0]?.stream;
    expect(stream1).toMatchObject({ finished: false, cancelled: true });
    expect(stream1!.deltas).toBeLessThan(long.length / 4);
    expect(r2.calls[0]?.stream).toMatchObject({ finished: true, cancelled: false });

    const [d1, d2] = parts.filter((part) => part.type === "discard");
    expect(d1).toMatchObject({ rung: 0, modelId: "r1", kind: "rejected", early: true });
    expect(d1?.type === "discard" && d1.reason).toContain("no-todo");
    expect(d2).toMatchObject({ rung: 1, modelId: "r2", kind: "rejected", early: false });
    expect(discards).toEqual([
      { early: true, kind: "rejected" },
      { early: false, kind: "rejected" },
    ]);

    // The record keeps each attempt's streamed text, the early stop marked, its deltas booked as tokens.
    const attempts = finish.generation.trace?.attempts ?? [];
    expect(attempts.map((a) => [a.modelId, a.kind ?? "accepted", a.stoppedEarly ?? false])).toEqual([
      ["r1", "rejected", true],
      ["r2", "rejected", false],
      ["r3", "accepted", false],
    ]);
    expect(long.startsWith(attempts[0]!.text)).toBe(true);
    expect(attempts[0]!.text).toContain("TODO");
    expect(attempts[0]!.usage.outputTokens).toBe(stream1!.deltas);
    expect(attempts[1]!.text).toBe("Lyon is a fine city.");
  });

  it("ends with the same generation generate returns", async () => {
    const script = () => [
      scriptedModel("a", ["no capital here"]),
      scriptedModel("b", [{ text: "Paris.", usage: { inputTokens: 3, outputTokens: 2 } }]),
    ];
    const generated = await escalateAcross(script(), { rubric }).generate(ask);
    const parts = await collect(escalateAcross(script(), { rubric }).stream(ask));
    const finish = parts.at(-1);
    if (finish?.type !== "finish") throw new Error("no finish part");
    // Clock readings aside: attempts' start and end, and each rule's durationMs (wall clock, so a loaded
    // machine made this flaky).
    expect(withoutTimes(finish.generation)).toEqual(withoutTimes(generated));
  });

  it("accepted-only yields nothing of the rejected attempts: the accepted text, then finish", async () => {
    const ladder = escalateAcross(
      [scriptedModel("a", ["TODO: later"]), scriptedModel("b", ["Paris, of course."])],
      { rubric },
    );
    const parts = await collect(ladder.stream(ask, { mode: "accepted-only" }));
    expect(parts.map((part) => part.type)).toEqual(["text-delta", "finish"]);
    expect(parts[0]).toEqual({ type: "text-delta", text: "Paris, of course." });
  });

  it("a stream that stalls is ended by the attempt time limit, discarded as a timeout, and the ladder goes on", async () => {
    const stalls = scriptedModel("stalls", [{ chunks: ["Par", hang] }]);
    const next = scriptedModel("next", ["Paris."]);
    const parts = await collect(
      escalateAcross([stalls, next], { rubric, attemptTimeoutMs: 100 }).stream(ask),
    );
    expect(shape(parts)).toEqual([
      "attempt-start",
      "text-delta*",
      "discard",
      "attempt-start",
      "text-delta*",
      "finish",
    ]);
    expect(parts.find((part) => part.type === "discard")).toMatchObject({
      kind: "timeout",
      modelId: "stalls",
    });
    expect(stalls.calls[0]?.stream?.cancelled).toBe(true);
    const finish = parts.at(-1);
    if (finish?.type !== "finish") throw new Error("no finish part");
    // The stalled attempt's text is kept on its record.
    expect(finish.generation.trace?.attempts?.[0]).toMatchObject({ kind: "timeout", text: "Par" });
  });

  it("an abort mid-stream rejects with the caller's reason within 50 ms and cancels the provider's stream", async () => {
    const slow = scriptedModel("slow", ["Paris ".repeat(200)], { chunkDelayMs: 20 });
    const controller = new AbortController();
    const reason = new Error("user left");
    const events = new RungsEvents();
    const ended: { kind: string | undefined; text: string }[] = [];
    events.on("attempt-end", ({ attempt }) => ended.push({ kind: attempt.kind, text: attempt.text }));
    const iterator = retryWithContext(slow, { rubric })
      .stream(ask, { signal: controller.signal, events })
      [Symbol.asyncIterator]();
    // attempt-start, then the first delta.
    await iterator.next();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: "text-delta" });
    const pending = iterator.next();
    const started = performance.now();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(50);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(slow.calls[0]?.stream).toMatchObject({ finished: false, cancelled: true });
    // The aborted attempt's record keeps the text it streamed before the abort.
    expect(ended).toHaveLength(1);
    expect(ended[0]?.kind).toBe("aborted");
    expect(ended[0]?.text.length).toBeGreaterThan(0);
    expect("Paris ".repeat(200).startsWith(ended[0]!.text)).toBe(true);
  });

  it("leaving the loop early closes the run and the provider's stream", async () => {
    const slow = scriptedModel("slow", ["Paris ".repeat(100)], { chunkDelayMs: 5 });
    for await (const part of escalateAcross([slow], { rubric }).stream(ask)) {
      if (part.type === "text-delta") break;
    }
    expect(slow.calls[0]?.stream).toMatchObject({ finished: false, cancelled: true });
    expect(slow.inFlight).toBe(0);
  });

  it("a hand-written model without stream streams its answer as one chunk", async () => {
    const plain = {
      id: "plain",
      generate: async () => ({ text: "Paris", finishReason: "stop" as const, usage: {}, modelId: "plain" }),
    };
    const parts = await collect(streamModel(plain, ask));
    expect(parts.map((part) => part.type)).toEqual(["text-delta", "finish"]);
    const nested = await collect(escalateAcross([plain], { rubric }).stream(ask));
    expect(shape(nested)).toEqual(["attempt-start", "text-delta*", "finish"]);
  });

  it("refuses an unknown mode by name, from the iteration", async () => {
    const ladder = escalateAcross([scriptedModel("a", ["Paris"])], { rubric });
    await expect(collect(ladder.stream(ask, { mode: "eventually" as "live" }))).rejects.toThrow(
      /options\.mode.*"live" or "accepted-only"/,
    );
  });

  it("a slow prefix check cannot hold the attempt past its time limit: timers run after every check", async () => {
    let checks = 0;
    const slowRule: Rule = {
      id: "slow-prefix",
      check: () => true,
      checkPrefix: () => {
        checks += 1;
        const until = performance.now() + 100;
        while (performance.now() < until) {
          // a custom rule that takes 100 ms per prefix, synchronously
        }
        return true;
      },
    };
    const slowRubric = defineRubric({ id: "slow", rules: [slowRule] });
    const long = scriptedModel("long", ["word ".repeat(800)]);
    const next = scriptedModel("next", ["done"]);
    const parts = await collect(
      escalateAcross([long, next], { rubric: slowRubric, attemptTimeoutMs: 300 }).stream(ask),
    );
    expect(parts.find((part) => part.type === "discard")).toMatchObject({ kind: "timeout", modelId: "long" });
    // 300 ms of 100 ms checks, and the one the limit fired during: the stream's ~20 checks never all ran.
    expect(checks).toBeLessThanOrEqual(5);
  });

  it("a hand-written model whose stream never waits on I/O is still ended by the attempt time limit", async () => {
    const endless = {
      id: "endless",
      generate: async () => ({ text: "x", finishReason: "stop" as const, usage: {}, modelId: "endless" }),
      async *stream() {
        for (;;) yield { type: "text-delta" as const, text: "x" };
      },
    };
    const parts = await collect(
      escalateAcross([endless, scriptedModel("next", ["Paris."])], {
        // No prefix rule: no prefix check lets the timers run.
        rubric: defineRubric({
          id: "paris",
          rules: [predicate("names-paris", (t: string) => t.includes("Paris"))],
        }),
        attemptTimeoutMs: 100,
      }).stream(ask, { mode: "accepted-only" }),
    );
    expect(parts.at(-1)).toMatchObject({ type: "finish", generation: { text: "Paris.", modelId: "next" } });
  });
});
