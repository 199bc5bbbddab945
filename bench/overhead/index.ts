import { fileURLToPath } from "node:url";
import { runChild } from "../lib/child.js";
import type { Measurement } from "../lib/measure.js";
import { type BenchReport, verdictWord } from "../lib/report.js";
import { fmt, fmtSpread } from "../lib/stats.js";
import { markdownTable } from "../lib/table.js";

/** Row descriptions, kept here so this module never imports a peer (the root type-check reaches it). */
const rows = [
  ["rungs-retry", "rungs", "retryWithContext, one-rule rubric, maxAttempts 6", "none (attempts never sleep)"],
  ["rungs-escalate", "rungs", "escalateAcross, ladder of 6, one-rule rubric", "none (attempts never sleep)"],
  ["baseline", "plain loop (floor)", "for loop, 6 attempts, same check", "none"],
  [
    "p-retry",
    "p-retry",
    "pRetry, retries 5, other options default",
    "minTimeout 0 (p-retry then sets no timer)",
  ],
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
    "generateText + MockLanguageModelV3, maxRetries 5; case B fails with retryable APICallErrors",
    "2 s doubling, not configurable; setTimeout stubbed",
  ],
] as const;

type RowId = (typeof rows)[number][0];
type Result = Measurement & { peakRssMb: number };

const worker = fileURLToPath(new URL("./worker.ts", import.meta.url));

/** Per-attempt overhead: the extra cost of case B (6 calls) over case A (1 call), per extra attempt. */
const perAttempt = (a: number, b: number) => (b - a) / 5;

/**
 * Runs every row for cases A and B, each in its own process, and reports µs per call, per extra attempt,
 * and peak RSS, with the per-attempt targets checked against p-retry and LangChain from the same run.
 */
export async function runOverhead(only?: readonly string[]): Promise<BenchReport> {
  const results = new Map<string, Result>();
  const selected = rows.filter(([id]) => only === undefined || only.includes(id));
  for (const [id] of selected) {
    for (const caseId of ["A", "B"] as const) {
      process.stderr.write(`overhead: ${id} case ${caseId}\n`);
      results.set(`${id}/${caseId}`, await runChild<Result>(worker, [id, caseId]));
    }
  }
  const get = (id: RowId, caseId: "A" | "B") => results.get(`${id}/${caseId}`);

  const table = markdownTable(
    [
      "library",
      "mechanism",
      "case",
      "µs/call, median (min–max)",
      "CPU µs/call, median",
      "calls × reps",
      "peak RSS MB",
      "sleep between retries",
    ],
    selected.flatMap(([id, library, mechanism, sleep]) =>
      (["A", "B"] as const).map((caseId) => {
        const r = get(id, caseId)!;
        return [
          library,
          mechanism,
          caseId,
          fmtSpread(r.microsPerCall),
          fmt(r.cpuMicrosPerCall.median),
          `${r.callsPerRepetition} × ${r.repetitions}`,
          fmt(r.peakRssMb, 0),
          sleep,
        ];
      }),
    ),
  );

  const attemptRows = selected.map(([id, library, mechanism]) => {
    const a = get(id, "A")!;
    const b = get(id, "B")!;
    return {
      id,
      label: `${library}: ${mechanism.split(",")[0]}`,
      call: a.microsPerCall.median,
      wall: perAttempt(a.microsPerCall.median, b.microsPerCall.median),
      cpu: perAttempt(a.cpuMicrosPerCall.median, b.cpuMicrosPerCall.median),
    };
  });
  const attemptTable = markdownTable(
    ["row", "µs per call (case A)", "µs per extra attempt ((B − A) / 5)", "CPU µs per extra attempt"],
    attemptRows.map((r) => [r.label, fmt(r.call), fmt(r.wall), fmt(r.cpu)]),
  );

  const targets: string[] = [];
  const byId = new Map(attemptRows.map((r) => [r.id, r]));
  const rungsRetry = byId.get("rungs-retry");
  const rungsEscalate = byId.get("rungs-escalate");
  const compare = (mine: typeof rungsRetry, peer: typeof rungsRetry, factor: number, name: string) => {
    if (mine === undefined || peer === undefined) return;
    const limit = peer.wall * factor;
    const limitCpu = peer.cpu * factor;
    targets.push(
      `${mine.label} per attempt ≤ ${factor === 1 ? "" : `${factor} × `}${name}: wall ${fmt(mine.wall)} µs vs ${fmt(limit)} µs (${verdictWord(mine.wall <= limit)}); CPU ${fmt(mine.cpu)} µs vs ${fmt(limitCpu)} µs (${verdictWord(mine.cpu <= limitCpu)})`,
    );
  };
  compare(rungsRetry, byId.get("p-retry"), 1, "p-retry (default options, minTimeout 0)");
  compare(rungsRetry, byId.get("langchain-retry"), 0.1, "LangChain withRetry");
  compare(rungsEscalate, byId.get("langchain-fallbacks"), 0.1, "LangChain withFallbacks");

  return {
    title: "Overhead per call and per attempt (zero-cost model)",
    markdown: [
      table,
      "",
      "Per extra attempt: the cost of case B (six model calls, five rejected) over case A (one call), divided by",
      "the five extra attempts; taken from the medians above.",
      "",
      attemptTable,
    ].join("\n"),
    targets,
  };
}
