import { childController } from "../abort.js";
import type { Generation, StreamPart } from "../model.js";
import type { PartSink } from "./sink.js";

/** Parts buffered before the producer waits for the consumer. */
const highWater = 64;

/** Why a run's signal fires when the consumer leaves its stream early. */
function closedReason(): DOMException {
  return new DOMException("The stream was closed by its consumer.", "AbortError");
}

/**
 * Runs a producer that reports its parts to a sink (an attempt engine, a continuation) as a stream: its
 * parts in order, then `finish` with the generation it resolved to; its rejection is thrown from the
 * iteration. A consumer that leaves early aborts the run (its signal fires) and waits for it to wind down,
 * so nothing runs on after the loop. The buffer holds at most `highWater` parts: past that the producer's
 * `push` waits for the consumer.
 */
export async function* runAsStream<V>(
  signal: AbortSignal | undefined,
  produce: (sink: PartSink, signal: AbortSignal) => Promise<Generation<V>>,
): AsyncGenerator<StreamPart<V>> {
  const child = childController(signal);
  const queue: StreamPart[] = [];
  let wake: (() => void) | undefined;
  let drained: (() => void) | undefined;
  let settled: { ok: true; generation: Generation<V> } | { ok: false; error: unknown } | undefined;
  const sink: PartSink = {
    push(part) {
      queue.push(part);
      wake?.();
      if (queue.length < highWater) return undefined;
      return new Promise<void>((resolve) => {
        drained = resolve;
      });
    },
  };
  let running: Promise<void>;
  try {
    running = produce(sink, child.controller.signal).then(
      (generation) => {
        settled = { ok: true, generation };
      },
      (error: unknown) => {
        settled = { ok: false, error };
      },
    );
  } catch (error) {
    running = Promise.resolve();
    settled = { ok: false, error };
  }
  void running.then(() => wake?.());
  try {
    for (;;) {
      const part = queue.shift();
      if (part !== undefined) {
        if (drained !== undefined && queue.length < highWater / 2) {
          drained();
          drained = undefined;
        }
        yield part as StreamPart<V>;
        continue;
      }
      if (settled !== undefined) {
        if (!settled.ok) throw settled.error;
        yield { type: "finish", generation: settled.generation };
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    if (settled === undefined) {
      child.controller.abort(closedReason());
      drained?.();
      await running;
    }
    child.dispose();
  }
}
