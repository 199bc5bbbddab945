/** Case, `_` and `-` ignored: `max_attempts`, `MaxAttempts` and `maxAttempts` compare equal. */
const normalize = (key: string) => key.toLowerCase().replace(/[_-]/g, "");

/** Edit distance with adjacent transpositions (optimal string alignment), stopping early past `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (before[j - 2] as number) + 1);
      }
      current.push(d);
      best = Math.min(best, d);
    }
    if (best > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The known key `key` was most likely meant to be, or undefined when none is close: equal ignoring case and
 * separators, within about one edit per three characters, or (for 3+ characters) the start of a known key
 * (`timeout` → `timeoutMs`, two added characters counting as one edit). The nearest wins, the first on a tie.
 * Keys are short and few, so the quadratic distance is cheap.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const wanted = normalize(key);
  if (wanted === "") return undefined;
  const limit = Math.max(1, Math.ceil(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const normalized = normalize(candidate);
    const d =
      normalized === wanted
        ? 0
        : wanted.length >= 3 && normalized.startsWith(wanted)
          ? Math.ceil((normalized.length - wanted.length) / 2)
          : distance(wanted, normalized, limit);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
