import { mkdirSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { type Clock, systemClock } from "../clock.js";
import type { ExhaustionLimit } from "../errors/exhausted-error.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { RungsError } from "../errors/rungs-error.js";
import {
  type AttemptEndEvent,
  type AttemptStartEvent,
  type ContextSplitEvent,
  emit,
  type OutputContinueEvent,
  type OutputStreamEvent,
  type RunExhaustEvent,
  type RungSkipEvent,
  type RungsEvents,
  type TaskBlockEvent,
} from "../events.js";
import { addUsage } from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { redactText, redactValue, serializeError } from "../redact.js";
import type { Skip, Trace, Usage } from "../trace.js";
import { custom, object } from "../validate/check.js";
import { writeFileAtomicSync } from "./atomic-write.js";
import { StreamedAttempts, timeToFirstPart } from "./streamed-attempts.js";

/** Options of {@link recordRun}. */
export interface RecordRunOptions {
  /**
   * Picks the subdirectory (relative to `dir`) that an event's records go to, from the event's `path`, so a
   * run of many tasks keeps each task's `attempt_N` files apart. Return `undefined` for `dir` itself. Each
   * path segment is sanitised (characters other than `A-Z a-z 0-9 . _ - [ ] @ + =` become `_`, `..` is
   * refused), so a path can never leave `dir`. {@link taskDirFromPath} uses the first path segment.
   * @default every record in `dir`
   * @example recordRun(events, "runs/x", { taskDir: taskDirFromPath }) // path "ifeval[1000]/escalate" -> "ifeval[1000]"
   */
  taskDir?: (path: string) => string | undefined;
  /** Time source for the summary's `startedAt` / `endedAt`. @default systemClock */
  clock?: Clock;
}

/** A model's totals within a run. Tokens as the providers reported them; `durationMs` summed over attempts. */
export interface ModelTotals {
  /** Attempts made with this model. */
  attempts: number;
  /** Of those, accepted. */
  accepted: number;
  /** Tokens used, summed over its attempts. */
  usage: Usage;
  /** Time spent in its attempts, in ms. */
  durationMs: number;
}

/** A rung skip as recorded (the event's `path` beside the skip). */
export interface RecordedSkip extends Skip {
  /** The event path of the engine that skipped the rung. */
  path: string;
}

/** An `run-exhaust` event as recorded: which cap fired after how many attempts. */
export interface RecordedExhaustion {
  /** The event path of the engine that gave up. */
  path: string;
  /** The limit that fired. */
  limit: ExhaustionLimit;
  /** Attempts the engine made. */
  attempts: number;
  /** When, ms since the epoch. */
  at: number;
}

/** A `task-block` event as recorded: a run refused before any call because its task was blocked. */
export interface RecordedBlock {
  /** The event path of the refused run. */
  path: string;
  /** The task's id (redacted). */
  taskId: string;
  /** Always `"blocked"`. */
  status: "blocked";
  /** When the task was blocked, ms since the epoch. */
  blockedAt: number;
  /** When the run was refused, ms since the epoch. */
  at: number;
}

/**
 * What a directory of records cost, counted once at the leaves: nested engines, continuations and splits
 * beneath one attempt are not counted twice.
 */
export interface RecordCounts {
  /**
   * Model calls the attempts made: each innermost attempt counts its call, every continuation piece and
   * every split call beneath it (judge calls of LLM rules are not counted).
   */
  calls: number;
  /** Continuation calls (`output-continue` events). */
  continuations: number;
  /** Requests split by `treeSplit` (its `plan` events). */
  splits: number;
  /** Tokens in and out, summed over the innermost attempts (as the providers reported them). */
  inputTokens: number;
  /** Output tokens, summed the same way. */
  outputTokens: number;
}

/**
 * An attempt that started and has not ended: its `attempt_N.json` says `"status": "started"`. At `close()`
 * there is none unless a call never returned; after a killed process, the files themselves are the evidence.
 */
export interface UnfinishedAttempt {
  /** The record file, relative to the run directory. */
  file: string;
  /** The attempt's event path. */
  path: string;
  /** 0-based ladder position of its rung. */
  rung: number;
  /** Its model's id. */
  modelId: string;
  /** When it started, ms since the epoch. */
  startedAt: number;
}

/** Counts for one directory of records (a task, or the whole run). */
export interface RecordTotals {
  /** Attempts that ended (their records say `"status": "ended"`). */
  attempts: number;
  /** Of those, accepted. */
  accepted: number;
  /** Failed attempts per failure kind. */
  byKind: Partial<Record<FailureKind, number>>;
  /** Totals per model id. */
  byModel: Record<string, ModelTotals>;
  /** Tokens used, summed over the attempts. */
  usage: Usage;
  /** Every rung skip, in order. */
  skips: RecordedSkip[];
  /** Every engine that gave up, in order. */
  exhausted: RecordedExhaustion[];
  /** Runs refused because their task was blocked (`status: "blocked"`). */
  blocked: RecordedBlock[];
  /** Calls, continuations, splits and tokens, each counted once. */
  counts: RecordCounts;
  /** Attempts started and not ended (set by `close()`; empty unless a call never returned). */
  unfinished: UnfinishedAttempt[];
}

/** One task's line in the run's `summary.json`. */
export interface TaskLine {
  /** Attempt records of the task. */
  attempts: number;
  /** Of those, accepted. */
  accepted: number;
  /** The model of the last accepted attempt, if any. */
  acceptedBy?: string;
  /** True when a run of the task ended without an accepted answer. */
  exhausted: boolean;
  /** True when a run of this task was refused because the task was blocked. */
  blocked: boolean;
  /**
   * `accepted` when an attempt was accepted, else `blocked` when a run was refused as blocked, else
   * `exhausted` when a ladder ran out, else `unfinished` (attempts failed, no run has ended yet).
   */
  status: "accepted" | "blocked" | "exhausted" | "unfinished";
}

/** What `summary.json` holds: the whole run's totals and, with `taskDir`, one line per task directory. */
export interface RunSummary extends RecordTotals {
  /** Absolute path of the run directory. */
  dir: string;
  /** Ms since the epoch. */
  startedAt: number;
  /** Set by `close()`. */
  endedAt?: number;
  /** Per task directory (relative to `dir`); empty without `taskDir`. */
  tasks: Record<string, TaskLine>;
  /** Record files that could not be written (redacted messages). */
  writeErrors: string[];
}

/** The handle {@link recordRun} returns. */
export interface RunRecorder {
  /** Absolute path of the run directory. */
  readonly dir: string;
  /** A live snapshot of the run so far (a copy; safe to keep). */
  readonly summary: RunSummary;
  /**
   * Stops listening, writes `summary.json` in every task directory and in `dir`, and resolves with the
   * summary. Idempotent: later calls resolve with the same summary.
   * @throws RungsError when any record file could not be written (the summary lists them).
   */
  close(): Promise<RunSummary>;
}

const optionsSchema = object({
  taskDir: schemas.fn.optional(),
  clock: custom<Clock>(
    (v) => typeof (v as Clock | undefined)?.now === "function",
    "must be a Clock (an object with now())",
  ).optional(),
});
const argumentsSchema = object({
  events: custom<RungsEvents>(
    (v) => typeof (v as RungsEvents | undefined)?.on === "function",
    "must be a RungsEvents emitter",
  ),
  dir: schemas.nonEmptyString,
  options: optionsSchema,
});

/** `taskDir` that files each event under its path's first segment (`"ifeval[1000]/escalate"` → `"ifeval[1000]"`). */
export function taskDirFromPath(path: string): string | undefined {
  const first = path.split("/")[0];
  return first === undefined || first === "" ? undefined : first;
}

const emptyTotals = (): RecordTotals => ({
  attempts: 0,
  accepted: 0,
  // Null-prototype: keys are model ids and kinds from outside ("__proto__" is a valid model id).
  byKind: Object.create(null) as RecordTotals["byKind"],
  byModel: Object.create(null) as RecordTotals["byModel"],
  usage: {},
  skips: [],
  exhausted: [],
  blocked: [],
  counts: { calls: 0, continuations: 0, splits: 0, inputTokens: 0, outputTokens: 0 },
  unfinished: [],
});

/**
 * Records a run as it goes (docs/architecture.md). Listens on `events`: at every `attempt-start` it writes
 * `attempt_N.json` with `"status": "started"` (index, rung, model, path, startedAt, feedback and prompt
 * chars), before the call; at the attempt's `attempt-end` it writes `attempt_N.txt` (the raw output,
 * redacted) and rewrites `attempt_N.json` with `"status": "ended"` and everything that happened (accepted,
 * kind, finishReason, verdict, error, usage in tokens, startedAt/endedAt/durationMs in ms, transport
 * retries, trace; redacted) — N counts attempts in their directory, 1-based, in the order they started.
 * `rung-skip` and `run-exhaust` events go into the summary. `close()` writes `summary.json`.
 *
 * A streamed run (`model.stream`) is recorded the same way, each attempt's file holding the full text it
 * streamed: a discarded attempt's, one stopped early (`"stoppedEarly": true`), and one cut off mid-stream by
 * an abort, a deadline or a consumer that left the loop (the attempt keeps the text it showed; the recorder
 * adds a delta the provider sent as the stream was cut, from the `output-stream` events). A streamed attempt's record adds `timeToFirstTokenMs` (its start to
 * its first delta or tool call, on the run's clock, in ms). Every attempt that ended is on disk
 * when the stream's loop exits, however it exits; `close()` writes the summary then.
 *
 * Every file is written atomically (a temporary file in the same directory, then a rename), and
 * synchronously inside the listener, so an attempt is on disk before the engine goes on: a process killed
 * during a call leaves that attempt's record saying `"status": "started"`, every attempt that had ended is
 * kept, and no file is ever half-written. Write failures never break the run; they are listed in the
 * summary and `close()` rejects.
 *
 * @param events the emitter passed to the run in `CallOptions.events`.
 * @param dir the run directory; created if missing.
 * @throws InvalidArgumentError for a bad argument or option; the file system's error when `dir` cannot be created.
 * @example
 * const events = new RungsEvents();
 * const recorder = recordRun(events, "runs/today");
 * await ladder.generate(request, { events });
 * const summary = await recorder.close(); // summary.attempts, summary.byModel, ...
 */
export function recordRun(events: RungsEvents, dir: string, options: RecordRunOptions = {}): RunRecorder {
  const parsed = parseOptions("recordRun", argumentsSchema, { events, dir, options });
  const clock = parsed.options.clock ?? systemClock;
  const taskDir = options.taskDir;
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });

  const run: RunSummary = {
    ...emptyTotals(),
    dir: root,
    startedAt: clock.now(),
    tasks: Object.create(null) as RunSummary["tasks"],
    writeErrors: [],
  };
  const dirs = new Map<string, RecordTotals>(); // relative task dir ("" = root) -> totals
  const lines = new Map<string, TaskLine>();
  let closed: RunSummary | undefined;

  const write = (file: string, data: string): void => {
    try {
      writeFileAtomicSync(file, data);
    } catch (error) {
      failed(file, error);
    }
  };

  // Each distinct task name gets its own directory: two names that sanitize alike ("a?b", "a*b") are
  // told apart by a suffix instead of sharing (and merging) one record path.
  const claimed = new Map<string, string>();
  const claim = (name: string | undefined): string => {
    const safe = sanitizeTaskDir(name);
    if (safe === "" || name === undefined) return safe;
    const key = `\u0000${name}`;
    const known = claimed.get(key);
    if (known !== undefined) return known;
    let relative = safe;
    for (let n = 2; claimed.has(`\u0001${relative}`); n += 1) relative = `${safe}~${n}`;
    claimed.set(key, relative);
    claimed.set(`\u0001${relative}`, name);
    return relative;
  };
  const failed = (what: string, error: unknown): void => {
    const message = redactText(`${what}: ${serializeError(error).message}`);
    run.writeErrors.push(message);
    emit(parsed.events, "run-warn", { path: "", timestamp: clock.now(), code: "record-failed", message });
  };

  const locate = (path: string): { relative: string; totals: RecordTotals; line?: TaskLine } => {
    let name: string | undefined;
    try {
      name = taskDir === undefined ? undefined : taskDir(path);
      if (name !== undefined && typeof name !== "string")
        throw new TypeError(`taskDir returned ${typeof name}`);
    } catch (error) {
      // A failing taskDir files the record at the run's root instead of losing it.
      failed(`taskDir("${path}")`, error);
      name = undefined;
    }
    const relative = claim(name);
    let totals = dirs.get(relative);
    if (totals === undefined) {
      totals = relative === "" ? run : emptyTotals();
      dirs.set(relative, totals);
      if (relative !== "") {
        lines.set(relative, {
          attempts: 0,
          accepted: 0,
          exhausted: false,
          blocked: false,
          status: "unfinished",
        });
        try {
          mkdirSync(join(root, relative), { recursive: true });
        } catch (error) {
          failed(relative, error);
        }
      }
    }
    const line = lines.get(relative);
    return line === undefined ? { relative, totals } : { relative, totals, line };
  };

  // Record numbers per directory, given at the start; started attempts by what identifies them at the end.
  const numbered = new Map<string, number>();
  const started = new Map<string, Array<{ n: number; unfinished: UnfinishedAttempt }>>();
  const startKey = (path: string, a: AttemptStartEvent["attempt"]) =>
    JSON.stringify([path, a.index, a.rung, a.modelId, a.startedAt]);
  const nextNumber = (relative: string): number => {
    const n = (numbered.get(relative) ?? 0) + 1;
    numbered.set(relative, n);
    return n;
  };

  // What each attempt streamed (its own deltas, not its nested attempts'): the text a record must keep when
  // the attempt ended without it (aborted or cut off mid-stream), and its time to first token.
  const streams = new StreamedAttempts({ keepText: true });
  const onStream = ({ path, timestamp, part }: OutputStreamEvent): void => {
    streams.part(path, timestamp, part.type === "text-delta" ? part.text : undefined);
  };

  const onAttemptStart = ({ attempt, path }: AttemptStartEvent): void => {
    streams.start(path, attempt.startedAt);
    const { relative } = locate(path);
    const n = nextNumber(relative);
    const unfinished: UnfinishedAttempt = {
      file: join(relative, `attempt_${n}.json`),
      path: attempt.path,
      rung: attempt.rung,
      modelId: attempt.modelId,
      startedAt: attempt.startedAt,
    };
    const key = startKey(path, attempt);
    started.set(key, [...(started.get(key) ?? []), { n, unfinished }]);
    const record = {
      status: "started",
      index: attempt.index,
      rung: attempt.rung,
      modelId: attempt.modelId,
      path: attempt.path,
      startedAt: attempt.startedAt,
      feedbackChars: attempt.feedbackChars,
      promptChars: attempt.promptChars,
    };
    write(join(root, relative, `attempt_${n}.json`), `${JSON.stringify(redactValue(record), null, 2)}\n`);
  };

  const onAttemptEnd = ({ attempt, path }: AttemptEndEvent): void => {
    const { relative, totals, line } = locate(path);
    const key = startKey(path, attempt);
    const waiting = started.get(key);
    const match = waiting?.shift();
    if (waiting !== undefined && waiting.length === 0) started.delete(key);
    const n = match?.n ?? nextNumber(relative);
    const base = join(root, relative, `attempt_${n}`);
    const durationMs = attempt.endedAt - attempt.startedAt;
    const streamed = streams.end(path);
    const firstTokenMs = timeToFirstPart(streamed);
    // An attempt cut off mid-stream keeps what its consumer saw; a delta the provider sent as the stream was
    // cut may not have reached it. The record keeps every delta the provider sent.
    const text =
      streamed !== undefined &&
      streamed.text.length > attempt.text.length &&
      streamed.text.startsWith(attempt.text)
        ? streamed.text
        : attempt.text;
    write(`${base}.txt`, redactText(text));
    const record: Record<string, unknown> = {
      status: "ended",
      file: `attempt_${n}.txt`,
      index: attempt.index,
      rung: attempt.rung,
      modelId: attempt.modelId,
      path: attempt.path,
      accepted: attempt.accepted,
      kind: attempt.kind ?? null,
      finishReason: attempt.finishReason ?? null,
      toolCalls: attempt.toolCalls ?? [],
      verdict: attempt.verdict ?? null,
      error: attempt.error ?? null,
      usage: attempt.usage,
      startedAt: attempt.startedAt,
      endedAt: attempt.endedAt,
      durationMs,
      textChars: text.length,
      feedbackChars: attempt.feedbackChars,
      promptChars: attempt.promptChars,
      transportRetries: attempt.transportRetries ?? [],
      trace: attempt.trace ?? null,
    };
    if (attempt.stoppedEarly === true) record.stoppedEarly = true;
    if (firstTokenMs !== undefined) record.timeToFirstTokenMs = firstTokenMs;
    let json: string;
    try {
      json = `${JSON.stringify(redactValue(record), null, 2)}\n`;
    } catch (error) {
      // A value that does not serialise (a BigInt in a trace, say): the record keeps everything else.
      failed(`${base}.json`, error);
      record.trace = `[not serialisable: ${serializeError(error).message}]`;
      record.verdict = record.verdict === null ? null : "[not serialisable]";
      json = `${JSON.stringify(redactValue(record), null, 2)}\n`;
    }
    write(`${base}.json`, json);
    for (const target of new Set([totals, run])) count(target, attempt, durationMs);
    if (line !== undefined) {
      line.attempts += 1;
      if (attempt.accepted) {
        line.accepted += 1;
        line.acceptedBy = attempt.modelId;
      }
      line.status = statusOf(line);
    }
  };

  const onBlocked = ({ path, taskId, blockedAt, timestamp }: TaskBlockEvent): void => {
    const { totals, line } = locate(path);
    const recorded: RecordedBlock = {
      path,
      taskId: redactText(taskId),
      status: "blocked",
      blockedAt,
      at: timestamp,
    };
    for (const target of new Set([totals, run])) target.blocked.push(recorded);
    if (line !== undefined) {
      line.blocked = true;
      line.status = statusOf(line);
    }
  };

  const onContinuation = ({ path }: OutputContinueEvent): void => {
    const { totals } = locate(path);
    for (const target of new Set([totals, run])) target.counts.continuations += 1;
  };

  const onSplit = ({ path, stage }: ContextSplitEvent): void => {
    if (stage !== "plan") return;
    const { totals } = locate(path);
    for (const target of new Set([totals, run])) target.counts.splits += 1;
  };

  const onSkip = ({ skip, path }: RungSkipEvent): void => {
    const { totals } = locate(path);
    const recorded: RecordedSkip = { ...redactValue(skip), path };
    for (const target of new Set([totals, run])) target.skips.push(recorded);
  };

  const onExhausted = ({ path, limit, attemptCount: attempts, timestamp }: RunExhaustEvent): void => {
    const { totals, line } = locate(path);
    const recorded: RecordedExhaustion = { path, limit, attempts, at: timestamp };
    for (const target of new Set([totals, run])) target.exhausted.push(recorded);
    if (line !== undefined) {
      line.exhausted = true;
      line.status = statusOf(line);
    }
  };

  const unsubscribe = [
    parsed.events.subscribe("attempt-start", onAttemptStart),
    parsed.events.subscribe("attempt-end", onAttemptEnd),
    parsed.events.subscribe("output-stream", onStream),
    parsed.events.subscribe("rung-skip", onSkip),
    parsed.events.subscribe("run-exhaust", onExhausted),
    parsed.events.subscribe("task-block", onBlocked),
    parsed.events.subscribe("output-continue", onContinuation),
    parsed.events.subscribe("context-split", onSplit),
  ];

  const snapshot = (): RunSummary => {
    const copy = structuredClone(run);
    copy.tasks = Object.fromEntries([...lines].map(([name, line]) => [name, { ...line }]));
    return copy;
  };

  return {
    dir: root,
    get summary() {
      return closed ?? snapshot();
    },
    close: async () => {
      if (closed === undefined) {
        for (const stop of unsubscribe) stop();
        run.endedAt = clock.now();
        for (const waiting of started.values())
          for (const { unfinished } of waiting) run.unfinished.push(unfinished);
        for (const [relative, totals] of dirs) {
          if (relative !== "")
            write(join(root, relative, "summary.json"), `${JSON.stringify(totals, null, 2)}\n`);
        }
        write(join(root, "summary.json"), `${JSON.stringify(snapshot(), null, 2)}\n`);
        closed = snapshot(); // includes a failure to write summary.json itself
      }
      if (closed.writeErrors.length > 0) {
        throw new RungsError(
          `recordRun: ${closed.writeErrors.length} record file(s) in ${root} could not be written; the first: ${closed.writeErrors[0]}. Check the directory is writable and the disk has space.`,
        );
      }
      return closed;
    },
  };
}

function count(totals: RecordTotals, attempt: AttemptEndEvent["attempt"], durationMs: number): void {
  totals.attempts += 1;
  if (attempt.accepted) totals.accepted += 1;
  if (attempt.kind !== undefined) totals.byKind[attempt.kind] = (totals.byKind[attempt.kind] ?? 0) + 1;
  const model = totals.byModel[attempt.modelId] ?? { attempts: 0, accepted: 0, usage: {}, durationMs: 0 };
  totals.byModel[attempt.modelId] = model;
  model.attempts += 1;
  if (attempt.accepted) model.accepted += 1;
  model.usage = addUsage(model.usage, attempt.usage);
  model.durationMs += durationMs;
  totals.usage = addUsage(totals.usage, attempt.usage);
  // Counted once, at the innermost attempts: an attempt with attempts beneath it is counted through them.
  if (!hasNestedAttempts(attempt.trace)) {
    totals.counts.calls += leafCalls(attempt.trace);
    totals.counts.inputTokens += attempt.usage.inputTokens ?? 0;
    totals.counts.outputTokens += attempt.usage.outputTokens ?? 0;
  }
}

function statusOf(line: TaskLine): TaskLine["status"] {
  if (line.accepted > 0) return "accepted";
  if (line.blocked) return "blocked";
  return line.exhausted ? "exhausted" : "unfinished";
}

/** True when an engine ran beneath this trace (its attempts are recorded, and counted, on their own). */
function hasNestedAttempts(trace: Trace | undefined, depth = 0): boolean {
  if (trace === undefined || depth > 8) return false;
  if ((trace.attempts?.length ?? 0) > 0) return true;
  const below = [
    ...(trace.continuation?.pieces ?? []).map((p) => p.trace),
    ...(trace.split?.nodes ?? []).map((n) => n.trace),
  ];
  return below.some((t) => hasNestedAttempts(t, depth + 1));
}

/** Model calls beneath one innermost attempt: one, or one per continuation piece and split node. */
function leafCalls(trace: Trace | undefined, depth = 0): number {
  if (trace === undefined || depth > 8) return 1;
  if (trace.split !== undefined) {
    return trace.split.nodes.reduce(
      (sum, node) => sum + (node.error ? 1 : leafCalls(node.trace, depth + 1)),
      0,
    );
  }
  if (trace.continuation !== undefined) {
    return trace.continuation.pieces.reduce((sum, piece) => sum + leafCalls(piece.trace, depth + 1), 0);
  }
  return 1;
}

/** Turns a caller's task dir into safe relative segments that stay inside the run directory. */
function sanitizeTaskDir(value: string | undefined): string {
  if (value === undefined) return "";
  const segments = value
    .split(/[/\\]+/)
    .map((segment) => segment.replace(/[^A-Za-z0-9._\-[\]@+=]/g, "_"))
    .filter((segment) => segment !== "" && segment !== ".")
    .map((segment) => (segment === ".." ? "__" : segment));
  return segments.join(sep);
}
