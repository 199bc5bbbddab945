/**
 * `npm run demo`: rungs' main job on real input. Replays the recorded IFEval responses of eight models
 * through an escalation ladder (see demo/ladder.ts), prints the tables, and writes the run records and
 * results.json to the run directory. `--live` runs the same pipeline against an Ollama server.
 *
 *   npm run demo
 *   npm run demo -- --iterations 3 --learn
 *   npm run demo -- --learn --folds 5
 *   npm run demo -- --live [--host URL] [--models a,b,c] [--limit N]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { jsonFileStatsStore } from "../src/index.js";
import { writeFileAtomicSync } from "../src/record/atomic-write.js";
import { pricesById } from "./cost.js";
import { loadIfeval } from "./data.js";
import { costAwarePolicy, crossValidate, minAcceptRatePolicy, plainPolicy, withoutPolicy } from "./folds.js";
import { policyTable } from "./folds-report.js";
import { type ReplayLadderResult, runReplayLadder } from "./ladder.js";
import { runLive } from "./live.js";
import { progressBar } from "./progress.js";
import { iterationsTable, report } from "./report.js";

const usage = `Usage: npm run demo -- [options]

  --limit N          only the first N prompts (default: all 541)
  --concurrency N    prompts judged at once (default: 8)
  --out DIR          run directory for records and results.json (default: runs/demo-<timestamp>)
  --iterations N     run the same task mix N times (default: 1)
  --learn            share one stats store across iterations: rungs learn per task class, blocked tasks are blocked
  --folds N          with --learn: N-fold cross-validation instead (learn on N-1 folds, run the held-out one;
                     out-of-sample figures per policy; see docs/demo.md)
  --live             run against an Ollama server instead of replaying recorded responses
  --host URL         Ollama server (default: $OLLAMA_HOST or http://127.0.0.1:11434)
  --models a,b,c     Ollama models for the live ladder, cheapest first (default: qwen2.5:0.5b,qwen2.5:1.5b,qwen2.5:3b)
  -h, --help         this help`;

/** A problem the user can fix: printed without a stack trace. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

function positiveInt(
  name: string,
  value: string | undefined,
  fallback: number | undefined,
): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number of at least 1 (got "${value}").`);
  return n;
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
  const { values } = parsed;
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const limit = positiveInt("limit", values.limit, undefined);
  const concurrency = positiveInt("concurrency", values.concurrency, 8)!;
  const iterations = positiveInt("iterations", values.iterations, 1)!;
  const out =
    values.out ?? join("runs", `demo-${new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19)}`);
  const folds = positiveInt("folds", values.folds, undefined);
  if (folds !== undefined) {
    if (values.learn !== true || values.live === true || values.iterations !== undefined)
      throw new UsageError(`--folds goes with --learn only (not --live or --iterations).\n\n${usage}`);
    if (folds < 2) throw new UsageError(`--folds must be at least 2 (got ${folds}).`);
    return runFolds(folds, limit);
  }

  if (values.live === true) {
    const models = values.models
      ?.split(",")
      .map((m) => m.trim())
      .filter((m) => m !== "");
    return runLive({
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(models === undefined ? {} : { models }),
      limit: limit ?? 20,
      concurrency: Math.min(concurrency, 2),
      out,
    });
  }

  const store = values.learn === true ? jsonFileStatsStore(join(out, "stats.json")) : undefined;
  const results: ReplayLadderResult[] = [];
  for (let i = 1; i <= iterations; i += 1) {
    const recordDir = iterations === 1 ? out : join(out, `iteration-${i}`);
    const bar = progressBar(iterations === 1 ? "ladder" : `iteration ${i}/${iterations}`);
    try {
      results.push(
        await runReplayLadder({
          ...(limit === undefined ? {} : { limit }),
          concurrency,
          recordDir,
          ...(store === undefined ? {} : { store }),
          singles: i === 1,
          onProgress: bar.update,
        }),
      );
    } finally {
      bar.stop();
    }
    writeFileAtomicSync(join(recordDir, "results.json"), `${JSON.stringify(results.at(-1), null, 2)}\n`);
    // The demo's prices by model id, so `rungs view` shows what each rung cost (docs/viewer.md).
    writeFileAtomicSync(join(recordDir, "prices.json"), `${JSON.stringify(pricesById(), null, 2)}\n`);
  }
  await store?.flush();

  const first = results[0]!;
  if (iterations > 1) process.stdout.write("# Iteration 1\n\n");
  process.stdout.write(`${report(first, out)}\n`);
  if (iterations > 1) {
    process.stdout.write(
      `\n## The same ${first.prompts} prompts, ${iterations} times${store === undefined ? " (no --learn: nothing carries over)" : ", one stats store (taskClass = instruction kinds)"}\n\n${iterationsTable(results)}\n`,
    );
    writeFileAtomicSync(
      join(out, "iterations.json"),
      `${JSON.stringify(
        results.map((r) => ({ ...r, outcomes: undefined })),
        null,
        2,
      )}\n`,
    );
  }
  const seconds = results.reduce((sum, r) => sum + r.durationMs, 0) / 1000;
  process.stdout.write(`\nDone in ${seconds.toFixed(1)} s.\n`);
  const views =
    iterations === 1
      ? [`npm run view -- ${out}`]
      : [
          `npm run view -- ${join(out, "iteration-1")}`,
          `npm run view -- --compare ${join(out, "iteration-1")} ${join(out, `iteration-${iterations}`)}`,
        ];
  process.stdout.write(
    `\nLook at the run in a browser (one HTML file, docs/viewer.md):\n${views.map((v) => `  ${v}`).join("\n")}\n`,
  );
  return 0;
}

/** `--learn --folds N`: out-of-sample figures of the learned ladders (demo/folds.ts). */
async function runFolds(folds: number, limit: number | undefined): Promise<number> {
  const started = performance.now();
  const all = loadIfeval();
  const data = limit === undefined ? all : { ...all, prompts: all.prompts.slice(0, limit) };
  const plain = plainPolicy;
  const policies = [plain, minAcceptRatePolicy, costAwarePolicy(0.025), costAwarePolicy(0.06)];
  const quietPolicies = [plain, withoutPolicy(["gpt-4o"]), costAwarePolicy(0.03)];
  const bar = progressBar("policies");
  let done = 0;
  let results: Awaited<ReturnType<typeof crossValidate>>;
  let quiet: Awaited<ReturnType<typeof crossValidate>>;
  const total = policies.length + quietPolicies.length;
  const tick = () => {
    done += 1;
    bar.update(done, total);
  };
  try {
    results = await crossValidate({ data, policies, folds, onPolicy: tick });
    quiet = await crossValidate({
      data,
      policies: quietPolicies,
      folds,
      frontierFeedback: "none",
      onPolicy: tick,
    });
  } finally {
    bar.stop();
  }
  process.stdout.write(
    `${[
      `rungs demo: learned ladders out of sample. ${data.prompts.length} IFEval prompts in ${folds} folds (seed 20,`,
      `stratified by task class); each policy learns on ${folds - 1} folds and runs the ladder on the held-out one`,
      "with the store frozen, summed over the folds. Accuracy: reference-judged; cost against always calling",
      "claude-3.5-sonnet on the same prompts; per fold: min–max; * marks the accuracy–cost frontier.",
      "",
      policyTable(results),
      "",
      'The same ladder with feedbackMode: "none" on the two frontier rungs (the recorded answers were made without',
      "feedback, so there cost and accuracy are both what those calls would be):",
      "",
      policyTable(quiet),
      "",
      "The whole sweep: npm run bench -- routing (docs/benchmarks.md, Routing).",
      "",
      `Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
    ].join("\n")}\n`,
  );
  return 0;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      limit: { type: "string" },
      concurrency: { type: "string" },
      out: { type: "string" },
      iterations: { type: "string" },
      learn: { type: "boolean" },
      folds: { type: "string" },
      live: { type: "boolean" },
      host: { type: "string" },
      models: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    // Anything else is a bug in the demo: keep the stack.
    process.stderr.write(
      `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
