import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoDir = fileURLToPath(new URL("../..", import.meta.url));

/** Newest modification time under `dir`, in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    latest = Math.max(latest, statSync(join(dir, entry)).mtimeMs);
  }
  return latest;
}

/**
 * Builds dist/ when it is missing or older than src/: rows that import the built package measure what users
 * install. `bench` names the bench in the progress line.
 */
export function ensureBuilt(bench: string): void {
  const index = join(repoDir, "dist/index.js");
  if (existsSync(index) && statSync(index).mtimeMs >= newest(join(repoDir, "src"))) return;
  process.stderr.write(`${bench}: building dist/ (npm run build)\n`);
  execFileSync("npm", ["run", "build"], { cwd: repoDir, stdio: ["ignore", "ignore", "inherit"] });
}
