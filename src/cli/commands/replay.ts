import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { capText } from "../../text/cap.js";
import { CliExit, type CliIo, exitCodes } from "../io.js";
import { duration, table } from "../table.js";

interface AttemptRecord {
  /** `started` until the attempt ended (a process killed during the call leaves it so). */
  status?: string;
  index?: number;
  rung?: number;
  modelId?: string;
  path?: string;
  accepted?: boolean;
  kind?: string | null;
  /** Set when a streamed attempt was stopped early by a prefix rule. */
  stoppedEarly?: boolean;
  verdict?: { passed?: number; total?: number; score?: number } | null;
  error?: { message?: string } | null;
  usage?: { inputTokens?: number; outputTokens?: number };
  durationMs?: number;
  feedbackChars?: number;
}

/** Most record files read: a run directory holds a few hundred, a mistake (pointing at `/`) millions. */
const maxFiles = 100_000;

async function attemptFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /^attempt_\d+\.json$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
  if (files.length > maxFiles) {
    throw new CliExit(
      exitCodes.usage,
      `${root} holds over ${maxFiles} attempt records: point replay at one run.`,
    );
  }
  const order = (file: string) => Number(/attempt_(\d+)\.json$/.exec(file)?.[1] ?? 0);
  return files.sort((a, b) => {
    const da = relative(root, join(a, ".."));
    const db = relative(root, join(b, ".."));
    return da === db ? order(a) - order(b) : da < db ? -1 : 1;
  });
}

/** `rungs replay`: a recorded run's attempts (from `rungs run --record` or `recordRun`) as a table. */
export async function replayCommand(io: CliIo, dir: string, flags: { json?: boolean }): Promise<number> {
  const root = resolve(io.cwd, dir);
  let files: string[];
  try {
    files = await attemptFiles(root);
  } catch (error) {
    if (error instanceof CliExit) throw error;
    throw new CliExit(exitCodes.usage, `Cannot read the run directory ${root}: ${(error as Error).message}`);
  }
  if (files.length === 0)
    throw new CliExit(exitCodes.usage, `No attempt records (attempt_N.json) in ${root}.`);
  const records: (AttemptRecord & { file: string })[] = [];
  for (const file of files) {
    try {
      records.push({
        ...(JSON.parse(await readFile(file, "utf8")) as AttemptRecord),
        file: relative(root, file),
      });
    } catch (error) {
      throw new CliExit(
        exitCodes.failure,
        `Attempt record ${file} is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    return exitCodes.ok;
  }
  const rows = records.map((r) => [
    r.file,
    String(r.rung ?? "-"),
    r.modelId ?? "-",
    r.status === "started"
      ? "started, never ended"
      : r.accepted === true
        ? "accepted"
        : `${r.kind ?? "failed"}${r.stoppedEarly === true ? ", stopped early" : ""}`,
    r.verdict?.total === undefined ? "-" : `${r.verdict.passed ?? 0}/${r.verdict.total}`,
    r.durationMs === undefined ? "-" : duration(r.durationMs),
    `${r.usage?.inputTokens ?? "-"}/${r.usage?.outputTokens ?? "-"}`,
    String(r.feedbackChars ?? 0),
    capText((r.error?.message ?? "").split("\n")[0]!, 80),
  ]);
  const accepted = records.filter((r) => r.accepted === true).length;
  io.stdout.write(
    `${table(["attempt", "rung", "model", "result", "rules", "time", "tokens in/out", "feedback", "error"], rows)}\n\n` +
      `${records.length} attempt(s), ${accepted} accepted.\n`,
  );
  return exitCodes.ok;
}
