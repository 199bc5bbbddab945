// Reading streams in tests: collect the parts, fold them into a shape, the answer they show, and a generation
// with its clock readings left out (a streamed run and a generated one start at different times).
import { expect } from "vitest";
import type { Generation, StreamPart } from "../../src/model.js";
import { VisibleText } from "../../src/stream/visible-text.js";

export async function collect<V>(parts: AsyncIterable<StreamPart<V>>): Promise<StreamPart<V>[]> {
  const out: StreamPart<V>[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

/** The part types, with runs of deltas folded into one `text-delta*`. */
export function shape(parts: readonly StreamPart[]): string[] {
  const out: string[] = [];
  for (const part of parts) {
    const name = part.type === "text-delta" ? "text-delta*" : part.type;
    if (name !== out.at(-1) || name !== "text-delta*") out.push(name);
  }
  return out;
}

/** What a live stream shows: every delta not inside a discarded attempt. */
export function shownText(parts: readonly StreamPart[]): string {
  const visible = new VisibleText();
  for (const part of parts) visible.apply(part);
  return visible.text;
}

/** The `finish` part's generation, after checking the stream is well-formed: one finish, the last part. */
export function finishOf<V>(parts: readonly StreamPart<V>[]): Generation<V> {
  const finishes = parts.filter((part) => part.type === "finish");
  expect(finishes).toHaveLength(1);
  const last = parts.at(-1);
  if (last?.type !== "finish")
    throw new Error(`the stream ended with ${last?.type ?? "nothing"}, not finish`);
  return last.generation;
}

const clockReadings = new Set(["startedAt", "endedAt", "timestamp", "durationMs"]);

/** `value` with every clock reading (`startedAt`, `endedAt`, `timestamp`, `durationMs`) left out, at any depth. */
export function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !clockReadings.has(key))
      .map(([key, inner]) => [key, withoutTimes(inner)]),
  );
}
