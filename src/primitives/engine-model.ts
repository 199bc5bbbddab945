import { runAttempts } from "../attempts/engine.js";
import type { EngineConfig } from "../attempts/engine-config.js";
import { checkCallOptions } from "../call-options-check.js";
import { withProcessSink } from "../events.js";
import type { Generation, StreamingModel } from "../model.js";
import { toRequest } from "../request.js";
import { checkStreamOptions } from "../stream/check-stream-options.js";
import { withMode } from "../stream/modes.js";
import { runAsStream } from "../stream/run-stream.js";

/**
 * The model an attempt engine is (`retryWithContext`, `escalateAcross`): `generate` runs the engine; `stream`
 * runs the same engine with every attempt streamed, in the caller's mode. Requests and options are checked
 * where they come in, as the stream is read.
 */
export function engineModel<V>(engine: EngineConfig): StreamingModel<V> {
  return {
    id: engine.id,
    // The accepted generation's value is its verdict's, from the engine's rubric: a Rubric<string, V>.
    generate: async (request, callOptions = {}) =>
      runAttempts(
        engine,
        toRequest(`${engine.id}.generate`, request),
        withProcessSink(checkCallOptions(`${engine.id}.generate`, callOptions)),
      ) as Promise<Generation<V>>,
    stream: async function* (request, streamOptions) {
      const { mode, ...callOptions } = checkStreamOptions(`${engine.id}.stream`, streamOptions);
      const checked = toRequest(`${engine.id}.stream`, request);
      const options = withProcessSink(callOptions);
      yield* withMode(
        runAsStream(
          options.signal,
          (sink, signal) =>
            runAttempts(engine, checked, { ...options, signal }, sink) as Promise<Generation<V>>,
        ),
        mode,
      );
    },
  };
}
