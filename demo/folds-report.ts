/** The cross-validation table (demo/folds.ts), as a Markdown pipe table. */
import type { PolicyResult } from "./folds.js";
import { table } from "./report.js";

const percent = (x: number): string => `${(x * 100).toFixed(1)} %`;
const range = (xs: readonly number[]): string =>
  `${(Math.min(...xs) * 100).toFixed(1)}–${(Math.max(...xs) * 100).toFixed(1)}`;

/** Whether `a` is dominated: some other result is at least as accurate and as cheap, and better in one. */
function dominated(a: PolicyResult, all: readonly PolicyResult[]): boolean {
  return all.some(
    (b) =>
      b !== a &&
      b.referenceAccuracy >= a.referenceAccuracy &&
      b.costUsd <= a.costUsd &&
      (b.referenceAccuracy > a.referenceAccuracy || b.costUsd < a.costUsd),
  );
}

/** One row per policy, out of sample; `*` marks the accuracy–cost frontier (no row both as accurate and cheaper). */
export function policyTable(results: readonly PolicyResult[]): string {
  return table(
    [
      "policy (out of sample)",
      "accuracy (reference)",
      "per fold",
      "cost",
      "of always-top",
      "per fold",
      "calls per prompt",
      "frontier calls",
    ],
    results.map((r) => [
      `${dominated(r, results) ? "" : "* "}${r.name}`,
      percent(r.referenceAccuracy),
      range(r.folds.map((f) => f.referenceAccuracy)),
      `$${r.costUsd.toFixed(4)}`,
      percent(r.costUsd / r.topCostUsd),
      range(r.folds.map((f) => f.costShare)),
      (r.calls / r.prompts).toFixed(2),
      r.frontierCalls.toLocaleString("en-US"),
    ]),
  );
}

/** The cheapest learned policy meeting both targets, or undefined (static ladders are references only). */
export function meetingTarget(
  results: readonly PolicyResult[],
  minAccuracy: number,
  maxCostShare: number,
): PolicyResult | undefined {
  return results
    .filter((r) => r.learns && r.referenceAccuracy >= minAccuracy && r.costUsd / r.topCostUsd <= maxCostShare)
    .sort((a, b) => a.costUsd - b.costUsd)[0];
}
