import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RunReadError } from "./run-read-error.js";

/** The built page script, beside the CLI's bundles in dist/ (tsup.config.ts writes it). */
export const clientFileName = "view-client.js";

let cached: Promise<string> | undefined;

/**
 * The page's script: dist/view-client.js when running from the package, else (from source: tsx, vitest)
 * src/view/client/main.ts bundled on the spot with esbuild.
 * @throws RunReadError when neither is there (a broken install).
 */
export function clientScript(): Promise<string> {
  cached ??= load();
  return cached;
}

async function load(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, clientFileName);
  if (existsSync(built)) return readFile(built, "utf8");
  const entry = join(here, "client", "main.ts");
  if (existsSync(entry)) {
    const { bundleClient } = await import("./bundle-client.js");
    return bundleClient(entry);
  }
  throw new RunReadError(
    built,
    `The viewer's script ${built} is missing: reinstall rungs (or run npm run build).`,
  );
}
