// `rungs view` at scale: the demo's run (541 tasks) and the same tasks copied to 10,279, each written with
// the CLI and opened in headless Chromium (Debian's chromium, playwright-core): time to write the page, its
// size, time until the task table shows, and the time a filter, a search and opening a task take.

import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Page } from "playwright-core";
import { pricesById } from "../../demo/cost.js";
import { runReplayLadder } from "../../demo/ladder.js";
import { runCli } from "../../src/cli/program.js";
import type { BenchReport } from "../lib/report.js";
import { verdictWord } from "../lib/report.js";
import { fmt, fmtSpread, spread } from "../lib/stats.js";
import { markdownTable } from "../lib/table.js";

const loads = 5;
const copies = 19; // 541 × 19 = 10,279 tasks

interface Row {
  tasks: number;
  writeMs: number;
  pageMb: number;
  loadMs: number[];
  filterMs: number[];
  searchMs: number[];
  openMs: number[];
}

async function writeView(dir: string): Promise<number> {
  const started = performance.now();
  let err = "";
  const code = await runCli(["view", dir], {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (err += text) },
    env: {},
    cwd: dir,
  });
  if (code !== 0) throw new Error(`rungs view ${dir} failed (${code}): ${err}`);
  return performance.now() - started;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

async function measure(page: Page, file: string, row: Row, firstTask: string): Promise<void> {
  const count = page.locator("[data-testid=match-count]");
  for (let i = 0; i < loads; i += 1) {
    row.loadMs.push(
      await timed(async () => {
        await page.goto(pathToFileURL(file).href);
        await page.locator("[data-testid=task-row]").first().waitFor();
      }),
    );
    const all = (await count.textContent()) ?? "";
    row.filterMs.push(
      await timed(async () => {
        await page.selectOption("[data-testid=filter-outcome]", "exhausted");
        await count.filter({ hasNotText: new RegExp(`^${all}$`) }).waitFor();
      }),
    );
    await page.selectOption("[data-testid=filter-outcome]", "");
    // The first search reads every task's block: the slowest search there is.
    row.searchMs.push(
      await timed(async () => {
        await page.fill("[data-testid=search]", firstTask);
        await count.filter({ hasText: /^1$/ }).waitFor();
      }),
    );
    row.openMs.push(
      await timed(async () => {
        await page.click("[data-testid=task-row]");
        await page.locator("[data-testid=attempt]").first().waitFor();
      }),
    );
  }
}

export async function runView(): Promise<BenchReport> {
  const executablePath = process.env.RUNGS_CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(executablePath))
    throw new Error(
      `bench view needs Chromium at ${executablePath}: apt-get install -y chromium (or set RUNGS_CHROMIUM)`,
    );
  const root = mkdtempSync(join(tmpdir(), "rungs-bench-view-"));
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
  const rows: Row[] = [];
  try {
    const demo = join(root, "demo");
    await runReplayLadder({ recordDir: demo, singles: false });
    writeFileSync(join(demo, "prices.json"), JSON.stringify(pricesById()));
    const big = join(root, "big");
    const tasks = readdirSync(demo).filter((name) => statSync(join(demo, name)).isDirectory());
    for (let k = 1; k <= copies; k += 1)
      for (const task of tasks) cpSync(join(demo, task), join(big, `${task}~${k}`), { recursive: true });
    cpSync(join(demo, "prices.json"), join(big, "prices.json"));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const [dir, n, first] of [
      [demo, tasks.length, "ifeval[1000]"],
      [big, tasks.length * copies, "ifeval[1000]~7"],
    ] as const) {
      const row: Row = {
        tasks: n,
        writeMs: await writeView(dir),
        pageMb: 0,
        loadMs: [],
        filterMs: [],
        searchMs: [],
        openMs: [],
      };
      row.pageMb = statSync(join(dir, "view.html")).size / 1024 / 1024;
      await measure(page, join(dir, "view.html"), row, first);
      rows.push(row);
    }
  } finally {
    await browser.close();
    rmSync(root, { recursive: true, force: true });
  }
  const [small, large] = rows as [Row, Row];
  const ms = (values: number[]) => fmtSpread(spread(values), 0);
  const markdown = markdownTable(
    [
      "tasks",
      "write page (ms)",
      "page (MB)",
      "load to table (ms)",
      "filter (ms)",
      "first search (ms)",
      "open a task (ms)",
    ],
    rows.map((r) => [
      r.tasks.toLocaleString("en-US"),
      fmt(r.writeMs, 0),
      fmt(r.pageMb, 1),
      ms(r.loadMs),
      ms(r.filterMs),
      ms(r.searchMs),
      ms(r.openMs),
    ]),
  );
  const worst = (r: Row) =>
    Math.max(spread(r.filterMs).median, spread(r.searchMs).median, spread(r.openMs).median);
  return {
    title: "rungs view: opening and using the page (headless Chromium)",
    markdown: `${markdown}\n\nMedian (min–max) of ${loads} loads; times from the driving process, so each includes a DevTools round trip. The 10,279 tasks are the demo's 541 copied ${copies} times, without the run's summary.json (figures counted from the records).`,
    targets: [
      `the demo's ${small.tasks} tasks open in under 2 s: median ${fmt(spread(small.loadMs).median, 0)} ms — ${verdictWord(spread(small.loadMs).median < 2000)}`,
      `${large.tasks.toLocaleString("en-US")} tasks stay usable: the table shows in under 10 s (median ${fmt(spread(large.loadMs).median, 0)} ms) and a filter, the first search and opening a task take under 1 s (slowest median ${fmt(worst(large), 0)} ms) — ${verdictWord(spread(large.loadMs).median < 10_000 && worst(large) < 1000)}`,
    ],
  };
}
