import { raceAbort, sequentialRacer } from "../abort.js";
import { ProviderError } from "../errors/provider-error.js";
import type { GenerateRequest } from "../messages.js";
import type { CallOptions, Generation, Model, StreamPart } from "../model.js";
import { macrotask } from "./macrotask.js";
import { streamModel } from "./stream-model.js";

/** Parts read between two turns of the event loop. */
const yieldEvery = 256;

/** What `onPart` may say: go on (nothing), or stop the call here (its stream is closed). */
export type PartVerdict = undefined | "stop";

/**
 * One call of a model, streamed (live): the one loop that reads a model's stream for the attempt engine and
 * the wrappers. Each part before `finish` goes to `onPart` (awaited, so a slow consumer slows the model's
 * stream), and the call resolves to the `finish` part's generation, as `generate` would have; `onPart`
 * returning `"stop"` ends the call there (resolving to `undefined`). Each `next()` (and each wait on
 * `onPart`) is raced against `options.signal`, so a model that ignores its signal cannot hold the caller; a
 * call left before its end (a stop, an error, an abort) closes the model's stream.
 * @throws what the model's stream throws; ProviderError (`server-error`) for a stream that ends without
 *   `finish`.
 */
export function streamCall<V>(
  model: Model<V>,
  request: GenerateRequest,
  options: CallOptions,
  onPart: (part: Exclude<StreamPart<V>, { type: "finish" }>) => void | Promise<void>,
): Promise<Generation<V>>;
export function streamCall<V>(
  model: Model<V>,
  request: GenerateRequest,
  options: CallOptions,
  /** Returns `"stop"` (or a promise of it) to end the call here; anything else goes on. */
  onPart: (part: Exclude<StreamPart<V>, { type: "finish" }>) => unknown,
): Promise<Generation<V> | undefined>;
export async function streamCall<V>(
  model: Model<V>,
  request: GenerateRequest,
  options: CallOptions,
  /** Returns `"stop"` (or a promise of it) to end the call here; anything else goes on. */
  onPart: (part: Exclude<StreamPart<V>, { type: "finish" }>) => unknown,
): Promise<Generation<V> | undefined> {
  const iterator = streamModel(model, request, { ...options, mode: "live" })[Symbol.asyncIterator]();
  let ended = false;
  const racer = sequentialRacer(options.signal);
  try {
    for (let parts = 1; ; parts++) {
      // A hand-written model's stream that never waits on I/O would starve timers (the time limit that
      // should end it): every so often, let them run. A defineModel leaf does the same below.
      if (parts % yieldEvery === 0) await macrotask();
      const step = await racer.race(iterator.next());
      if (step.done === true) {
        ended = true;
        throw new ProviderError(
          `The stream of "${model.id}" ended without a finish part: a Model's stream must end with { type: "finish", generation }.`,
          { kind: "server-error", providerId: model.id },
        );
      }
      const part = step.value;
      if (part.type === "finish") {
        ended = true;
        // The model's stream may still hold what it needs only until it ends (a generator's finally): close it.
        Promise.resolve()
          .then(() => iterator.return?.())
          .catch(() => {});
        return part.generation;
      }
      const said = onPart(part);
      // A full buffer waits for the consumer, but never past the signal.
      if ((said instanceof Promise ? await racer.race(said) : said) === "stop") return undefined;
    }
  } finally {
    racer.dispose();
    if (!ended) {
      // Closes the model's stream (its provider's beneath it); not awaited once the signal has fired, since
      // a stream stalled in `next()` cannot run its cleanup until that settles.
      const closing = Promise.resolve()
        .then(() => iterator.return?.())
        .catch(() => {});
      if (options.signal?.aborted !== true) await raceAbort(closing, options.signal).catch(() => {});
    }
  }
}
