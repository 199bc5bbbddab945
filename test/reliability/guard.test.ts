import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runFixtureSuite } from "./support.js";

describe("the global test guard", () => {
  it("fails a file that leaks an unhandled rejection or a MaxListenersExceededWarning, and passes a clean one", () => {
    const dir = mkdtempSync(join(tmpdir(), "rungs-guard-"));
    try {
      const outputFile = join(dir, "report.json");
      const child = runFixtureSuite("test/reliability/fixtures/guard.config.ts", outputFile);
      expect(child.status, child.stderr).toBe(1);
      const { byFile } = child;
      expect(byFile["clean.fixture.ts"]?.status).toBe("passed");
      expect(byFile["unhandled.fixture.ts"]?.status).toBe("failed");
      expect(byFile["unhandled.fixture.ts"]?.message).toMatch(
        /Test guard tripped:\nunhandled rejection: Error: guard-fixture: nobody handles this rejection/,
      );
      expect(byFile["max-listeners.fixture.ts"]?.status).toBe("failed");
      expect(byFile["max-listeners.fixture.ts"]?.message).toMatch(
        /Test guard tripped:\nMaxListenersExceededWarning: .*11 guard-fixture listeners/,
      );
      // A process warning the test did not capture fails that test, and the warning's text is in the failure;
      // one it captured (captureWarnings) passes and is not printed.
      expect(byFile["stray-warning.fixture.ts"]?.status).toBe("failed");
      expect(byFile["stray-warning.fixture.ts"]?.message).toMatch(
        /unexpected process warning \[GUARD_FIXTURE_WARNING\] guard-fixture: disk on fire/,
      );
      expect(byFile["captured-warning.fixture.ts"]?.status).toBe("passed");
      expect(child.stderr).not.toContain("guard-fixture: expected");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("is wired into the project's vitest config", () => {
    const config = readFileSync("vitest.config.ts", "utf8");
    expect(config).toMatch(/setupFiles:\s*\[[^\]]*"test\/setup\/guard\.ts"[^\]]*\]/);
  });
});
