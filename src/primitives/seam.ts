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

/**
 * The overlap `removeSeamOverlap(previous, next)` will remove, decided from `head`, the start of `next` that
 * has arrived so far (a streamed continuation), or `undefined` while what follows could still change it.
 * Decided as soon as no overlap longer than `head` can still match: `head` no longer occurs in the end of
 * `previous` where a longer overlap would start, or `head` has reached the longest overlap looked for.
 * So a stream holds back the start of a continuation only as long as the seam needs, and removes exactly
 * what `removeSeamOverlap` removes from the whole piece.
 * @returns chars to drop from the start of `next` (0: none), or `undefined` when not yet decided.
 */
export function decideSeam(previous: string, head: string, options: SeamOptions = {}): number | undefined {
  const max = options.maxOverlapChars ?? seamDefaults.maxOverlapChars;
  const min = Math.max(1, options.minOverlapChars ?? seamDefaults.minOverlapChars);
  const bound = Math.min(max, previous.length);
  if (bound < min) return 0;
  if (head.length < bound) {
    // A longer overlap of length k > head.length starts at tail index bound - k: one where `head` occurs,
    // at most bound - min (k ≥ min) and at most bound - head.length - 1 (k > head.length).
    const latest = Math.min(bound - min, bound - head.length - 1);
    const first = previous.slice(previous.length - bound).indexOf(head);
    if (first >= 0 && first <= latest) return undefined;
  }
  return removeSeamOverlap(previous, head, options).removed;
}
