// Each test file gets its own temp directory (TMPDIR, which os.tmpdir() reads, for the file's worker and the
// child processes it starts). After the file it must hold no `rungs-*` entry: a test removes what it creates
// in afterEach/afterAll, or the file fails naming what was left. The directory is then removed whatever it
// holds, so a run leaves nothing in the system temp dir. (Setup-file hooks run last, after the file's own.)
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const previous = process.env.TMPDIR;
const dir = mkdtempSync(join(tmpdir(), "rungs-test-file-"));
process.env.TMPDIR = dir;

afterAll(() => {
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
  const left = readdirSync(dir).filter((name) => name.startsWith("rungs-"));
  rmSync(dir, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(
      `the tests left ${left.length} entr${left.length === 1 ? "y" : "ies"} in the temp dir: ${left.join(", ")}. ` +
        "Remove what a test creates in afterEach/afterAll.",
    );
  }
});
