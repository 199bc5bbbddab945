// Temp directories a test file makes, each removed after its test (the per-file guard in test/setup/temp-dir.ts
// fails a file that leaves a `rungs-*` entry behind).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";

/** Returns a maker of fresh `rungs-<prefix>-*` directories; every one made is removed after each test. */
export function useTempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `rungs-${prefix}-`));
    dirs.push(dir);
    return dir;
  };
}
