import { fileURLToPath } from "node:url";
import { loadIfeval } from "../../demo/data.js";
import { runChild } from "../lib/child.js";
import { ensureBuilt } from "../lib/ensure-built.js";
import type { Measurement } from "../lib/measure.js";
import type { BenchReport } from "../lib/report.js";
import { fmt, fmtSpread, quantile, spread } from "../lib/stats.js";
import { markdownTable } from "../lib/table.js";
import { deltaRows, deltasPerCall } from "./overhead-rows.js";
import {
  type Pace,
  type PromptRun,
  promptsWithPrefixRules,
  type ReplayMode,
  replayStreams,
} from "./replay.js";

/** 50 tokens/s: a hosted model's typical output rate, and a mid-size local one's. */
const pace: Pace = { msPerToken: 20 };
const modes: readonly (readonly [ReplayMode, string])[] = [
  ["generate", "`generate` (no stream)"],
  ["live", "`stream`, live"],
  ["accepted-only", "`stream`, accepted-only"],
];
/** Processes per overhead row; medians are taken over them. */
const processes = Number(process.env.BENCH_PROCESSES ?? 3);
const worker = fileURLToPath(new URL("./overhead-worker.ts", import.meta.url));

type DeltaResult = Measurement & { deltas: number; peakRssMb: number };

const ms = (x: number) => fmt(x, 0);
/** "median / p90" of a list of virtual ms, or a dash when empty. */
const medianP90 = (values: readonly number[]) =>
  values.length === 0 ? "—" : `${ms(quantile(values, 0.5))} / ${ms(quantile(values, 0.9))}`;
const defined = (values: readonly (number | undefined)[]) =>
  values.filter((v): v is number => v !== undefined);
const sum = (runs: readonly PromptRun[], pick: (run: PromptRun) => number) =>
  runs.reduce((total, run) => total + pick(run), 0);

/**
 * The IFEval replay ladder streamed (bench/streaming/replay.ts) in each mode, then rungs' CPU cost per delta
 * against iterating the provider's stream directly (bench/streaming/overhead-worker.ts, one process per row
 * and round, rows interleaved).
 */
export async function runStreaming(): Promise<BenchReport> {
  const data = loadIfeval();
  const n = data.prompts.length;
  const withPrefixRules = promptsWithPrefixRules(data.prompts);
  const results = new Map<ReplayMode, PromptRun[]>();
  for (const [mode] of modes) {
    process.stderr.write(`streaming: replaying ${n} prompts, ${mode}\n`);
    results.set(mode, await replayStreams(data, mode, pace));
  }
  const baseline = results.get("generate")!;
  const rungOf = new Map(baseline.map((run) => [run.key, run.rung]));

  const latency = markdownTable(
    [
      "",
      "first token, ms (median / p90)",
      "first accepted token, ms (median / p90)",
      "answer complete, ms (median / p90)",
      "prompts answered",
      "same rung as `generate`",
    ],
    modes.map(([mode, label]) => {
      const runs = results.get(mode)!;
      return [
        label,
        medianP90(defined(runs.map((r) => r.firstTokenMs))),
        medianP90(defined(runs.map((r) => r.firstAcceptedMs))),
        medianP90(defined(runs.map((r) => r.answerMs))),
        `${runs.filter((r) => r.rung !== undefined).length} / ${n}`,
        `${runs.filter((r) => r.rung === rungOf.get(r.key)).length} / ${n}`,
      ];
    }),
  );

  const tokenRows = modes.map(([mode, label]) => {
    const runs = results.get(mode)!;
    const sent = sum(runs, (r) => r.tokensSent);
    const saved = sum(runs, (r) => r.tokensSaved);
    return {
      mode,
      cells: [
        label,
        fmt(
          sum(runs, (r) => r.attempts),
          0,
        ),
        fmt(
          sum(runs, (r) => r.stoppedEarly),
          0,
        ),
        fmt(
          sum(runs, (r) => r.cancelled),
          0,
        ),
        fmt(sent, 0),
        fmt(
          sum(runs, (r) => r.tokensDiscarded),
          0,
        ),
        fmt(saved, 0),
        `${fmt(sent + saved === 0 ? 0 : (100 * saved) / (sent + saved), 1)} %`,
      ],
      saved,
      sent,
    };
  });
  const tokens = markdownTable(
    [
      "",
      "attempts",
      "stopped early",
      "provider streams cancelled",
      "output tokens streamed",
      "of which rejected (live: shown, then discarded)",
      "saved by early stops",
      "saved, % of the attempts' whole answers",
    ],
    tokenRows.map((row) => row.cells),
  );
  const lag = Math.max(...[...results.values()].flat().map((r) => r.lagMs));
  // An early stop only cuts an answer short: streamed + saved is every attempt's whole answer, as generate sent.
  const whole = tokenRows[0]!.sent;
  const balanced = tokenRows.every((row) => row.sent + row.saved === whole);

  ensureBuilt("streaming");
  const runs = new Map<string, DeltaResult[]>();
  for (let p = 1; p <= processes; p += 1) {
    for (const [id] of deltaRows) {
      process.stderr.write(`streaming: overhead row ${id} (process ${p}/${processes})\n`);
      const result = await runChild<DeltaResult>(worker, [id]);
      runs.set(id, [...(runs.get(id) ?? []), result]);
    }
  }
  const perDelta = (id: string) => {
    const list = runs.get(id)!;
    return {
      cpu: spread(list.map((r) => r.cpuMicrosPerCall.median / r.deltas)),
      wall: spread(list.map((r) => r.microsPerCall.median / r.deltas)),
    };
  };
  const floor = perDelta("provider");
  const overheadRows = deltaRows.map(([id, what]) => {
    const row = perDelta(id);
    return {
      id,
      what,
      row,
      extra: row.cpu.median - floor.cpu.median,
      ratio: row.cpu.median / floor.cpu.median,
    };
  });
  const overhead = markdownTable(
    [
      "row",
      "CPU µs per delta, median (min–max)",
      "× the provider's stream (CPU)",
      "rungs' extra CPU µs per delta",
      "wall µs per delta, median",
    ],
    overheadRows.map(({ what, row, extra, ratio }, i) => [
      what,
      fmtSpread(row.cpu, 3),
      i === 0 ? "1" : `${fmt(ratio, 1)}×`,
      i === 0 ? "—" : fmt(extra, 2),
      fmt(row.wall.median, 3),
    ]),
  );

  const live = tokenRows.find((row) => row.mode === "live")!;
  const ladder = overheadRows.find((row) => row.id === "ladder")!;
  const liveRuns = results.get("live")!;
  const acceptedOnly = results.get("accepted-only")!;
  return {
    title: "Streaming: the IFEval ladder replayed as streams, and rungs' overhead per delta",
    markdown: [
      `${n} IFEval prompts through the cascade bench's ladder (demo/ladder.ts: eight rungs, the same requests, the`,
      "IFEval rule pack, strict, as rubric), every rung a `defineModel` leaf with a `stream` function that sends",
      "that model's recorded response one o200k_base token per delta at 50 tokens/s (20 ms per token: the first",
      "token 20 ms after the call; no per-call latency, so a real provider's time to first token adds once per",
      "attempt to every row). Time is virtual (bench/streaming/virtual-time.ts): the clock jumps to the next",
      "token when nothing else is left to run, so the figures are exact, repeatable and independent of the",
      `machine. Prompts whose rubric can judge a prefix (a rule with \`checkPrefix\`): ${withPrefixRules} of ${n}.`,
      `Largest gap between a leaf sending a delta and the caller reading it: ${ms(lag)} ms.`,
      "",
      latency,
      "",
      "First accepted token: live, the accepted attempt's first delta (the rejected attempts before it were",
      "shown and discarded); accepted-only, the one delta of accepted text, after the attempt ended and was",
      "judged; `generate`, the answer. Medians over the prompts answered (exhausted prompts have none).",
      "",
      tokens,
      "",
      "Saved: the tokens a cancelled stream had not sent yet, of the recorded answer; the % is of every",
      "attempt's whole answer (streamed + saved). An early stop rejects only an answer the rubric would reject",
      "at its end, so every mode answers with the same rung.",
      `Streamed + saved equals the \`generate\` row's ${fmt(whole, 0)} tokens in every mode: ${balanced ? "yes" : "NO (an early stop changed which attempts ran)"}.`,
      "",
      `Overhead per delta: one call streams ${fmt(deltasPerCall, 0)} deltas (gpt-4o's recorded IFEval answers, one token each)`,
      "from an async generator with no I/O or timers; each row runs in its own process from the built package",
      `(dist/), CPU time (\`process.cpuUsage\`), median of 3 repetitions per process, medians over ${processes}`,
      "processes per row, rows interleaved.",
      "",
      overhead,
    ].join("\n"),
    targets: [
      `no target in issue 26 for time to first token: live ${medianP90(defined(liveRuns.map((r) => r.firstTokenMs)))} ms, first accepted token live ${medianP90(defined(liveRuns.map((r) => r.firstAcceptedMs)))} ms vs accepted-only ${medianP90(defined(acceptedOnly.map((r) => r.firstAcceptedMs)))} ms (median / p90)`,
      `no target for tokens saved: ${fmt(live.saved, 0)} output tokens saved by early stops, ${fmt(live.sent + live.saved === 0 ? 0 : (100 * live.saved) / (live.sent + live.saved), 1)} % (${withPrefixRules} of ${n} prompts have a rubric that judges prefixes)`,
      `no target for overhead per delta: escalateAcross([leaf]).stream() costs ${fmt(ladder.row.cpu.median, 2)} CPU µs per delta, ${fmt(ladder.ratio, 1)}× iterating the provider's stream (${fmt(ladder.extra, 2)} µs extra)`,
    ],
  };
}
