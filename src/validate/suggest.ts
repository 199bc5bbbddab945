import { createRequire } from "node:module";

/** Case, `_` and `-` ignored: `max_attempts`, `MaxAttempts` and `maxAttempts` compare equal. */
const normalize = (key: string) => key.toLowerCase().replace(/[_-]/g, "");

/**
 * fastest-levenshtein's edit distance, loaded on first use: a suggestion is only made for a refused option,
 * so `import("rungs")` does not load it.
 */
let levenshtein: ((a: string, b: string) => number) | undefined;
function distance(a: string, b: string): number {
  levenshtein ??= (
    createRequire(import.meta.url)("fastest-levenshtein") as typeof import("fastest-levenshtein")
  ).distance;
  return levenshtein(a, b);
}

/**
 * The known key or name `key` was most likely meant to be ("did you mean"), or undefined when none is close:
 * equal ignoring case and separators, within about one edit per three characters (and fewer edits than it
 * has characters), or (for 3+ characters) the start of a known key (`timeout` → `timeoutMs`, two added
 * characters counting as one edit). The nearest wins, the first on a tie. Keys are short and few, so the
 * quadratic distance is cheap. A swap of two letters counts as two edits. The one suggester of rungs: option
 * keys, request fields, config keys, rung, provider and rubric names.
 */
export function closestKey(key: string, known: Iterable<string>): string | undefined {
  const wanted = normalize(key);
  if (wanted === "") return undefined;
  const limit = Math.min(wanted.length - 1, Math.max(1, Math.ceil(wanted.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const normalized = normalize(candidate);
    const d =
      normalized === wanted
        ? 0
        : wanted.length >= 3 && normalized.startsWith(wanted)
          ? Math.ceil((normalized.length - wanted.length) / 2)
          : distance(wanted, normalized);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
