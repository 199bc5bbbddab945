import type { SplitTrace } from "../trace.js";
import { truncationMarker } from "./split-requests.js";
import { packRanges, splitText } from "./split-text.js";

/**
 * Shards: consecutive context documents packed while they fit together; a document too big alone is
 * split into pieces that each fit (one shard each). Empty documents are dropped.
 */
export function planShards(
  context: readonly string[],
  fits: (docs: readonly string[]) => boolean,
  split: (doc: string) => string[],
): string[][] {
  const docs = context.filter((doc) => doc.trim() !== "");
  const shards: string[][] = [];
  for (const range of packRanges(docs.length, (from, to) => fits(docs.slice(from, to + 1)))) {
    if (range.fits) shards.push(docs.slice(range.from, range.to + 1));
    else for (const piece of split(docs[range.from]!)) shards.push([piece]);
  }
  return shards;
}

/**
 * Cuts `scratchpad` to its longest natural-boundary prefix that fits with a truncation marker after it
 * (the marker sized for the worst case, so the real one fits too), and records the cut in `trace`.
 */
export function truncateScratchpad(
  scratchpad: string,
  fits: (kept: string, cut: number) => boolean,
  maxDepth: number,
  trace: SplitTrace,
): string {
  const ok = (piece: string) => fits(piece, scratchpad.length);
  // splitText's first piece is the longest prefix, on the most natural boundary, that passes `ok`.
  const [first] = splitText(scratchpad, 0, (piece) => (ok(piece) ? 0 : 1));
  const kept = first !== undefined && ok(first) ? first : "";
  const cut = scratchpad.length - kept.length;
  trace.truncatedChars = cut;
  return `${kept}\n\n${truncationMarker(cut, maxDepth)}`;
}
