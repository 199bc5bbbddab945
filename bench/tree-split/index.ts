import { fileURLToPath } from "node:url";
import { runChild } from "../lib/child.js";
import { type BenchReport, verdictWord } from "../lib/report.js";
import { fmt } from "../lib/stats.js";
import { markdownTable } from "../lib/table.js";

/** Settings, chosen so the whole bench stays near ten seconds on a 2-core machine (see docs/benchmarks.md). */
export const treeSplitSettings = {
  sizes: [10_000, 100_000, 1_000_000, 10_000_000],
  latencyMs: 20,
  budgetChars: 8_000,
  concurrency: 4,
  noteChars: 200,
} as const;

interface Run {
  inputChars: number;
  calls: number;
  shards: number;
  reduces: number;
  depth: number;
  traceCalls: number;
  truncatedChars: number;
  levels: number[];
  wallMs: number;
  bareMs: number;
  cpuMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

const worker = fileURLToPath(new URL("./worker.ts", import.meta.url));

/** The critical path: each level waits for its slowest wave; a level of n calls runs ⌈n / concurrency⌉ waves. */
const boundMs = (levels: readonly number[], concurrency: number, latencyMs: number) =>
  levels.reduce((sum, n) => sum + Math.ceil(n / concurrency) * latencyMs, 0);

/**
 * treeSplit over inputs of 10 KB to 10 MB with a fixed-latency model on real timers: calls against
 * shards + reduces + 1, wall time against the critical-path bound, peak RSS. Each size in its own process.
 */
export async function runTreeSplit(): Promise<BenchReport> {
  const s = treeSplitSettings;
  const runs: Run[] = [];
  for (const size of s.sizes) {
    process.stderr.write(`tree-split: ${size} chars\n`);
    runs.push(
      await runChild<Run>(worker, [size, s.latencyMs, s.budgetChars, s.concurrency, s.noteChars].map(String)),
    );
  }
  const rows = runs.map((r) => {
    const bound = boundMs(r.levels, s.concurrency, s.latencyMs);
    return { ...r, bound, expected: r.shards + r.reduces + 1, extraRss: r.peakRssMb - r.rssBeforeMb };
  });
  const table = markdownTable(
    [
      "input chars",
      "shards",
      "reduces (levels)",
      "model calls",
      "shards + reduces + 1",
      "calls per level",
      "wall ms",
      "critical-path bound ms",
      "wall / bound",
      "bare pool ms",
      "wall / bare pool",
      "CPU ms",
      "peak RSS MB",
      "RSS before call MB",
    ],
    rows.map((r) => [
      fmt(r.inputChars, 0),
      fmt(r.shards, 0),
      `${r.reduces} (${r.depth})`,
      fmt(r.calls, 0),
      r.shards === 0 ? "1 (fits: passed through)" : fmt(r.expected, 0),
      r.levels.join(" → "),
      fmt(r.wallMs, 0),
      fmt(r.bound, 0),
      fmt(r.wallMs / r.bound),
      fmt(r.bareMs, 0),
      fmt(r.wallMs / r.bareMs),
      fmt(r.cpuMs, 0),
      fmt(r.peakRssMb, 0),
      fmt(r.rssBeforeMb, 0),
    ]),
  );

  const callsExact = rows.every(
    (r) => r.calls === (r.shards === 0 ? 1 : r.expected) && r.calls === r.traceCalls,
  );
  const worst = rows.reduce((a, b) => (b.wallMs / b.bound > a.wallMs / a.bound ? b : a));
  const [, , mid, big] = rows;
  const targets = [
    `calls exactly shards + reduces + 1 at every size: ${rows.map((r) => `${r.calls}/${r.shards === 0 ? 1 : r.expected}`).join(", ")} (${verdictWord(callsExact)})`,
    `wall time ≤ 1.2 × critical-path bound: worst ${fmt(worst.wallMs / worst.bound)}× at ${fmt(worst.inputChars, 0)} chars (${verdictWord(rows.every((r) => r.wallMs <= 1.2 * r.bound))}); against the bare pool on the same machine in the same run: ${rows.map((r) => `${fmt(r.wallMs / r.bareMs)}×`).join(", ")}`,
  ];
  if (mid !== undefined && big !== undefined) {
    // Growth exponent of the RSS a call adds (peak − RSS before the call) from 1 MB to 10 MB: ≤ 1 is linear or better.
    const slope =
      Math.log(Math.max(big.extraRss, 1) / Math.max(mid.extraRss, 1)) /
      Math.log(big.inputChars / mid.inputChars);
    targets.push(
      `peak RSS grows no faster than the input: RSS added by the call ${fmt(mid.extraRss, 0)} MB at 1 MB, ${fmt(big.extraRss, 0)} MB at 10 MB — growth exponent ${fmt(slope)} (≤ 1 is linear or better; ${verdictWord(slope <= 1)}); peak RSS ${fmt(runs[0]!.peakRssMb, 0)} → ${fmt(big.peakRssMb, 0)} MB for 1000× the input`,
    );
  }
  return {
    title: "Tree-split scaling (fixed-latency model, real timers)",
    markdown: [
      `Model: \`defineModel\` that sleeps ${s.latencyMs} ms (real timers) and returns ${s.noteChars} chars of notes;`,
      `\`treeSplit(model, { promptLimit: { chars: ${s.budgetChars} }, concurrency: ${s.concurrency} })\`; input: recorded gpt-4o`,
      "IFEval answers concatenated to size. Critical-path bound = Σ over levels (map, each reduce, answer) of",
      `⌈calls in the level / ${s.concurrency}⌉ × ${s.latencyMs} ms. Bare pool: the same calls per level through a`,
      "bare `p-limit` pool with the same sleep, in the same process right after — what this machine's timers",
      "and scheduler deliver without treeSplit. CPU ms: the process's CPU time during the call. Each size runs in",
      "its own process, after one untimed 10 KB warm-up split.",
      "",
      table,
    ].join("\n"),
    targets,
  };
}
