import { dirname, resolve } from "node:path";
import { BlockedTaskError } from "../../errors/blocked-task-error.js";
import { ExhaustedError } from "../../errors/exhausted-error.js";
import { RungsEvents } from "../../events.js";
import type { GenerateRequest, Generation, Message, StreamPart } from "../../model.js";
import { type LimitedText, readStreamLimited, readTextLimited } from "../../read-limited.js";
import { recordRun } from "../../record/record-run.js";
import { streamModel } from "../../stream/stream-model.js";
import { capText } from "../../text/cap.js";
import type { Attempt, Skip } from "../../trace.js";
import { CliExit, type CliIo, exitCodes, Interrupted, interruptedCode } from "../io.js";
import { duration, isoTime } from "../table.js";
import { buildLadder, type ConfigFlags } from "./build.js";

export interface RunFlags extends ConfigFlags {
  prompt?: string;
  file?: string;
  /** Context documents, one file each (`request.context`). */
  context?: string[];
  /** Tree-split requests whose rendered prompt is over this many characters (the config's `split.chars`). */
  splitChars?: string;
  system?: string;
  record?: string;
  json?: boolean;
  /** Show each attempt's text on stderr as it streams; stdout still gets only the accepted answer. */
  stream?: boolean;
  taskId?: string;
  taskClass?: string;
  meta?: string[];
}

/** Most characters of a prompt read from a file or standard input (10 MB): more is a mistake. */
/** Most bytes of a prompt read from --file or standard input (a file, a FIFO, a pipe alike). */
const maxPromptBytes = 10_000_000;

async function readPrompt(io: CliIo, flags: RunFlags): Promise<string> {
  if (flags.prompt !== undefined && flags.file !== undefined) {
    throw new CliExit(exitCodes.usage, "Give the prompt with --prompt or --file, not both.");
  }
  if (flags.prompt !== undefined) return flags.prompt;
  if (flags.file !== undefined) {
    let read: LimitedText;
    try {
      read = await readTextLimited(resolve(io.cwd, flags.file), maxPromptBytes);
    } catch (error) {
      throw new CliExit(exitCodes.usage, `Cannot read --file ${flags.file}: ${(error as Error).message}`);
    }
    if ("tooLarge" in read)
      throw new CliExit(
        exitCodes.usage,
        `--file ${flags.file} holds over ${maxPromptBytes} bytes: a prompt is at most that; split the input (treeSplit) or pass a shorter file.`,
      );
    return read.text;
  }
  const stdin = io.stdin;
  if (stdin === undefined || stdin.isTTY === true) {
    throw new CliExit(
      exitCodes.usage,
      "Give a prompt: --prompt TEXT, --file F, or pipe it on standard input.",
    );
  }
  const read = await readStreamLimited(stdin, maxPromptBytes);
  if ("tooLarge" in read)
    throw new CliExit(
      exitCodes.usage,
      `The prompt on standard input is over ${maxPromptBytes} bytes: a prompt is at most that; split the input or send less.`,
    );
  return read.text;
}

/** The `--context` files, in order, as the request's context documents (each at most 10 MB). */
async function readContext(io: CliIo, flags: RunFlags): Promise<string[] | undefined> {
  if (flags.context === undefined || flags.context.length === 0) return undefined;
  const documents: string[] = [];
  for (const file of flags.context) {
    const path = resolve(io.cwd, file);
    // Read with the cap, not stat then read: a FIFO reports size 0.
    let read: LimitedText;
    try {
      read = await readTextLimited(path, maxPromptBytes);
    } catch (error) {
      throw new CliExit(exitCodes.usage, `Cannot read --context ${file}: ${(error as Error).message}`);
    }
    if ("tooLarge" in read) {
      throw new CliExit(
        exitCodes.usage,
        `--context ${file} holds over ${maxPromptBytes} bytes: split it into several files.`,
      );
    }
    documents.push(read.text);
  }
  return documents;
}

/** `--split-chars N`: a whole number ≥ 1. */
export function splitCharsOf(flags: RunFlags): number | undefined {
  if (flags.splitChars === undefined) return undefined;
  const value = Number(flags.splitChars);
  if (!/^\d+$/.test(flags.splitChars.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new CliExit(
      exitCodes.usage,
      `--split-chars takes a whole number of characters ≥ 1, got ${JSON.stringify(flags.splitChars)}.`,
    );
  }
  return value;
}

/** A path as a shell argument: quoted when it holds anything but plain path characters. */
export function shellArg(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `key=value` → metadata; the value is read as JSON when it parses (`private=true` is a boolean). */
function metadataOf(flags: RunFlags): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  for (const pair of flags.meta ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliExit(exitCodes.usage, `--meta takes key=value, got "${pair}".`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: keep the text.
    }
    Object.defineProperty(metadata, pair.slice(0, eq), { value, enumerable: true, writable: true });
  }
  if (flags.taskId !== undefined) metadata.taskId = flags.taskId;
  if (flags.taskClass !== undefined) metadata.taskClass = flags.taskClass;
  return metadata;
}

function outcome(attempt: Attempt): string {
  const verdict = attempt.verdict === undefined ? "" : ` ${attempt.verdict.passed}/${attempt.verdict.total}`;
  return attempt.accepted ? `accepted${verdict}` : `${attempt.kind ?? "failed"}${verdict}`;
}

/**
 * `--stream`: each attempt's text goes to stderr as it comes, under its attempt's header, and a discarded
 * attempt is marked as such; the answer is what the stream ends with (stdout gets it, as without --stream).
 * stderr is escaped for the terminal like every line on it (program.ts).
 */
async function streamToStderr(parts: AsyncIterable<StreamPart>, io: CliIo): Promise<Generation> {
  let midLine = false;
  const endLine = () => {
    if (midLine) io.stderr.write("\n");
    midLine = false;
  };
  for await (const part of parts) {
    if (part.type === "attempt-start") {
      endLine();
      io.stderr.write(`[stream] ${part.path} rung ${part.rung} ${part.modelId}:\n`);
    } else if (part.type === "text-delta") {
      io.stderr.write(part.text);
      midLine = !part.text.endsWith("\n");
    } else if (part.type === "tool-call") {
      endLine();
      io.stderr.write(
        `[tool call] ${part.toolCall.name} ${capText(JSON.stringify(part.toolCall.input) ?? "", 200)}\n`,
      );
    } else if (part.type === "discard") {
      endLine();
      io.stderr.write(
        `[discard] ${part.path} ${part.modelId}: ${part.kind}${part.early ? ", stopped early" : ""} — ${capText(part.reason, 200)} (${part.chars} chars taken back)\n`,
      );
    } else {
      endLine();
      return part.generation;
    }
  }
  throw new Error("The stream ended without a finish part.");
}

/** `rungs run`: one prompt through the ladder, progress on stderr, the answer on stdout. */
export async function runCommand(io: CliIo, flags: RunFlags): Promise<number> {
  const splitChars = splitCharsOf(flags);
  const ladder = await buildLadder(
    io,
    flags,
    splitChars === undefined
      ? undefined
      : (config) => ({ ...config, split: { ...config.split, chars: splitChars } }),
  );
  const content = await readPrompt(io, flags);
  const context = await readContext(io, flags);
  const metadata = metadataOf(flags);
  const messages: Message[] = [];
  if (flags.system !== undefined) messages.push({ role: "system", content: flags.system });
  messages.push({ role: "user", content });
  const request: GenerateRequest = { messages };
  if (context !== undefined) request.context = context;
  if (Object.keys(metadata).length > 0) request.metadata = metadata;

  const events = new RungsEvents();
  const err = (line: string) => io.stderr.write(`${line}\n`);
  err(`rungs: ${ladder.id}: ${ladder.rungs.map((r) => r.modelId).join(" → ")}`);
  events.on("task-resume", ({ resumed }) => err(`[resume] ${resumed.detail}`));
  const skipLine = (skip: Skip, path: string) =>
    err(`[skip] ${path} rung ${skip.rung} ${skip.modelId}: ${skip.reason} (${skip.detail})`);
  const attemptLine = (attempt: Attempt) => {
    const error =
      attempt.error === undefined ? "" : ` — ${capText(attempt.error.message.split("\n")[0]!, 200)}`;
    err(
      `[attempt ${attempt.index}] ${attempt.path} rung ${attempt.rung} ${attempt.modelId}: ${outcome(attempt)}${attempt.stoppedEarly === true ? " (stopped early)" : ""} in ${duration(attempt.endedAt - attempt.startedAt)}${error}`,
    );
  };
  // Streamed, the run goes ahead of the text on stderr (parts wait in a buffer): its attempt and skip lines
  // are written from the trace once the stream has ended, so they never land inside an attempt's text.
  const streamed = flags.stream === true;
  const summarize = (attempts: readonly Attempt[], skips: readonly Skip[]) => {
    if (!streamed) return;
    for (const skip of skips) skipLine(skip, ladder.id);
    for (const attempt of attempts) attemptLine(attempt);
  };
  if (!streamed) {
    events.on("rung-skip", ({ skip, path }) => skipLine(skip, path));
    events.on("attempt-end", ({ attempt }) => attemptLine(attempt));
  }
  const recorder = flags.record === undefined ? undefined : recordRun(events, resolve(io.cwd, flags.record));

  try {
    const options = io.signal === undefined ? { events } : { events, signal: io.signal };
    const generation =
      flags.stream === true
        ? await streamToStderr(streamModel(ladder, request, options), io)
        : await ladder.generate(request, options);
    summarize(generation.trace?.attempts ?? [], generation.trace?.skips ?? []);
    const accepted = generation.verdict === undefined || generation.verdict.accepted;
    err(`rungs: ${accepted ? "accepted" : "not accepted (best answer)"} from ${generation.modelId}`);
    io.stdout.write(
      flags.json === true ? `${JSON.stringify(generation, null, 2)}\n` : `${generation.text}\n`,
    );
    return accepted ? exitCodes.ok : exitCodes.notAccepted;
  } catch (error) {
    if (io.signal?.aborted === true) {
      const reason: unknown = io.signal.reason;
      err(`rungs: ${reason instanceof Interrupted ? reason.message : "interrupted"}; no answer`);
      return interruptedCode(reason);
    }
    if (BlockedTaskError.isInstance(error)) {
      const at = error.blockedAt === undefined ? "" : ` at ${isoTime(error.blockedAt)}`;
      // Absolute, so the hint works from any directory (the config's store is relative to its file).
      const store =
        ladder.config.store === undefined
          ? "PATH"
          : shellArg(resolve(dirname(resolve(io.cwd, flags.config)), ladder.config.store));
      err(
        `rungs: task "${error.taskId}" is blocked: an earlier run exhausted its ladder${at}. No model was called. Run \`rungs unblock ${shellArg(error.taskId)} --store ${store}\` to run it again.`,
      );
      return exitCodes.blocked;
    }
    if (ExhaustedError.isInstance(error)) {
      summarize(error.attempts, error.skips);
      err(`rungs: ${error.message}`);
      if (flags.json === true) {
        io.stdout.write(
          `${JSON.stringify({ error: { name: error.name, message: error.message, limit: error.limit, attempts: error.attempts } }, null, 2)}\n`,
        );
      }
      return exitCodes.notAccepted;
    }
    throw error;
  } finally {
    if (recorder !== undefined) {
      const summary = await recorder.close().catch((error: unknown) => {
        err(`rungs: ${(error as Error).message}`);
        return undefined;
      });
      if (summary !== undefined) err(`rungs: recorded ${summary.attempts} attempt(s) in ${summary.dir}`);
    }
  }
}
