// The rows of the per-delta overhead, kept apart from the worker so the report can name them without
// importing the built package.
import { loadResponses } from "../ifeval-data.js";
import { tokenPieces } from "./token-pieces.js";

/** Deltas per streamed call. */
export const deltasPerCall = 1000;

/** The rows, the first being the floor every other is compared with. */
export const deltaRows = [
  ["provider", "the provider's stream iterated directly (`for await` over the async generator)"],
  ["leaf", "`defineModel(id, fn, { stream }).stream()`: the leaf alone"],
  ["ladder", "`escalateAcross([leaf], { rubric: [nonEmpty()] }).stream()`, live"],
  ["ladder-prefix", "the same ladder, rubric with a prefix rule (`checkPrefix`, never failing), live"],
  ["ladder-accepted-only", 'the ladder with the prefix rule, `mode: "accepted-only"`'],
] as const;

export type DeltaRowId = (typeof deltaRows)[number][0];
export const deltaRowIds: readonly DeltaRowId[] = deltaRows.map(([id]) => id);

/**
 * The deltas every row streams: gpt-4o's recorded IFEval answers, in file order, cut into their o200k_base
 * tokens (one token per delta, as OpenAI's and Ollama's streams send them), the first {@link deltasPerCall}.
 */
export function deltaTexts(): string[] {
  const texts: string[] = [];
  for (const response of loadResponses("gpt-4o-2024-08-06").values()) {
    for (const piece of tokenPieces(response)) {
      texts.push(piece.text);
      if (texts.length === deltasPerCall) return texts;
    }
  }
  throw new Error(`deltaTexts: the recorded answers have fewer than ${deltasPerCall} tokens`);
}
