import type { StreamPart } from "../model.js";

/**
 * Where an engine running for a stream puts its parts. `push` returns a promise when the consumer is behind
 * (the buffer is full): the engine waits for it, so a slow reader slows the provider's stream, never
 * buffers it whole.
 */
export interface PartSink {
  push(part: StreamPart): void | Promise<void>;
}
