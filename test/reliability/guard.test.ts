// The global test guard (test/setup/guard.ts, wired in vitest.config.ts) really fails a run: vitest runs three
// fixture files in a child process with the guard as its setup file — one leaking an unhandled rejection, one
// exceeding an emitter's listener limit, one clean — and only the clean one passes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

interface JsonReport {
  testResults: Array<{ name: string; status: string; message: string }>;
}

describe("the global test guard", () => {
  it("fails a file that leaks an unhandled rejection or a MaxListenersExceededWarning, and passes a clean one", () => {
    const dir = mkdtempSync(join(tmpdir(), "rungs-guard-"));
    try {
      const outputFile = join(dir, "report.json");
      const child = spawnSync(
        process.execPath,
        [
          "node_modules/vitest/vitest.mjs",
          "run",
          "--config",
          "test/reliability/fixtures/guard.config.ts",
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
      expect(byFile["clean.fixture.ts"]?.status).toBe("passed");
      expect(byFile["unhandled.fixture.ts"]?.status).toBe("failed");
      expect(byFile["unhandled.fixture.ts"]?.message).toMatch(
        /Test guard tripped:\nunhandled rejection: Error: guard-fixture: nobody handles this rejection/,
      );
      expect(byFile["max-listeners.fixture.ts"]?.status).toBe("failed");
      expect(byFile["max-listeners.fixture.ts"]?.message).toMatch(
        /Test guard tripped:\nMaxListenersExceededWarning: .*11 guard-fixture listeners/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("is wired into the project's vitest config", () => {
    const config = readFileSync("vitest.config.ts", "utf8");
    expect(config).toMatch(/setupFiles:\s*\[[^\]]*"test\/setup\/guard\.ts"[^\]]*\]/);
  });
});
