import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import pLimit from "p-limit";
import { attemptView } from "./attempt-view.js";
import type { AttemptView, Outcome, RungFigures, RunView, TaskDetail, TaskRow } from "./data.js";
import { rebuildFeedback } from "./feedback.js";
import { arr, type Json, num, obj, str } from "./fields.js";
import { costOf, type Prices } from "./prices.js";
import { RunReadError } from "./run-read-error.js";

/** Options of {@link readRun}. */
export interface ReadRunOptions {
  /** Prices by model id, for the cost figures. @default none: no cost is shown */
  prices?: Prices;
  /** Where the prices came from, in words (shown on the page). */
  pricesFrom?: string;
  /** Most attempt records read; more is a mistake (pointing at `/`). @default 500_000 */
  maxRecords?: number;
}

/** A run as read: the page's figures and table, and each task's climb (same order as `view.tasks`). */
export interface ReadRun {
  view: RunView;
  details: TaskDetail[];
}

const recordName = /^attempt_(\d+)\.json$/;
const outcomes: readonly Outcome[] = ["accepted", "exhausted", "blocked", "unfinished"];

/**
 * Reads a run directory that `recordRun` or `rungs run --record` wrote: every `attempt_N.json` (with its
 * `attempt_N.txt`) beneath it, grouped by directory into tasks, and every `summary.json` for outcomes and
 * totals. Tolerant: a missing or unknown field, a record that is not JSON, a missing summary (a killed run)
 * become warnings or notes on the page, never a failure.
 * @throws RunReadError when `dir` is not a readable directory, holds no attempt record, or holds more than
 *   `maxRecords`.
 */
export async function readRun(dir: string, options: ReadRunOptions = {}): Promise<ReadRun> {
  const root = resolve(dir);
  const maxRecords = options.maxRecords ?? 500_000;
  let entries: Dirent[];
  try {
    if (!(await stat(root)).isDirectory())
      throw new RunReadError(root, `${root} is a file: pass the run directory that holds it.`);
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (RunReadError.isInstance(error)) throw error;
    throw new RunReadError(
      root,
      `Cannot read the run directory ${root}: ${(error as Error).message}. Pass the directory that recordRun or \`rungs run --record\` wrote.`,
      { cause: error },
    );
  }
  const byDir = new Map<string, number[]>();
  const summaryDirs: string[] = [];
  let records = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const rel = relative(root, entry.parentPath);
    if (entry.name === "summary.json") summaryDirs.push(rel);
    const match = recordName.exec(entry.name);
    if (match === null) continue;
    records += 1;
    if (records > maxRecords) {
      throw new RunReadError(
        root,
        `${root} holds over ${maxRecords} attempt records: point rungs view at one run's directory.`,
      );
    }
    const list = byDir.get(rel) ?? [];
    list.push(Number(match[1]));
    byDir.set(rel, list);
  }

  const warnings: string[] = [];
  const readJson = async (file: string): Promise<unknown> => {
    try {
      return JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      warnings.push(`${relative(root, file)}: ${(error as Error).message}`);
      return undefined;
    }
  };
  const summaries = new Map<string, Json>();
  await Promise.all(
    summaryDirs.map(async (rel) => {
      const summary = obj(await readJson(join(root, rel, "summary.json")));
      if (summary !== undefined) summaries.set(rel, summary);
    }),
  );
  // A task's status as the summary of its own or an enclosing directory lists it (`tasks[name].status`).
  const statusOf = new Map<string, Outcome>();
  for (const [rel, summary] of summaries) {
    for (const [name, line] of Object.entries(obj(summary.tasks) ?? {})) {
      const status = str(obj(line)?.status);
      if (status !== undefined && (outcomes as string[]).includes(status))
        statusOf.set(join(rel, name), status as Outcome);
    }
  }

  if (byDir.size === 0 && statusOf.size === 0) {
    throw new RunReadError(
      root,
      `No attempt records (attempt_N.json) in ${root}: pass the directory that recordRun or \`rungs run --record\` wrote.`,
    );
  }
  // Tasks with records, and those a summary lists without any (a blocked task's run makes no attempt).
  const names = [...new Set([...byDir.keys(), ...statusOf.keys()])].sort(naturalOrder);
  const limit = pLimit(16);
  const read = await Promise.all(
    names.map((rel) => limit(() => readTask(root, rel, byDir.get(rel) ?? [], summaries.get(rel), readJson))),
  );

  const prices = options.prices;
  const priceOf = (modelId: string) =>
    prices !== undefined && Object.hasOwn(prices, modelId) ? prices[modelId] : undefined;
  const tasks: TaskRow[] = [];
  const details: TaskDetail[] = [];
  const counted = new Map<string, RungFigures>();
  let calls = 0;
  for (const [id, task] of read.entries()) {
    const name = names[id] === "" ? "." : names[id]!;
    const accepted = task.attempts.filter((a) => a.accepted).at(-1);
    const outcome =
      statusOf.get(names[id]!) ?? task.outcome ?? (accepted === undefined ? "unfinished" : "accepted");
    let inputTokens = 0;
    let outputTokens = 0;
    let durationMs = 0;
    let cost: number | undefined = 0;
    for (const attempt of task.attempts) {
      inputTokens += attempt.inputTokens ?? 0;
      outputTokens += attempt.outputTokens ?? 0;
      durationMs += attempt.durationMs ?? 0;
      const price = priceOf(attempt.modelId);
      if (price !== undefined) {
        attempt.costUsd = costOf(price, attempt.inputTokens ?? 0, attempt.outputTokens ?? 0);
        if (cost !== undefined) cost += attempt.costUsd;
      } else cost = undefined;
      if (attempt.unfinished === true) continue; // no outcome, tokens or time yet; shown in the task's climb
      const figures = counted.get(attempt.modelId) ?? emptyFigures(attempt.modelId);
      counted.set(attempt.modelId, figures);
      figures.attempts += 1;
      if (attempt.accepted) figures.accepted += 1;
      figures.inputTokens += attempt.inputTokens ?? 0;
      figures.outputTokens += attempt.outputTokens ?? 0;
      figures.durationMs += attempt.durationMs ?? 0;
      if (attempt.rung !== undefined) figures.rung = Math.min(figures.rung ?? attempt.rung, attempt.rung);
      calls += 1; // without summary.json's counts: one per ended attempt record
    }
    const failedRules = [
      ...new Set(task.attempts.flatMap((a) => a.rules.filter((r) => !r.pass).map((r) => r.ruleId))),
    ];
    const row: TaskRow = {
      id,
      name,
      outcome,
      attempts: task.attempts.length,
      failedRules,
      inputTokens,
      outputTokens,
      durationMs,
    };
    if (accepted !== undefined) {
      row.answeredBy = accepted.modelId;
      if (accepted.rung !== undefined) row.answeredRung = accepted.rung;
    }
    if (cost !== undefined && task.attempts.length > 0) row.costUsd = cost;
    tasks.push(row);
    details.push({ name, attempts: task.attempts, events: task.events });
  }

  const top = summaries.get("");
  const fromSummary = top !== undefined && obj(top.byModel) !== undefined;
  const rungs = fromSummary ? figuresFromSummary(obj(top.byModel)!, counted) : [...counted.values()];
  rungs.sort(
    (x, y) =>
      (x.rung ?? Number.MAX_SAFE_INTEGER) - (y.rung ?? Number.MAX_SAFE_INTEGER) ||
      naturalOrder(x.modelId, y.modelId),
  );
  const unpriced: string[] = [];
  let costUsd: number | undefined = prices === undefined ? undefined : 0;
  for (const figures of rungs) {
    const price = priceOf(figures.modelId);
    if (price === undefined) {
      if (prices !== undefined) unpriced.push(figures.modelId);
      costUsd = undefined;
      continue;
    }
    figures.costUsd = costOf(price, figures.inputTokens, figures.outputTokens);
    if (costUsd !== undefined) costUsd += figures.costUsd;
  }

  const counts = obj(top?.counts);
  const sum = (key: "attempts" | "accepted" | "inputTokens" | "outputTokens") =>
    rungs.reduce((total, r) => total + r[key], 0);
  const byKind: Record<string, number> = {};
  for (const [kind, n] of Object.entries(obj(top?.byKind) ?? {}))
    if (num(n) !== undefined) byKind[kind] = num(n)!;
  if (top === undefined || obj(top.byKind) === undefined) {
    for (const detail of details)
      for (const a of detail.attempts)
        if (!a.accepted) byKind[a.kind ?? "failed"] = (byKind[a.kind ?? "failed"] ?? 0) + 1;
  }
  if (top === undefined)
    warnings.unshift(
      "No summary.json at the run's root (a run still going, or killed): the figures are counted from the attempt records.",
    );
  const times = details.flatMap((d) => d.attempts.map((a) => a.startedAt)).filter((t) => t !== undefined);
  const view: RunView = {
    format: 1,
    title: basename(root),
    dir: root,
    source: fromSummary ? "summary" : "records",
    outcomes: { accepted: 0, exhausted: 0, blocked: 0, unfinished: 0 },
    attempts: fromSummary ? (num(top.attempts) ?? sum("attempts")) : sum("attempts"),
    accepted: fromSummary ? (num(top.accepted) ?? sum("accepted")) : sum("accepted"),
    calls: num(counts?.calls) ?? calls,
    inputTokens: sum("inputTokens"),
    outputTokens: sum("outputTokens"),
    unpriced,
    rungs,
    byKind,
    tasks,
    warnings,
  };
  for (const task of tasks) view.outcomes[task.outcome] += 1;
  const startedAt = num(top?.startedAt) ?? (times.length > 0 ? Math.min(...times) : undefined);
  const endedAt = num(top?.endedAt);
  if (startedAt !== undefined) view.startedAt = startedAt;
  if (endedAt !== undefined) view.endedAt = endedAt;
  if (costUsd !== undefined) view.costUsd = costUsd;
  if (options.pricesFrom !== undefined && prices !== undefined) view.pricesFrom = options.pricesFrom;
  return { view, details };
}

interface ReadTask {
  attempts: AttemptView[];
  events: string[];
  outcome?: Outcome;
}

async function readTask(
  root: string,
  rel: string,
  numbers: number[],
  summary: Json | undefined,
  readJson: (file: string) => Promise<unknown>,
): Promise<ReadTask> {
  const attempts: AttemptView[] = [];
  for (const n of numbers.sort((a, b) => a - b)) {
    const base = join(root, rel, `attempt_${n}`);
    const record = await readJson(`${base}.json`);
    let text: string | undefined;
    try {
      text = await readFile(`${base}.txt`, "utf8");
    } catch {
      text = undefined; // a run killed between the two writes, or the file removed: the page says "no answer file"
    }
    attempts.push(attemptView(n, record, text));
  }
  // The feedback each attempt carried, rebuilt from the failures before it in the same engine (same path).
  for (const [i, attempt] of attempts.entries()) {
    if (attempt.feedbackChars <= 0) continue;
    const feedback = rebuildFeedback(attempts.slice(0, i).filter((a) => a.path === attempt.path));
    if (feedback !== undefined) attempt.feedback = feedback;
  }
  const task: ReadTask = { attempts, events: [] };
  if (summary === undefined) return task;
  for (const value of arr(summary.skips)) {
    const s = obj(value) ?? {};
    task.events.push(
      `rung ${num(s.rung) ?? "?"} (${str(s.modelId) ?? "?"}) skipped: ${str(s.reason) ?? "?"}${str(s.detail) ? ` — ${str(s.detail)}` : ""}`,
    );
  }
  for (const value of arr(summary.exhausted)) {
    const e = obj(value) ?? {};
    task.events.push(
      `${str(e.path) ?? "the engine"} exhausted after ${num(e.attempts) ?? num(e.attemptCount) ?? "?"} attempt(s) (limit: ${str(e.limit) ?? "?"})`,
    );
  }
  for (const value of arr(summary.unfinished)) {
    const u = obj(value) ?? {};
    task.events.push(`${str(u.file) ?? "an attempt"} (${str(u.modelId) ?? "?"}) started and never ended`);
  }
  for (const value of arr(summary.blocked)) {
    const b = obj(value) ?? {};
    task.events.push(`refused: task ${str(b.taskId) ?? "?"} is blocked (exhausted in an earlier run)`);
  }
  // Without the run's summary line: blocked or exhausted as this directory's own summary recorded.
  if (arr(summary.blocked).length > 0) task.outcome = "blocked";
  else if (arr(summary.exhausted).length > 0) task.outcome = "exhausted";
  if (attempts.some((a) => a.accepted)) task.outcome = "accepted";
  return task;
}

function emptyFigures(modelId: string): RungFigures {
  return { modelId, attempts: 0, accepted: 0, inputTokens: 0, outputTokens: 0, durationMs: 0 };
}

/** summary.json's `byModel`, with the rung each model was seen at in the records. */
function figuresFromSummary(byModel: Json, counted: Map<string, RungFigures>): RungFigures[] {
  return Object.entries(byModel).map(([modelId, value]) => {
    const m = obj(value) ?? {};
    const usage = obj(m.usage) ?? {};
    const figures: RungFigures = {
      modelId,
      attempts: num(m.attempts) ?? 0,
      accepted: num(m.accepted) ?? 0,
      inputTokens: num(usage.inputTokens) ?? 0,
      outputTokens: num(usage.outputTokens) ?? 0,
      durationMs: num(m.durationMs) ?? 0,
    };
    const rung = counted.get(modelId)?.rung;
    if (rung !== undefined) figures.rung = rung;
    return figures;
  });
}

/** Names in reading order: `ifeval[9]` before `ifeval[10]`, path separators first. */
export function naturalOrder(a: string, b: string): number {
  return a.split(sep).join("\u0000").localeCompare(b.split(sep).join("\u0000"), "en", { numeric: true });
}
