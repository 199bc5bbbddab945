/** Bounds of the overlap search at a continuation seam, in characters. */
export interface SeamOptions {
  /** Longest overlap looked for: a continuation rarely repeats more than a paragraph. @default 1000 */
  maxOverlapChars?: number;
  /**
   * Shortest overlap removed. Shorter matches are left alone: a 1–7 character "overlap" is more often a
   * coincidence ("the" + "end") than a repeat, and removing it would corrupt the text. @default 8
   */
  minOverlapChars?: number;
}

export const seamDefaults = {
  maxOverlapChars: 1000,
  minOverlapChars: 8,
} as const satisfies Required<SeamOptions>;

/**
 * Removes from the start of `next` the longest prefix that repeats the end of `previous` (at most
 * `maxOverlapChars`, at least `minOverlapChars`), so `previous + result.text` reads once across the seam.
 * Linear time: the Knuth–Morris–Pratt failure function of `next`'s head, run over `previous`'s tail.
 *
 * @returns the de-duplicated continuation and how many characters were dropped (0 when none).
 * @example removeSeamOverlap("the quick brown fox", "brown fox jumps").text // " jumps" (with minOverlapChars ≤ 9)
 */
export function removeSeamOverlap(
  previous: string,
  next: string,
  options: SeamOptions = {},
): { text: string; removed: number } {
  const max = options.maxOverlapChars ?? seamDefaults.maxOverlapChars;
  const min = Math.max(1, options.minOverlapChars ?? seamDefaults.minOverlapChars);
  const bound = Math.min(max, previous.length, next.length);
  if (bound < min) return { text: next, removed: 0 };
  const pattern = next.slice(0, bound);
  const tail = previous.slice(previous.length - bound);
  const failure = prefixFunction(pattern);
  let matched = 0;
  for (let i = 0; i < tail.length; i += 1) {
    while (matched > 0 && (matched === pattern.length || pattern[matched] !== tail[i])) {
      matched = failure[matched - 1] ?? 0;
    }
    if (pattern[matched] === tail[i]) matched += 1;
  }
  // `matched` is now the longest prefix of `pattern` that ends `tail`.
  if (matched < min) return { text: next, removed: 0 };
  return { text: next.slice(matched), removed: matched };
}

function prefixFunction(pattern: string): number[] {
  const failure = new Array<number>(pattern.length).fill(0);
  for (let i = 1, k = 0; i < pattern.length; i += 1) {
    while (k > 0 && pattern[i] !== pattern[k]) k = failure[k - 1] ?? 0;
    if (pattern[i] === pattern[k]) k += 1;
    failure[i] = k;
  }
  return failure;
}
