// The per-file temp dir check (test/setup/temp-dir.ts, wired in vitest.config.ts) really fails a file that
// leaves a rungs-* entry behind: vitest runs two fixture files in a child process with it as the setup
// file — one leaking a directory, one removing its own — and only the tidy one passes. Neither leaves
// anything in the temp dir.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

interface JsonReport {
  testResults: Array<{ name: string; status: string; message: string }>;
}

describe("the per-file temp dir check", () => {
  it("fails a file that leaves a rungs-* entry, passes a tidy one, and removes both files' temp dirs", () => {
    const before = readdirSync(tmpdir());
    const outputFile = join(tmpdir(), "report.json");
    const child = spawnSync(
      process.execPath,
      [
        "node_modules/vitest/vitest.mjs",
        "run",
        "--config",
        "test/reliability/fixtures/temp-dir/temp-dir.config.ts",
        "--reporter=json",
        `--outputFile=${outputFile}`,
      ],
      { cwd: process.cwd(), encoding: "utf8", timeout: 120_000, env: { ...process.env, CI: "1" } },
    );
    expect(child.status, child.stderr).toBe(1);
    const report = JSON.parse(readFileSync(outputFile, "utf8")) as JsonReport;
    const byFile = Object.fromEntries(
      report.testResults.map((r) => [r.name.split("/").pop(), { status: r.status, message: r.message }]),
    );
    expect(byFile["tidy.fixture.ts"]?.status).toBe("passed");
    expect(byFile["leak.fixture.ts"]?.status).toBe("failed");
    expect(byFile["leak.fixture.ts"]?.message).toMatch(
      /left 1 entry in the temp dir: rungs-leak-\w+\. Remove/,
    );
    // The child's per-file temp dirs (inside this file's own, its TMPDIR) are gone, the leak with them.
    expect(readdirSync(tmpdir()).filter((name) => !before.includes(name))).toEqual(["report.json"]);
  }, 120_000);

  it("is wired into the project's vitest config", () => {
    const config = readFileSync("vitest.config.ts", "utf8");
    expect(config).toMatch(/setupFiles:\s*\[[^\]]*"test\/setup\/temp-dir\.ts"[^\]]*\]/);
  });
});
