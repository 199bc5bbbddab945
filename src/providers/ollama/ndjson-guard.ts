import { capText } from "../../text/cap.js";

/** What the guard saw that the ollama client would have hidden or dropped. */
export interface StreamProbe {
  /** HTTP status of the last response. */
  status?: number;
  /** The server's Retry-After hint, in ms. */
  retryAfterMs?: number;
  /** The error body of a non-2xx response, capped. */
  errorBody?: string;
  /** The `error` of an NDJSON `{"error": ...}` line (Ollama's way to fail after a 200). */
  errorLine?: string;
  /** A line that was not JSON, or longer than the cap: the stream was cut there. */
  fault?: { reason: "malformed" | "line-too-long"; excerpt: string; chars: number };
  /** The per-call timeout fired. */
  timedOut?: boolean;
}

const encoder = new TextEncoder();
const excerptChars = 120;

/**
 * Checks Ollama's NDJSON body line by line before the ollama client parses it. The client drops a line
 * that is not JSON with a `console.warn` and buffers a line without bound (docs/reliability.md, item 12);
 * here a malformed line, or one longer than `maxLineChars`, stops the stream: the lines before
 * it pass through in order, then an `{"error"}` line makes the client throw, and the fault is noted in
 * `probe` so the adapter reports what happened. The body is cancelled at once, so nothing more is read.
 */
export function ndjsonGuard(
  probe: StreamProbe,
  maxLineChars: number,
): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  let pending = "";

  const check = (line: string): boolean => {
    if (line.trim() === "") return true;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === "object" && parsed !== null) {
        const { error } = parsed as { error?: unknown };
        if (typeof error === "string") probe.errorLine = error;
        return true;
      }
    } catch {
      // fall through: not JSON
    }
    probe.fault = { reason: "malformed", excerpt: capText(line, excerptChars), chars: line.length };
    return false;
  };

  const stop = (controller: TransformStreamDefaultController<Uint8Array>) => {
    const what =
      probe.fault?.reason === "line-too-long" ? "a line over the size cap" : "a line that is not JSON";
    controller.enqueue(encoder.encode(`${JSON.stringify({ error: `rungs: the stream carried ${what}` })}\n`));
    controller.terminate();
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (probe.fault !== undefined) return;
      const text = decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        const line = pending + text.slice(start, end);
        pending = "";
        start = end + 1;
        if (!check(line)) return stop(controller);
        controller.enqueue(encoder.encode(`${line}\n`));
      }
      pending += text.slice(start);
      if (pending.length > maxLineChars) {
        probe.fault = {
          reason: "line-too-long",
          excerpt: capText(pending, excerptChars),
          chars: pending.length,
        };
        pending = "";
        stop(controller);
      }
    },
    flush(controller) {
      if (probe.fault !== undefined) return;
      const line = pending + decoder.decode();
      pending = "";
      if (!check(line)) return stop(controller);
      if (line.trim() !== "") controller.enqueue(encoder.encode(line));
    },
  });
}
