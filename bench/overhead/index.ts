import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runChild } from "../lib/child.js";
import { coldImport, type ImportTiming } from "../lib/cold-import.js";
import { ensureBuilt } from "../lib/ensure-built.js";
import type { Measurement } from "../lib/measure.js";
import { type BenchReport, verdictWord } from "../lib/report.js";
import { fmt, type Spread, spread } from "../lib/stats.js";
import { markdownTable } from "../lib/table.js";

type CaseId = "A" | "B" | "C";

/** Row descriptions, kept here so this module never imports a peer (the root type-check reaches it). */
const rows: readonly (readonly [
  id: string,
  library: string,
  mechanism: string,
  sleep: string,
  cases?: CaseId[],
])[] = [
  ["rungs-retry", "rungs", "retryWithContext, one-rule rubric, maxAttempts 6", "none (attempts never sleep)"],
  ["rungs-escalate", "rungs", "escalateAcross, ladder of 6, one-rule rubric", "none (attempts never sleep)"],
  ["baseline", "hand-written loop (floor)", "for loop of 6, try/catch around the same check", "none"],
  ["p-retry", "p-retry", "pRetry, retries 5, minTimeout 0, other options default", "none (minTimeout 0)"],
  ["p-retry-all", "p-retry", "pRetry with all nine options given (minTimeout 0)", "none (minTimeout 0)"],
  [
    "cockatiel-retry",
    "cockatiel",
    "retry(handleAll, maxAttempts 5)",
    "ConstantBackoff(0); setTimeout stubbed",
  ],
  [
    "cockatiel-retry-fallback",
    "cockatiel",
    "wrap(fallback, retry 4): 5 tries, then a fallback call",
    "ConstantBackoff(0); setTimeout stubbed",
  ],
  [
    "langchain-retry",
    "@langchain/core",
    "RunnableLambda.withRetry({ stopAfterAttempt: 6 })",
    "hard-coded 1–2 s doubling; setTimeout stubbed",
  ],
  [
    "langchain-fallbacks",
    "@langchain/core",
    "RunnableLambda.withFallbacks, ladder of 6",
    "none (fallbacks do not sleep); setTimeout stubbed",
  ],
  [
    "ai-sdk",
    "ai (Vercel AI SDK)",
    "generateText + MockLanguageModelV3, maxRetries 5 (retryable APICallErrors)",
    "2 s doubling, not configurable; setTimeout stubbed",
    ["A", "B"],
  ],
];

/** Cold imports measured: every rungs subpath (from dist/) and each peer's entry (from bench/node_modules). */
const imports: readonly (readonly [label: string, specifier: string])[] = [
  ["rungs", "index"],
  ["rungs/testing", "testing"],
  ["rungs/ollama", "ollama"],
  ["rungs/ai-sdk", "ai-sdk"],
  ["rungs/ifeval", "ifeval"],
  ["rungs/vitest", "vitest"],
  ["p-retry", "p-retry"],
  ["cockatiel", "cockatiel"],
  ["@langchain/core/runnables", "@langchain/core/runnables"],
  ["ai", "ai"],
];

type Result = Measurement & { peakRssMb: number };

const benchDir = fileURLToPath(new URL("..", import.meta.url));
const repoDir = fileURLToPath(new URL("../..", import.meta.url));
const worker = fileURLToPath(new URL("./worker.ts", import.meta.url));

/** Processes per row and case, and per cold import; medians are taken over them. */
const processes = Number(process.env.BENCH_PROCESSES ?? 3);
const importProcesses = Number(process.env.BENCH_IMPORT_PROCESSES ?? 9);

/** Medians of one row and case over its processes. */
interface Summary {
  wall: Spread;
  cpu: Spread;
  calls: number;
  rss: number;
}

const summarize = (runs: readonly Result[]): Summary => ({
  wall: spread(runs.map((r) => r.microsPerCall.median)),
  cpu: spread(runs.map((r) => r.cpuMicrosPerCall.median)),
  calls: runs[0]?.callsPerRepetition ?? 0,
  rss: Math.max(...runs.map((r) => r.peakRssMb)),
});

/**
 * Runs every row for each of its cases in `processes` processes each (interleaved, so load drift touches
 * every row alike), then the cold imports; reports medians and checks the targets of issue 17.
 */
export async function runOverhead(only?: readonly string[]): Promise<BenchReport> {
  ensureBuilt("overhead");
  const selected = rows.filter(([id]) => only === undefined || only.includes(id));
  const runs = new Map<string, Result[]>();
  for (let p = 1; p <= processes; p += 1) {
    for (const [id, , , , cases] of selected) {
      for (const caseId of cases ?? (["A", "B", "C"] as const)) {
        process.stderr.write(`overhead: ${id} case ${caseId} (process ${p}/${processes})\n`);
        const result = await runChild<Result>(worker, [id, caseId]);
        runs.set(`${id}/${caseId}`, [...(runs.get(`${id}/${caseId}`) ?? []), result]);
      }
    }
  }
  const get = (id: string, caseId: CaseId): Summary | undefined => {
    const list = runs.get(`${id}/${caseId}`);
    return list === undefined ? undefined : summarize(list);
  };

  const detail = markdownTable(
    [
      "library",
      "mechanism",
      "case",
      "µs/call (wall), median (min–max)",
      "CPU µs/call, median (min–max)",
      "calls/rep",
      "peak RSS MB",
      "sleep between retries",
    ],
    selected.flatMap(([id, library, mechanism, sleep, cases]) =>
      (cases ?? (["A", "B", "C"] as const)).map((caseId) => {
        const s = get(id, caseId)!;
        return [
          library,
          mechanism,
          caseId,
          `${fmt(s.wall.median)} (${fmt(s.wall.min)}–${fmt(s.wall.max)})`,
          `${fmt(s.cpu.median)} (${fmt(s.cpu.min)}–${fmt(s.cpu.max)})`,
          String(s.calls),
          fmt(s.rss, 0),
          sleep,
        ];
      }),
    ),
  );

  /** Extra CPU of case `c` over case A, per failed attempt (five in B and C). */
  const perFailure = (id: string, c: CaseId) => {
    const a = get(id, "A");
    const x = get(id, c);
    return a === undefined || x === undefined ? undefined : (x.cpu.median - a.cpu.median) / 5;
  };
  const summaryRows = selected.map(([id, library, mechanism]) => ({
    id,
    label: `${library}: ${mechanism.split(",")[0]}`,
    wall: get(id, "A")?.wall.median,
    cpu: get(id, "A")?.cpu.median,
    thrown: perFailure(id, "B"),
    rejected: perFailure(id, "C"),
  }));
  const cell = (v: number | undefined) => (v === undefined ? "—" : fmt(v));
  const summary = markdownTable(
    [
      "row",
      "ok first try: µs/call (wall)",
      "ok first try: CPU µs/call",
      "CPU µs per failed attempt, thrown ((B − A) / 5)",
      "CPU µs per failed attempt, rejected ((C − A) / 5)",
    ],
    summaryRows.map((r) => [r.label, cell(r.wall), cell(r.cpu), cell(r.thrown), cell(r.rejected)]),
  );

  const timings = new Map<string, ImportTiming[]>();
  for (let p = 1; p <= importProcesses; p += 1) {
    for (const [label, target] of imports) {
      const specifier = label.startsWith("rungs")
        ? pathToFileURL(join(repoDir, `dist/${target}.js`)).href
        : target;
      try {
        timings.set(label, [...(timings.get(label) ?? []), coldImport(specifier, benchDir)]);
      } catch (error) {
        if (p === 1)
          process.stderr.write(
            `overhead: import ${label} failed: ${(error as Error).message.split("\n")[0]}\n`,
          );
      }
    }
  }
  const importOf = (label: string) => {
    const list = timings.get(label);
    return list === undefined
      ? undefined
      : { wall: spread(list.map((t) => t.ms)), cpu: spread(list.map((t) => t.cpuMs)), n: list.length };
  };
  const pRetryImport = importOf("p-retry");
  const importTable = markdownTable(
    ["import", "wall ms, median (min–max)", "CPU ms, median", "× p-retry (wall)", "processes"],
    imports.map(([label]) => {
      const t = importOf(label);
      if (t === undefined) return [label, "failed (see stderr)", "—", "—", "0"];
      return [
        label,
        `${fmt(t.wall.median)} (${fmt(t.wall.min)}–${fmt(t.wall.max)})`,
        fmt(t.cpu.median),
        pRetryImport === undefined ? "—" : `${fmt(t.wall.median / pRetryImport.wall.median)}×`,
        String(t.n),
      ];
    }),
  );

  const targets: string[] = [];
  const byId = new Map(summaryRows.map((r) => [r.id, r]));
  const pRetry = byId.get("p-retry");
  const floor = byId.get("baseline");
  for (const id of ["rungs-retry", "rungs-escalate"]) {
    const mine = byId.get(id);
    if (mine === undefined) continue;
    if (
      pRetry?.cpu !== undefined &&
      mine.cpu !== undefined &&
      pRetry.wall !== undefined &&
      mine.wall !== undefined
    ) {
      targets.push(
        `${mine.label}, ok first try ≤ p-retry (default options): CPU ${fmt(mine.cpu)} vs ${fmt(pRetry.cpu)} µs/call (${verdictWord(mine.cpu <= pRetry.cpu)}); wall ${fmt(mine.wall)} vs ${fmt(pRetry.wall)} µs/call (${verdictWord(mine.wall <= pRetry.wall)})`,
      );
    }
    for (const [kind, key] of [
      ["thrown", "thrown"],
      ["rejected", "rejected"],
    ] as const) {
      const own = mine[key];
      const limit = floor?.[key];
      if (own === undefined || limit === undefined) continue;
      targets.push(
        `${mine.label}, CPU per failed attempt (${kind}) ≤ 2 × the hand-written loop: ${fmt(own)} vs 2 × ${fmt(limit)} = ${fmt(2 * limit)} µs (${verdictWord(own <= 2 * limit)})`,
      );
    }
  }
  const rungsImport = importOf("rungs");
  if (rungsImport !== undefined && pRetryImport !== undefined) {
    const ms = rungsImport.wall.median;
    const ratio = ms / pRetryImport.wall.median;
    targets.push(
      `cold import("rungs") ≤ 20 ms: ${fmt(ms)} ms wall, ${fmt(rungsImport.cpu.median)} ms CPU (${verdictWord(ms <= 20)})`,
      `cold import("rungs") ≤ 6 × p-retry's: ${fmt(ratio)}× (${fmt(ms)} vs ${fmt(pRetryImport.wall.median)} ms) (${verdictWord(ratio <= 6)})`,
    );
  }

  return {
    title: "Overhead per call and per attempt (zero-cost model), and cold imports",
    markdown: [
      `Medians over ${processes} processes per row and case (each process: its median of 3 repetitions after a warm-up).`,
      "Case A: the first output passes. Case B: the model throws on five calls, the sixth answers. Case C: the",
      "check rejects five outputs, the sixth passes. rungs runs the check as a one-rule synchronous rubric; the",
      "peers and the hand-written loop run it as a function that throws when the output fails.",
      "",
      summary,
      "",
      "Every row and case:",
      "",
      detail,
      "",
      `Cold imports: one \`import()\` in a fresh \`node\` (no loader), medians over ${importProcesses} processes; rungs from`,
      "dist/ (built first when older than src/), peers from bench/node_modules.",
      "",
      importTable,
    ].join("\n"),
    targets,
  };
}
