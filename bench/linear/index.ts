// Linear time on hostile text: how long every public function that takes text, or parses what a model, a
// server, a store or a config file sends, takes from 25 K to 400 K characters, on ordinary prose and on a
// hostile corpus (./inputs.ts). The subjects are found from the export map and the CLI (./discover.ts,
// ./subjects.ts). A super-linear scan shows as a growth exponent near 2.

import type { BenchReport } from "../lib/report.js";
import { verdictWord } from "../lib/report.js";
import { fmt } from "../lib/stats.js";
import { markdownTable } from "../lib/table.js";
import { inputs } from "./inputs.js";
import { allSubjects, closeSubjects, type Subject } from "./subjects.js";

export { inputs };

// The growth exponent is fitted by least squares over log t against log n on the top four sizes, where the
// work dwarfs timer and GC noise; 25 K shows the small end.
const sizes = [25_000, 50_000, 100_000, 200_000, 400_000] as const;
const fitFrom = 1;

async function timeOnce(subject: Subject, text: string): Promise<number> {
  const started = performance.now();
  await subject.run(text);
  return performance.now() - started;
}

/**
 * Per-call ms: the fastest of up to 5 runs (small inputs repeat until 30 ms have passed). The fastest, not the
 * median: on a shared machine other processes only ever add time, and growth is what is measured.
 */
async function timeOf(subject: Subject, text: string): Promise<number> {
  await timeOnce(subject, text.slice(0, 1000)); // warm the JIT
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < 5 && (spent < 30 || samples.length < 3)) {
    const ms = await timeOnce(subject, text);
    samples.push(ms);
    spent += ms;
    if (ms > 1_000) break; // slow enough that one sample is enough
  }
  return Math.min(...samples);
}

/** The growth exponent k in t ∝ nᵏ: the least-squares slope of log t on log n. 1 is linear, 2 quadratic. */
function exponent(ms: readonly number[]): number {
  const points = ms
    .map((t, i) => [Math.log(sizes[i] as number), Math.log(Math.max(t, 0.01))] as const)
    .slice(fitFrom);
  if (points.some(([, y]) => !Number.isFinite(y))) return Number.POSITIVE_INFINITY;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return num / den;
}

/** The significant slowest: under this at 400 K chars, growth is dominated by timer and GC noise. */
const significantMs = 20;

export async function runLinear(): Promise<BenchReport> {
  const only = process.env.RUNGS_LINEAR_ONLY;
  const rows: string[][] = [];
  const flagged: string[] = [];
  const confirmed: string[] = [];
  let worst = { exponent: 0, where: "" };
  let measured = 0;
  const texts = new Map<string, string>();
  const textOf = (kind: string, n: number): string => {
    const key = `${kind}@${n}`;
    let text = texts.get(key);
    if (text === undefined) {
      text = (inputs[kind] as (n: number) => string)(n);
      texts.set(key, text);
    }
    return text;
  };
  const subjects: Subject[] = allSubjects();
  for (const subject of subjects) {
    if (only !== undefined && !subject.name.includes(only)) continue;
    measured += 1;
    // The worst input for this subject: the steepest growth among inputs slow enough to measure.
    let row: { kind: string; ms: number[]; exp: number } | undefined;
    let proseMs: number[] = [];
    for (const kind of Object.keys(inputs)) {
      const ms: number[] = [];
      for (const n of sizes) {
        const t = await timeOf(subject, textOf(kind, n));
        ms.push(t);
        if (t > 10_000) break; // super-linear: stop before the largest size takes hours
      }
      while (ms.length < sizes.length) ms.push(Number.POSITIVE_INFINITY);
      let exp = exponent(ms);
      const top = ms[sizes.length - 1] as number;
      if (top >= significantMs && exp > 1.3 && Number.isFinite(top)) {
        // On a shared machine a GC pause or another process can bend four points: confirm over a second,
        // doubled set of sizes and keep the lower fit (a real quadratic is steep in both).
        const again: number[] = [];
        for (const n of sizes) again.push(await timeOf(subject, textOf(kind, n * 2)));
        exp = Math.min(exp, exponent(again));
        confirmed.push(
          `${subject.name} on ${kind}: first fit ${fmt(exponent(ms), 2)}, over 2× sizes ${fmt(exponent(again), 2)}`,
        );
      }
      if (kind === "prose") proseMs = ms;
      const rank = (r: { ms: number[]; exp: number }) =>
        (r.ms[sizes.length - 1] as number) >= significantMs
          ? r.exp
          : -1 + (r.ms[sizes.length - 1] as number) / 1e6;
      const candidate = { kind, ms, exp };
      if (row === undefined || rank(candidate) > rank(row)) row = candidate;
      if (top >= significantMs && exp > 1.3) flagged.push(`${subject.name} on ${kind}: k = ${fmt(exp, 2)}`);
    }
    if (row === undefined) continue;
    const significant = (row.ms[sizes.length - 1] as number) >= significantMs;
    if (significant && row.exp > worst.exponent)
      worst = { exponent: row.exp, where: `${subject.name} on ${row.kind}` };
    rows.push([
      subject.name,
      proseMs.map((t) => fmt(t)).join(" / "),
      row.kind,
      row.ms.map((t) => (Number.isFinite(t) ? fmt(t) : "—")).join(" / "),
      Number.isFinite(row.exp) ? `${fmt(row.exp, 2)}${significant ? "" : " (noise)"}` : "> 2",
    ]);
    process.stderr.write(`linear: ${subject.name} done (${row.kind}, k = ${fmt(row.exp, 2)})\n`);
  }
  await closeSubjects();
  const sizeLabel = sizes.map((n) => `${n / 1000} K`).join(" / ");
  const markdown = [
    markdownTable(
      [
        "subject (export — what it is given)",
        `prose: ms at ${sizeLabel} chars`,
        "steepest input",
        `its ms at ${sizeLabel}`,
        "growth exponent k (fit 50 K → 400 K)",
      ],
      rows,
    ),
    "",
    `${measured} subjects, discovered from package.json#exports and the \`rungs\` command (bench/linear/discover.ts; bench/linear/subjects.ts says how each is given text, or why it takes none). Inputs: ${Object.keys(inputs).join(", ")}. Each cell is the fastest of up to 5 runs (the machine is shared: other work only adds time). The growth exponent k is the least-squares slope of log t against log n over 50 K, 100 K, 200 K and 400 K chars: 1 is linear, 2 quadratic. The steepest input is the one with the largest k among those taking at least ${significantMs} ms at 400 K; a row marked (noise) has no such input (everything under ${significantMs} ms: a quadratic scan would take seconds there).`,
    ...(confirmed.length === 0
      ? []
      : ["", "Re-measured (first fit over 1.3):", ...confirmed.map((line) => `- ${line}`)]),
    ...(flagged.length === 0
      ? []
      : ["", "Over 1.3 after re-measuring:", ...flagged.map((line) => `- ${line}`)]),
  ].join("\n");
  return {
    title: "Linear time on hostile text (25 K → 400 K chars)",
    markdown,
    targets: [
      `every subject's growth exponent ≤ 1.3 on every input taking ${significantMs} ms or more at 400 K chars: worst ${fmt(worst.exponent, 2)} (${worst.where || "none"}) — ${verdictWord(worst.exponent <= 1.3)}`,
    ],
  };
}
