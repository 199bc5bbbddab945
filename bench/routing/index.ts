import { loadIfeval } from "../../demo/data.js";
import {
  costAwarePolicy,
  crossValidate,
  type LadderPolicy,
  minAcceptRatePolicy,
  type PolicyResult,
  plainPolicy,
  withoutPolicy,
} from "../../demo/folds.js";
import { meetingTarget, policyTable } from "../../demo/folds-report.js";
import { type BenchReport, verdictWord } from "../lib/report.js";

const folds = 5;
const seed = 20;
const minAccuracy = 0.938;
const maxCostShare = 0.15;
const values = [0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.06];

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/**
 * Learned ladders out of sample: 5-fold cross-validation (seed 20, stratified by task class) of the demo's
 * IFEval replay ladder under each routing policy (demo/folds.ts), learning on four folds and running the
 * ladder on the fifth with the store frozen, summed over the folds.
 */
export async function runRouting(): Promise<BenchReport> {
  const data = loadIfeval();
  const statics = [plainPolicy, withoutPolicy(["gpt-4o"]), withoutPolicy(["claude-3.5-sonnet"])];
  const policies: LadderPolicy[] = [
    ...statics,
    minAcceptRatePolicy,
    ...values.map((v) =>
      costAwarePolicy(v, { features: { taskFeatures: false, violatedRules: false } }, ", task class only"),
    ),
    ...values.map((v) => costAwarePolicy(v)),
  ];
  const progress = (r: PolicyResult) => process.stderr.write(`routing: ${r.name} done\n`);
  const full = await crossValidate({ data, policies, folds, seed, onPolicy: progress });
  const quiet = await crossValidate({
    data,
    policies: [...statics, ...values.map((v) => costAwarePolicy(v))],
    folds,
    seed,
    frontierFeedback: "none",
    onPolicy: progress,
  });
  const best = (results: readonly PolicyResult[]) => meetingTarget(results, minAccuracy, maxCostShare);
  const closest = (results: readonly PolicyResult[], learns = true) =>
    results
      .filter((r) => r.learns === learns && r.costUsd / r.topCostUsd <= maxCostShare)
      .sort((a, b) => b.referenceAccuracy - a.referenceAccuracy)[0];
  const describe = (r: PolicyResult | undefined) =>
    r === undefined ? "none" : `${r.name}: ${pct(r.referenceAccuracy)} at ${pct(r.costUsd / r.topCostUsd)}`;
  const fullBest = best(full);
  const quietBest = best(quiet);
  return {
    title: "Routing: learned ladders out of sample (5-fold cross-validation)",
    markdown: [
      `${data.prompts.length} IFEval prompts in ${folds} folds (seed ${seed}, stratified by task class = instruction kinds).`,
      "Each policy learns on four folds (a fresh memoryStatsStore, the ladder run over the training prompts) and",
      "runs the ladder on the fifth with the store frozen; figures are summed over the five held-out folds.",
      "Accuracy is reference-judged (a rubric-accepted answer the reference rejects counts as wrong); cost is",
      "against always calling claude-3.5-sonnet on the same prompts; `per fold` is the min–max over the folds;",
      "frontier calls are calls to gpt-4o and claude-3.5-sonnet; `*` marks the accuracy–cost frontier.",
      "costAwareRouting prices: each model's mean cost per call on the training prompts (demo/cost.ts).",
      "",
      "**The demo's ladder (every rung gets full feedback):**",
      "",
      policyTable(full),
      "",
      '**The same ladder with `feedbackMode: "none"` on the two frontier rungs** (the recorded answers were made',
      "without feedback, so here cost and accuracy are both what those calls would be; with full feedback",
      "replay bills the feedback tokens but cannot show what they buy):",
      "",
      policyTable(quiet),
    ].join("\n"),
    targets: [
      `a learned policy out of sample ≥ 93.8 % reference-judged at ≤ 15 % of always-top, the demo's ladder: ${describe(fullBest)} (${verdictWord(fullBest !== undefined)}); most accurate learned at ≤ 15 %: ${describe(closest(full))}; static reference: ${describe(closest(full, false))}`,
      `the same with no feedback to the frontier rungs: ${describe(quietBest)} (${verdictWord(quietBest !== undefined)}); most accurate learned at ≤ 15 %: ${describe(closest(quiet))}; static reference: ${describe(closest(quiet, false))}`,
    ],
  };
}
