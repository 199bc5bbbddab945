import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runFixtureSuite } from "./support.js";

describe("the per-file temp dir check", () => {
  it("fails a file that leaves a rungs-* entry, passes a tidy one, and removes both files' temp dirs", () => {
    const before = readdirSync(tmpdir());
    const outputFile = join(tmpdir(), "report.json");
    const child = runFixtureSuite("test/reliability/fixtures/temp-dir/temp-dir.config.ts", outputFile);
    expect(child.status, child.stderr).toBe(1);
    const { byFile } = child;
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
