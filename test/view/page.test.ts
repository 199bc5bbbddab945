// The page `rungs view` writes, in a real browser (headless Chromium driven by playwright-core), on the run
// `npm run demo` records: no console errors, the figures of summary.json, filters, a task's climb in order,
// and a planted hostile answer that executes nothing. Also writes docs/viewer.png when
// RUNGS_VIEWER_SCREENSHOT=1 (docs/viewer.md).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pricesById } from "../../demo/cost.js";
import { runReplayLadder } from "../../demo/ladder.js";
import { cli } from "../cli/helpers.js";
import { chromiumHint, ensureChromium } from "../support/chromium.js";

const repo = resolve(fileURLToPath(import.meta.url), "../../..");
const executablePath = ensureChromium();
if (executablePath === undefined) {
  if (process.env.CI === "true") throw new Error(`The browser tests need Chromium in CI: ${chromiumHint}.`);
  process.stderr.write(`test/view/page.test.ts skipped: no Chromium (${chromiumHint}).\n`);
}

// Planted in one task's first answer and rule message: each would set the sentinel if it ever ran.
const hostile = [
  "</script><script>window.__rungsPwned = 'script'</script>",
  `<img src=x onerror="window.__rungsPwned = 'img'">`,
  `<svg onload="window.__rungsPwned = 'svg'"></svg>`,
  "<!-- <script>window.__rungsPwned = 'comment'</script>",
  "\u001b[31mred on a terminal\u001b[0m \u2028 \u2029 &amp; &lt;b&gt;",
].join("\n");
const plantedTask = "ifeval[1000]";

interface Summary {
  tasks: Record<string, { status: string }>;
  byModel: Record<
    string,
    { attempts: number; accepted: number; usage: { inputTokens?: number; outputTokens?: number } }
  >;
}

describe.skipIf(executablePath === undefined)("rungs view in a browser", () => {
  let dir: string;
  let other: string;
  let browser: Browser;
  let summary: Summary;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), "rungs-view-")), "demo-run");
    other = mkdtempSync(join(tmpdir(), "rungs-view-other-"));
    // The demo's run, as `npm run demo` records it (all 541 prompts, its prices), and a second run of the
    // same tasks without gpt-4o for --compare.
    await runReplayLadder({ recordDir: dir, singles: false });
    writeFileSync(join(dir, "prices.json"), JSON.stringify(pricesById()));
    await runReplayLadder({ recordDir: other, singles: false, without: ["gpt-4o"] });
    const record = JSON.parse(readFileSync(join(dir, plantedTask, "attempt_1.json"), "utf8"));
    record.verdict.results[0].message = hostile;
    record.futureField = hostile; // a field this version does not know: listed as a note, as text
    writeFileSync(join(dir, plantedTask, "attempt_1.json"), JSON.stringify(record));
    writeFileSync(join(dir, plantedTask, "attempt_1.txt"), hostile);
    summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    for (const args of [
      ["view", dir],
      ["view", "--compare", dir, other],
    ]) {
      const result = await cli(args, { cwd: repo });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
    }
    browser = await chromium.launch({ executablePath: executablePath!, args: ["--no-sandbox"] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(join(dir, ".."), { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }, 120_000); // closing Chromium and removing two runs of 541 tasks, on a loaded machine

  const open = async (file: string, hash = ""): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${pathToFileURL(file).href}${hash}`);
    return page;
  };
  const oneMatch = (page: Page) =>
    page.locator("[data-testid=match-count]").filter({ hasText: /^1$/ }).waitFor();
  const count = async (page: Page) =>
    Number((await page.textContent("[data-testid=match-count]"))!.replace(/,/g, ""));

  it("shows every task and summary.json's figures per rung, with no console error", async () => {
    const page = await open(join(dir, "view.html"));
    await page.waitForSelector("[data-testid=task-row]");
    const tasks = Object.keys(summary.tasks).length;
    expect(tasks).toBe(541);
    expect(await count(page)).toBe(tasks);
    expect(await page.textContent("[data-testid=task-total] .value")).toBe(tasks.toLocaleString("en-US"));
    const accepted = Object.values(summary.tasks).filter((t) => t.status === "accepted").length;
    expect(await page.textContent("[data-testid=outcome-accepted] .value")).toBe(String(accepted));
    const rows = await Promise.all(
      (await page.locator("[data-testid=rung-row]").all()).map((tr) => tr.locator("td").allTextContents()),
    );
    const number = (text: string | undefined) => Number((text ?? "").replace(/,/g, ""));
    const shown = Object.fromEntries(
      rows.map((cells) => [
        cells[1],
        {
          attempts: number(cells[2]),
          accepted: number(cells[3]),
          in: number(cells[5]),
          out: number(cells[6]),
        },
      ]),
    );
    const expected = Object.fromEntries(
      Object.entries(summary.byModel).map(([model, m]) => [
        model,
        {
          attempts: m.attempts,
          accepted: m.accepted,
          in: m.usage.inputTokens ?? 0,
          out: m.usage.outputTokens ?? 0,
        },
      ]),
    );
    expect(shown).toEqual(expected);
    expect(await page.$$("[data-testid=chart] canvas")).toHaveLength(3); // attempts, tokens, cost
    if (process.env.RUNGS_VIEWER_SCREENSHOT === "1")
      await page.screenshot({
        path: join(repo, "docs/viewer.png"),
        clip: { x: 0, y: 0, width: 1100, height: 800 },
      });
    await page.close();
    expect(errors).toEqual([]);
  });

  it("narrows the table with a filter and a search", async () => {
    const page = await open(join(dir, "view.html"));
    await page.waitForSelector("[data-testid=task-row]");
    const exhausted = Object.values(summary.tasks).filter((t) => t.status === "exhausted").length;
    expect(exhausted).toBeGreaterThan(0);
    await page.selectOption("[data-testid=filter-outcome]", "exhausted");
    expect(await count(page)).toBe(exhausted);
    const classes = await Promise.all(
      (await page.locator("[data-testid=task-row]").all()).map((tr) => tr.getAttribute("class")),
    );
    expect(classes).toEqual(Array(Math.min(exhausted, 100)).fill("outcome-exhausted"));
    await page.selectOption("[data-testid=filter-outcome]", "");
    await page.fill("[data-testid=search]", plantedTask);
    await oneMatch(page);
    expect(await page.textContent("[data-testid=task-row] td.name")).toBe(plantedTask);
    await page.close();
    expect(errors).toEqual([]);
  });

  it("shows a task's attempts in record order, and runs nothing planted in them", async () => {
    const page = await open(join(dir, "view.html"));
    await page.fill("[data-testid=search]", plantedTask);
    await oneMatch(page);
    await page.click("[data-testid=task-row]");
    await page.waitForSelector("[data-testid=attempt]");
    const files = readdirSync(join(dir, plantedTask)).filter((f) => /^attempt_\d+\.json$/.test(f));
    const models = files
      .map((f) => Number(/\d+/.exec(f)![0]))
      .sort((a, b) => a - b)
      .map((n) => JSON.parse(readFileSync(join(dir, plantedTask, `attempt_${n}.json`), "utf8")).modelId);
    expect(files.length).toBeGreaterThan(1);
    const shown = await Promise.all(
      (await page.locator("[data-testid=attempt]").all()).map(async (li) => [
        await li.getAttribute("data-n"),
        await li.locator(".attempt-head .model").textContent(),
      ]),
    );
    expect(shown).toEqual(models.map((model, i) => [String(i + 1), model]));
    // Open everything the planted text reaches: its diff and the next attempt's feedback.
    for (const summaryElement of await page.$$("details > summary")) await summaryElement.click();
    await page.waitForSelector("[data-testid=diff]");
    expect(await page.textContent("[data-testid=answer] >> nth=0")).toBe(
      hostile.split("\u001b").join("\u241b"),
    );
    expect(await page.evaluate(() => typeof (globalThis as Record<string, unknown>).__rungsPwned)).toBe(
      "undefined",
    );
    // Nothing of it became an element: the page's only scripts are its own, and it has no image or svg.
    expect(await page.$$("img, svg, iframe, object, embed")).toHaveLength(0);
    expect(await page.$$("script:not([type='application/json'])")).toHaveLength(1);
    await page.close();
    expect(errors).toEqual([]);
  });

  it("compares two runs of the same tasks", async () => {
    const page = await open(join(dir, "compare.html"));
    await page.waitForSelector("[data-testid=compare-table]");
    const b: Summary = JSON.parse(readFileSync(join(other, "summary.json"), "utf8"));
    const changed = Object.entries(summary.tasks).filter(
      ([name, t]) => b.tasks[name]?.status !== t.status,
    ).length;
    expect(changed).toBeGreaterThan(0);
    expect(await page.textContent("[data-testid=changed-count]")).toMatch(
      new RegExp(`^${changed} task\\(s\\) changed outcome`),
    );
    expect(await page.$$("[data-testid=chart] canvas")).toHaveLength(2);
    await page.close();
    expect(errors).toEqual([]);
  });
});
