import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type { RungsEvents } from "../events.js";
import { StreamedAttempts, timeToFirstPart } from "../record/streamed-attempts.js";
import { capLine } from "../text/cap.js";
import { terminalText } from "../text/terminal-text.js";
import type { Attempt } from "../trace.js";

/** How much the console reporter prints. */
export type ReportLevel = "quiet" | "normal" | "verbose";

/** Options of {@link consoleReporter}. */
export interface ConsoleReporterOptions {
  /**
   * `quiet`: exhaustion, skips, warnings and blocked tasks only. `normal`: also one line per attempt (with
   * its time to first token when streamed), per discarded streamed attempt, resumed task, continuation and
   * split plan. `verbose`: also attempt starts, each streamed attempt's first token, every split node,
   * transport retries and a rejected attempt's rule messages. Never a line per delta.
   * @default "normal"
   */
  level?: ReportLevel;
  /** Where each line goes (without a trailing newline). @default a line on process.stderr */
  write?: (line: string) => void;
}

const levels: readonly ReportLevel[] = ["quiet", "normal", "verbose"];

function tokens(attempt: Attempt): string {
  const { inputTokens, outputTokens } = attempt.usage;
  if (inputTokens === undefined && outputTokens === undefined) return "";
  return ` ${inputTokens ?? "?"}→${outputTokens ?? "?"} tok`;
}

function outcome(attempt: Attempt): string {
  const verdict = attempt.verdict;
  const score =
    verdict === undefined ? "" : ` ${verdict.passed}/${verdict.total} (${verdict.score.toFixed(2)})`;
  if (attempt.accepted) return `accepted${score}`;
  const failed = verdict?.violations.map((v) => v.ruleId).join(", ");
  return `${attempt.kind ?? "failed"}${score}${failed ? ` [${failed}]` : ""}`;
}

/** A streamed attempt's facts: time to first token, and an early stop. */
function streamed(attempt: Attempt, firstPartMs: number | undefined): string {
  const facts = [
    firstPartMs === undefined ? undefined : `first token ${firstPartMs}ms`,
    attempt.stoppedEarly === true ? "stopped early" : undefined,
  ].filter((fact) => fact !== undefined);
  return facts.length === 0 ? "" : `, ${facts.join(", ")}`;
}

function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

function oneLine(text: string, max = 160): string {
  return capLine(text, max);
}

/**
 * Prints one line per attempt (path, model, accepted or failure kind with the verdict, ms, tokens; for a
 * streamed attempt its time to first token and whether it was stopped early) and one per skip, discarded
 * streamed attempt (why, and how many chars were taken back), continuation, split and exhaustion, as a run
 * goes. Streams print no line per delta: output stays bounded by the attempts. Returns the function that
 * stops it.
 *
 * Set `RUNGS_LOG` (`1`/`normal`, `quiet`, `verbose`) to get the same lines without code: every primitive
 * then reports through it, on the `events` you pass or, when you pass none, on a process-wide sink.
 *
 * @throws InvalidArgumentError for an unknown `level` or a `write` that is not a function.
 * @example
 * const events = new RungsEvents();
 * const stop = consoleReporter(events, { level: "verbose" });
 * await model.generate({ prompt: "Write a haiku." }, { events });
 * stop();
 */
export function consoleReporter(events: RungsEvents, options: ConsoleReporterOptions = {}): () => void {
  if (typeof (events as Partial<RungsEvents> | undefined)?.on !== "function") {
    throw new InvalidArgumentError({
      parameter: "events",
      value: events,
      message:
        'consoleReporter: "events" must be a RungsEvents (new RungsEvents()), the sink you pass in CallOptions.events.',
    });
  }
  const level = options.level ?? "normal";
  if (!levels.includes(level)) {
    throw new InvalidArgumentError({
      parameter: "level",
      value: level,
      message: `consoleReporter: option "level" must be "quiet", "normal" or "verbose" (got ${JSON.stringify(level)}).`,
    });
  }
  if (options.write !== undefined && typeof options.write !== "function") {
    throw new InvalidArgumentError({
      parameter: "write",
      value: options.write,
      message: 'consoleReporter: option "write" must be a function (line: string) => void.',
    });
  }
  const write = options.write ?? ((line: string) => globalThis.process?.stderr?.write(`${line}\n`));
  // Model ids, answers and error messages come from outside: no raw escape sequence reaches the terminal.
  const out = (line: string) => write(terminalText(`[rungs] ${line}`));
  const normal = level !== "quiet";
  const verbose = level === "verbose";
  const stops: Array<() => void> = [];

  stops.push(
    events.subscribe("rung-skip", ({ path, skip }) =>
      out(`${path} skip rung ${skip.rung} ${skip.modelId}: ${skip.reason} (${skip.detail})`),
    ),
    events.subscribe("run-exhaust", ({ path, limit, attemptCount: attempts }) =>
      out(`${path} exhausted: ${limit} after ${attempts} attempt${attempts === 1 ? "" : "s"}`),
    ),
    events.subscribe("run-warn", ({ path, code, message }) =>
      out(`${path} warning ${code}: ${oneLine(message)}`),
    ),
    // A refused run is as loud as an exhausted one: no model was called, and it stays so until unblocked.
    events.subscribe("task-block", ({ path, taskId, blockedAt }) =>
      out(
        `${path} blocked task ${JSON.stringify(taskId)}: blocked at ${isoTime(blockedAt)}; no model called (unblock it to run it again)`,
      ),
    ),
  );
  if (normal) {
    // Streamed attempts, for their time to first token (the events' own clock, as the attempts' ms).
    const streams = new StreamedAttempts();
    stops.push(
      events.subscribe("attempt-start", ({ path, attempt }) => streams.start(path, attempt.startedAt)),
      events.subscribe("output-stream", ({ path, timestamp }) => {
        const firsts = streams.part(path, timestamp);
        const innermost = firsts[0];
        if (!verbose || innermost === undefined) return;
        const ms = timeToFirstPart(streams.get(innermost));
        out(`${innermost} first token after ${ms ?? "?"}ms`);
      }),
      events.subscribe("attempt-discard", ({ path, attempt, kind, reason, chars, early }) =>
        out(
          `${path} discard ${attempt.modelId}: ${kind}${early ? ", stopped early" : ""}, ${chars} streamed chars taken back: ${oneLine(reason)}`,
        ),
      ),
      events.subscribe("attempt-end", ({ path, attempt }) => {
        out(
          `${path} ${attempt.modelId} ${outcome(attempt)} ${Math.max(0, attempt.endedAt - attempt.startedAt)}ms${tokens(attempt)}${streamed(attempt, timeToFirstPart(streams.end(path)))}`,
        );
        if (verbose && !attempt.accepted) {
          for (const v of attempt.verdict?.violations ?? [])
            out(`  ${v.ruleId}: ${oneLine(v.message ?? "failed")}`);
          if (attempt.error !== undefined) out(`  ${attempt.error.name}: ${oneLine(attempt.error.message)}`);
        }
      }),
      events.subscribe("task-resume", ({ path, resumed }) =>
        out(
          `${path} resumed task ${JSON.stringify(resumed.taskId)} at rung ${resumed.startRung}: ${oneLine(resumed.detail)}`,
        ),
      ),
      events.subscribe("output-continue", ({ path, modelId, continuation, totalChars, finishReason }) =>
        out(
          `${path} continuation ${continuation} on ${modelId}: ${totalChars} chars, finish ${finishReason}`,
        ),
      ),
      events.subscribe("context-split", ({ path, stage, depth, count, chars, detail }) => {
        if (stage === "plan") out(`${path} split: ${count} shards of ${chars} chars`);
        else if (stage === "truncate")
          out(`${path} split truncated at depth ${depth}${detail ? `: ${detail}` : ""}`);
        else if (verbose) out(`${path} split ${stage} (depth ${depth}): ${chars} chars`);
      }),
    );
  }
  if (verbose) {
    stops.push(
      events.subscribe("attempt-start", ({ path, attempt }) =>
        out(
          `${path} start ${attempt.modelId} (rung ${attempt.rung}, prompt ${attempt.promptChars} chars, feedback ${attempt.feedbackChars})`,
        ),
      ),
      events.subscribe("transport-retry", ({ path, modelId, retry }) =>
        out(
          `${path} transport retry ${retry.retry} on ${modelId}: ${retry.kind}${retry.status === undefined ? "" : ` ${retry.status}`}, waiting ${retry.delayMs}ms`,
        ),
      ),
    );
  }
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}
