import { dollars, priceOf, requestTokens, tokens } from "../../demo/cost.js";
import { loadIfeval } from "../../demo/data.js";
import { requestOf, runReplayLadder } from "../../demo/ladder.js";
import { rungTable } from "../../demo/report.js";
import { type BenchReport, verdictWord } from "../lib/report.js";
import { fmt } from "../lib/stats.js";
import { markdownTable } from "../lib/table.js";

const pct = (x: number) => `${fmt(100 * x, 1)} %`;
const usd = (x: number) => `$${x.toFixed(4)}`;

/**
 * The demo's IFEval replay ladder (demo/ladder.ts: eight rungs, the IFEval rule pack as rubric, through
 * `escalateAcross`) against each single model answering every prompt: reference-judged accuracy, tokens,
 * estimated cost (the demo's token counter and price table, demo/cost.ts) and calls per prompt.
 */
export async function runCascade(): Promise<BenchReport> {
  const data = loadIfeval();
  const result = await runReplayLadder({ data, singles: true });
  const n = result.prompts;
  const { ladder, topModel } = result;

  // A single model answers every prompt once: its tokens are every request plus every recorded answer.
  const singles = result.singles.map((single) => {
    const responses = data.responses.get(single.model)!;
    let inputTokens = 0;
    let outputTokens = 0;
    for (const prompt of data.prompts.slice(0, n)) {
      inputTokens += requestTokens(requestOf(prompt));
      outputTokens += tokens(responses.get(prompt.key) ?? "");
    }
    return {
      ...single,
      inputTokens,
      outputTokens,
      costUsd: dollars({ inputTokens, outputTokens }, priceOf(single.model)),
    };
  });
  const best = singles.reduce((a, b) => (b.reference > a.reference ? b : a));
  const costShare = ladder.costUsd / topModel.costUsd;

  const table = markdownTable(
    ["", "accuracy (reference, strict)", "input tokens", "output tokens", "est. cost", "calls per prompt"],
    [
      [
        "rungs ladder (escalateAcross, 8 rungs)",
        pct(ladder.referenceAccuracy),
        fmt(ladder.inputTokens, 0),
        fmt(ladder.outputTokens, 0),
        usd(ladder.costUsd),
        `${fmt(ladder.callsPerPrompt)} (max ${ladder.maxCallsPerPrompt})`,
      ],
      ...singles.map((s) => [
        `${s.model} alone`,
        pct(s.reference),
        fmt(s.inputTokens, 0),
        fmt(s.outputTokens, 0),
        usd(s.costUsd),
        "1",
      ]),
    ],
  );
  return {
    title: "Cascade: the IFEval replay ladder against single models",
    markdown: [
      `${n} IFEval prompts; each rung replays that model's recorded answer, judged by the IFEval rule pack`,
      "(strict) inside `escalateAcross`; the ladder's answer counts as correct only when the reference evaluator",
      "also accepts it (a rubric false accept counts as wrong). Tokens: o200k_base for every model; prices:",
      "demo/cost.ts (sources in docs/pricing.md).",
      `Ladder: ${ladder.falseAccepts} false accepts, ${ladder.exhausted} prompts exhausted, ${ladder.topTwoCalls} calls to the top two rungs.`,
      "",
      table,
      "",
      "Per rung of the ladder (demo/report.ts `rungTable`): where the calls, tokens and cost go.",
      "",
      rungTable(result),
    ].join("\n"),
    targets: [
      `reference-judged accuracy above the best single model: ladder ${pct(ladder.referenceAccuracy)} vs ${best.model} ${pct(best.reference)} (${verdictWord(ladder.referenceAccuracy > best.reference)})`,
      `cost ≤ 15 % of always calling the top model (${topModel.model}): ${usd(ladder.costUsd)} vs ${usd(topModel.costUsd)} = ${pct(costShare)} (${verdictWord(costShare <= 0.15)})`,
    ],
  };
}
