// A producer run as a stream: parts in order, a bounded buffer, and a consumer that leaves stops the run.
import { describe, expect, it } from "vitest";
import type { Generation, StreamPart } from "../../src/model.js";
import { runAsStream } from "../../src/stream/run-stream.js";

const answer: Generation = { text: "done", finishReason: "stop", usage: {}, modelId: "p" };
const delta = (text: string): StreamPart => ({ type: "text-delta", text });

describe("runAsStream", () => {
  it("yields the producer's parts in order, then finish with what it resolved to", async () => {
    const parts: StreamPart[] = [];
    for await (const part of runAsStream(undefined, async (sink) => {
      for (const text of ["a", "b", "c"]) await sink.push(delta(text));
      return answer;
    }))
      parts.push(part);
    expect(parts).toEqual([delta("a"), delta("b"), delta("c"), { type: "finish", generation: answer }]);
  });

  it("throws the producer's rejection from the iteration, after the parts it pushed", async () => {
    const boom = new Error("boom");
    const seen: string[] = [];
    const run = async () => {
      for await (const part of runAsStream(undefined, async (sink) => {
        await sink.push(delta("a"));
        throw boom;
      }))
        seen.push(part.type);
    };
    await expect(run()).rejects.toBe(boom);
    expect(seen).toEqual(["text-delta"]);
  });

  it("holds at most 64 parts for a consumer that does not read: the producer waits", async () => {
    let pushed = 0;
    const iterator = runAsStream(undefined, async (sink) => {
      for (let i = 0; i < 1_000; i++) {
        await sink.push(delta(String(i)));
        pushed += 1;
      }
      return answer;
    })[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pushed).toBeLessThanOrEqual(65);
    let count = 1;
    for (;;) {
      const step = await iterator.next();
      if (step.done === true) break;
      count += 1;
    }
    expect(count).toBe(1_001);
    expect(pushed).toBe(1_000);
  });

  it("a consumer that leaves early aborts the run's signal and waits for the run to end", async () => {
    let ended = false;
    let reason: unknown;
    for await (const part of runAsStream(undefined, async (sink, signal) => {
      try {
        for (let i = 0; ; i++) {
          if (signal.aborted) throw signal.reason;
          await sink.push(delta(String(i)));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      } catch (error) {
        reason = error;
        throw error;
      } finally {
        ended = true;
      }
    })) {
      if (part.type === "text-delta" && part.text === "3") break;
    }
    expect(ended).toBe(true);
    expect((reason as DOMException).name).toBe("AbortError");
  });

  it("the caller's abort reaches the producer with the caller's reason", async () => {
    const controller = new AbortController();
    const why = new Error("caller stopped");
    const run = async () => {
      for await (const _ of runAsStream(controller.signal, (_sink, signal) => {
        return new Promise<Generation>((_resolve, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
        );
      })) {
        // nothing arrives
      }
    };
    const pending = run();
    controller.abort(why);
    await expect(pending).rejects.toBe(why);
  });
});
