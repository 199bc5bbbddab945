import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { clientScript } from "../../view/client-script.js";
import type { PageData, TaskDetail } from "../../view/data.js";
import { pageChunks } from "../../view/html.js";
import { type Prices, readPrices } from "../../view/prices.js";
import { type ReadRun, readRun } from "../../view/read-run.js";
import { RunReadError } from "../../view/run-read-error.js";
import { writePage } from "../../view/write-page.js";
import { CliExit, type CliIo, exitCodes } from "../io.js";

interface ViewFlags {
  out?: string;
  open?: boolean;
  compare?: boolean;
  prices?: string;
}

/**
 * `rungs view RUN_DIR [--out FILE] [--open] [--prices FILE]` and `rungs view --compare A B`: one
 * self-contained HTML page of a recorded run, or of two runs side by side (docs/viewer.md).
 */
export async function viewCommand(io: CliIo, dirs: string[], flags: ViewFlags): Promise<number> {
  const compare = flags.compare === true;
  if (compare ? dirs.length !== 2 : dirs.length !== 1) {
    throw new CliExit(
      exitCodes.usage,
      compare
        ? `--compare takes two run directories (got ${dirs.length}): rungs view --compare RUN_A RUN_B`
        : `rungs view takes one run directory (got ${dirs.length}); for two runs side by side: rungs view --compare RUN_A RUN_B`,
    );
  }
  const roots = dirs.map((dir) => resolve(io.cwd, dir));
  const read = async (root: string): Promise<ReadRun> => {
    const pricesFile =
      flags.prices === undefined
        ? existsSync(join(root, "prices.json"))
          ? join(root, "prices.json")
          : undefined
        : resolve(io.cwd, flags.prices);
    const prices: Prices | undefined = pricesFile === undefined ? undefined : await readPrices(pricesFile);
    return readRun(root, {
      ...(prices === undefined ? {} : { prices }),
      ...(pricesFile === undefined
        ? {}
        : { pricesFrom: flags.prices === undefined ? "prices.json in the run" : flags.prices }),
    });
  };
  let data: PageData;
  let details: TaskDetail[] = [];
  try {
    if (compare) {
      const [a, b] = await Promise.all(roots.map(read));
      data = { mode: "compare", a: a!.view, b: b!.view };
    } else {
      const run = await read(roots[0]!);
      data = { mode: "run", run: run.view };
      details = run.details;
    }
  } catch (error) {
    if (RunReadError.isInstance(error)) throw new CliExit(exitCodes.usage, error.message);
    throw error;
  }
  const out = resolve(io.cwd, flags.out ?? join(roots[0]!, compare ? "compare.html" : "view.html"));
  let bytes: number;
  try {
    bytes = await writePage(out, pageChunks(data, details, await clientScript()));
  } catch (error) {
    if (RunReadError.isInstance(error)) throw new CliExit(exitCodes.failure, error.message);
    throw new CliExit(exitCodes.failure, `Cannot write ${out}: ${(error as Error).message}`);
  }
  const tasks =
    data.mode === "run"
      ? `${data.run.tasks.length} tasks`
      : `${data.a.tasks.length} and ${data.b.tasks.length} tasks`;
  io.stdout.write(`Wrote ${out} (${tasks}, ${(bytes / 1024 / 1024).toFixed(1)} MB): open it in a browser.\n`);
  if (flags.open === true) openInBrowser(io, out);
  return exitCodes.ok;
}

/** Hands the page to the system's opener; a machine without one gets a message, not a failure. */
function openInBrowser(io: CliIo, file: string): void {
  const url = pathToFileURL(file).href;
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  const child = spawn(command, args, { detached: true, stdio: "ignore" });
  child.on("error", (error) =>
    io.stderr.write(
      `rungs: could not open a browser (${command}: ${error.message}); open ${url} yourself.\n`,
    ),
  );
  child.unref();
}
