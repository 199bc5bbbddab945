import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defineRubric, nonEmpty, RungsEvents, recordRun, retryWithContext } from "../../../src/index.js";
import { scriptedModel } from "../../../src/testing/index.js";
import { useTempDirs } from "../../support/temp-dirs.js";
import { cli } from "../helpers.js";

const tempDir = useTempDirs("cli-view");

async function recordedRun(): Promise<string> {
  const dir = join(tempDir(), "run");
  const events = new RungsEvents();
  const recorder = recordRun(events, dir);
  const model = retryWithContext(scriptedModel("m", ["", "answer <b>bold</b>"]), {
    rubric: defineRubric({ id: "r", rules: [nonEmpty()] }),
    maxAttempts: 2,
  });
  await model.generate({ prompt: "p" }, { events });
  await recorder.close();
  return dir;
}

describe("rungs view", () => {
  it("writes RUN_DIR/view.html by default, or --out, with the run inline", async () => {
    const dir = await recordedRun();
    const result = await cli(["view", dir], { cwd: tempDir() });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(
      new RegExp(`^Wrote ${join(dir, "view.html").replace(/[[\]\\.]/g, "\\$&")} \\(1 tasks, `),
    );
    const page = readFileSync(join(dir, "view.html"), "utf8");
    expect(page).toContain("answer \\u003cb\\u003ebold\\u003c/b\\u003e");
    const out = join(tempDir(), "nested", "page.html");
    expect((await cli(["view", dir, "--out", out], { cwd: tempDir() })).code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it("compares two runs into A/compare.html", async () => {
    const [a, b] = [await recordedRun(), await recordedRun()];
    const result = await cli(["view", "--compare", a, b], { cwd: tempDir() });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(readFileSync(join(a, "compare.html"), "utf8")).toContain('"mode":"compare"');
  });

  it("reads prices from --prices or the run's prices.json, and refuses a bad one with exit code 2", async () => {
    const dir = await recordedRun();
    writeFileSync(
      join(dir, "prices.json"),
      JSON.stringify({ m: { inputPerMillion: 1, outputPerMillion: 1 } }),
    );
    expect((await cli(["view", dir], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, "view.html"), "utf8")).toContain('"pricesFrom":"prices.json in the run"');
    writeFileSync(join(dir, "bad.json"), "[]");
    const bad = await cli(["view", dir, "--prices", "bad.json"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json is not \{ "<model id>"/);
  });

  it("says what to pass when the arguments are wrong or the directory holds no run", async () => {
    const empty = tempDir();
    expect(await cli(["view", empty], { cwd: empty })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/No attempt records .* pass the directory that recordRun/),
    });
    expect(await cli(["view", "--compare", empty], { cwd: empty })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--compare takes two run directories \(got 1\)/),
    });
    expect(await cli(["view", empty, empty], { cwd: empty })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /takes one run directory \(got 2\); for two runs side by side: rungs view --compare/,
      ),
    });
  });
});
