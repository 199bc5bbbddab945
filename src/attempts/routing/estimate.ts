import type { RungStats } from "../../record/stats-store.js";

/**
 * A rung's chance of an accepted answer for one request, from counts under several keys (its task class,
 * each of its features) and the rung's counts over all requests:
 * - the overall rate is Laplace-smoothed, `(accepted + 1) / (samples + 2)`, so a new rung starts at 1/2;
 * - each key's rate is pulled toward it by `prior` pseudo-samples, `(accepted + prior × overall) /
 *   (samples + prior)`, so a key seen twice moves the estimate a little and one seen fifty times decides it;
 * - the estimate is the mean over the keys (the overall rate when there are none), so a new combination of
 *   known features starts from what each feature taught, not from nothing. Keys with no samples carry no
 *   information and are left out.
 * Always in (0, 1) when `prior` > 0.
 */
export function estimateAcceptRate(overall: RungStats, byKey: readonly RungStats[], prior: number): number {
  const base = (overall.accepted + 1) / (overall.accepted + overall.failed + 2);
  let sum = 0;
  let known = 0;
  for (const stats of byKey) {
    const samples = stats.accepted + stats.failed;
    if (samples === 0) continue;
    sum += (stats.accepted + prior * base) / (samples + prior);
    known += 1;
  }
  return known === 0 ? base : sum / known;
}

/**
 * The expected net worth of trying the rungs after `rung`, each at most once, in order, given each one's
 * chance `p` and `price`, when an accepted answer is worth `value`: a rung is worth trying when
 * `p × (value − rest) > price`, where `rest` is the worth of the rungs above it. Computed top down;
 * `0` past the top rung (giving up earns nothing and costs nothing).
 */
export function worthAbove(
  rung: number,
  chances: readonly number[],
  prices: readonly number[],
  value: number,
): number {
  let rest = 0;
  for (let j = chances.length - 1; j > rung; j -= 1) {
    rest += Math.max(0, chances[j]! * (value - rest) - prices[j]!);
  }
  return rest;
}
