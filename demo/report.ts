/** The demo's tables, as Markdown pipe tables (they read in a terminal and paste into docs as they are). */
import type { ReplayLadderResult } from "./ladder.js";

const percent = (x: number): string => `${(x * 100).toFixed(1)} %`;
const dollars = (x: number): string => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;
const integer = (x: number): string => x.toLocaleString("en-US");

/** A Markdown table with padded columns; the first column left-aligned, the others right-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** Per rung: calls, prompts accepted there, cumulative accuracy, tokens and cost. */
export function rungTable(result: ReplayLadderResult): string {
  return table(
    [
      "rung",
      "calls",
      "accepted here",
      "cumulative (rubric)",
      "cumulative (reference)",
      "tokens in",
      "tokens out",
      "cost",
    ],
    result.rungs.map((r, i) => [
      `${i + 1}. ${r.model}`,
      integer(r.calls),
      integer(r.acceptedHere),
      percent(r.cumulativeRubric),
      percent(r.cumulativeReference),
      integer(r.inputTokens),
      integer(r.outputTokens),
      dollars(r.costUsd),
    ]),
  );
}

/** The ladder against every single model, judged by the rubric and by the reference verdicts. */
export function accuracyTable(result: ReplayLadderResult): string {
  const { ladder } = result;
  return table(
    ["", "rubric-judged", "reference-judged"],
    [
      ["**the ladder**", percent(ladder.rubricAccuracy), `**${percent(ladder.referenceAccuracy)}**`],
      ...result.singles.map((s) => [
        `${s.model} alone`,
        s.rubric === undefined ? "-" : percent(s.rubric),
        percent(s.reference),
      ]),
    ],
  );
}

/** The ladder's cost against always calling the top model. */
export function costTable(result: ReplayLadderResult): string {
  const { ladder, topModel, prompts } = result;
  return table(
    ["", "calls", "calls per prompt", "tokens in", "tokens out", "cost"],
    [
      [
        "the ladder",
        integer(ladder.calls),
        `${ladder.callsPerPrompt.toFixed(2)} (max ${ladder.maxCallsPerPrompt})`,
        integer(ladder.inputTokens),
        integer(ladder.outputTokens),
        dollars(ladder.costUsd),
      ],
      [
        `always ${topModel.model}`,
        integer(prompts),
        "1.00",
        integer(topModel.inputTokens),
        integer(topModel.outputTokens),
        dollars(topModel.costUsd),
      ],
    ],
  );
}

/** The whole report of one replay run. */
export function report(result: ReplayLadderResult, recordDir?: string): string {
  const { ladder, topModel } = result;
  const saving = topModel.costUsd === 0 ? 0 : 1 - ladder.costUsd / topModel.costUsd;
  const bestSingle = Math.max(...result.singles.map((s) => s.reference));
  return [
    `rungs demo: an escalation ladder over ${result.prompts} IFEval prompts, replaying real recorded responses,`,
    "each judged by the IFEval rule pack (strict); reference = Google's evaluator's recorded verdicts.",
    "",
    "## Per rung",
    "",
    rungTable(result),
    "",
    "## Accuracy (prompt-level, strict; a rubric-accepted answer the reference rejects counts as wrong)",
    "",
    accuracyTable(result),
    "",
    `The ladder: ${percent(ladder.referenceAccuracy)} by the reference, ${(
      (ladder.referenceAccuracy - bestSingle) * 100
    ).toFixed(
      1,
    )} points above the best single model; ${ladder.falseAccepts} false accepts, ${ladder.exhausted} prompts exhausted every rung.`,
    "",
    "## Cost (tokens: o200k_base; prices: docs/pricing.md)",
    "",
    costTable(result),
    "",
    `The ladder costs ${percent(1 - saving)} of always calling ${topModel.model} (${percent(saving)} saved).`,
    "",
    "Replay cannot show feedback: each rung serves its recorded response whatever the feedback says.",
    "Run `npm run demo -- --live` against an Ollama server to see retries that carry the earlier failures.",
    ...(recordDir === undefined
      ? []
      : ["", `Records: ${recordDir} (attempt_N.txt/.json per prompt, summary.json, results.json)`]),
  ].join("\n");
}

/** The `--iterations` table: the same task mix run repeatedly with one stats store, side by side. */
export function iterationsTable(results: readonly ReplayLadderResult[]): string {
  const column = (f: (r: ReplayLadderResult) => string) => results.map(f);
  return table(
    ["", ...results.map((_, i) => `iteration ${i + 1}`)],
    [
      ["calls per prompt", ...column((r) => r.ladder.callsPerPrompt.toFixed(2))],
      ["calls to the top two rungs", ...column((r) => integer(r.ladder.topTwoCalls))],
      ["rungs skipped (learned)", ...column((r) => integer(r.ladder.skips))],
      ["tasks blocked (blocked before)", ...column((r) => integer(r.ladder.blocked))],
      ["accuracy (rubric)", ...column((r) => percent(r.ladder.rubricAccuracy))],
      ["accuracy (reference)", ...column((r) => percent(r.ladder.referenceAccuracy))],
      ["cost", ...column((r) => dollars(r.ladder.costUsd))],
    ],
  );
}
