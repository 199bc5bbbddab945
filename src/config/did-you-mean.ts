import { distance } from "fastest-levenshtein";

/**
 * The known name closest to `name`, when it is close enough to be a misspelling (at most a third of its
 * length in edits, and at least two, fewer than its length): `attemps` → `attempts`, `fats` → `fast`.
 */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const limit = Math.min(name.length - 1, Math.max(2, Math.floor(name.length / 3)));
  for (const candidate of known) {
    // Case alone differs: always a match (maxattempts → maxAttempts).
    const d = candidate.toLowerCase() === name.toLowerCase() ? 0 : distance(name, candidate);
    if (d < bestDistance && d <= limit) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
