// The Chromium the browser tests drive (Debian's `chromium` package; .ci/run installs it like redis-server).
// Missing outside CI: installed with apt-get when this machine can (root, Debian), else the tests are skipped
// with a message. Missing in CI (CI=true): the tests fail, never skip.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

const find = (): string | undefined => {
  const fromEnv = process.env.RUNGS_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== "") return existsSync(fromEnv) ? fromEnv : undefined;
  return candidates.find((path) => existsSync(path));
};

/** How to get the browser, for the messages below. */
export const chromiumHint =
  "install Debian's chromium (apt-get install -y chromium) or set RUNGS_CHROMIUM to a Chromium binary";

/**
 * The path of a Chromium binary, installing Debian's package first when it is missing and this process may
 * (root with apt-get, at most 10 minutes). `undefined` when there is none.
 */
export function ensureChromium(): string | undefined {
  const found = find();
  if (found !== undefined || process.env.RUNGS_CHROMIUM) return found;
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) return undefined;
  try {
    process.stderr.write("browser tests: chromium is missing; installing Debian's package with apt-get...\n");
    const options = {
      stdio: "ignore",
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    } as const;
    execFileSync("apt-get", ["update", "-qq"], options);
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], options);
  } catch (error) {
    process.stderr.write(`browser tests: apt-get could not install chromium: ${(error as Error).message}\n`);
  }
  return find();
}
