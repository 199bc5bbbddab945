import type { Attributes, Context, Span, Tracer } from "@opentelemetry/api";
import type { RungsEventName, RungsEvents } from "../events.js";
import { addUsage } from "../model.js";
import { StreamedAttempts } from "../record/streamed-attempts.js";
import { redactText, serializeError } from "../redact.js";
import type { Attempt, Usage } from "../trace.js";
import type { Api } from "./api.js";
import {
  type ContentCapture,
  genAiFinishReason,
  modelAttributes,
  parentOf,
  segmentOf,
  usageAttributes,
} from "./attributes.js";

/** Wall-clock ms since the epoch, on the clock the OTel SDK itself uses (events' timestamps follow the
 * run's injected clock, which a test may stop, so spans are timed when each event arrives). */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Every event name, so a new event is a compile error here until it is forwarded. */
const eventNames: Record<RungsEventName, true> = {
  "attempt-start": true,
  "attempt-end": true,
  "rung-skip": true,
  "output-continue": true,
  "context-split": true,
  "run-exhaust": true,
  "transport-retry": true,
  "task-resume": true,
  "task-block": true,
  "run-warn": true,
  "output-stream": true,
  "attempt-discard": true,
};

/**
 * The spans of one traced run, keyed by event path. A span for a path (`…/escalate`, `…/map[3]`,
 * `…/judge[id]`) is opened by the first event beneath it; an attempt's span by its `attempt-start`. A span
 * ends with its own end event (`attempt-end`, a split node settling) or, at the latest, when its parent ends,
 * so no span outlives the run's, whether it was accepted, exhausted or aborted.
 */
export class SpanTree {
  readonly #open = new Map<string, Span>();
  /** When the last continuation under each path was reported: the next continuation's span starts there. */
  readonly #lastContinuation = new Map<string, number>();
  /** The paths of every attempt started in this run: an attempt beneath one of them is counted by it. */
  readonly #attempts = new Set<string>();
  /** Streamed attempts: when each started and got its first part (wall clock, as the spans). */
  readonly #streams = new StreamedAttempts();
  /**
   * A failed attempt's span, in a streamed run, waits for the attempt's `attempt-discard` (sent right after
   * its `attempt-end`) to carry it as a span event: the end time its `attempt-end` gave, by path.
   */
  readonly #endAt = new Map<string, number>();
  /** Attempts whose discard came while their span was open (a discard sent before its attempt-end). */
  readonly #discarded = new Set<string>();
  #usage: Usage = {};

  constructor(
    readonly api: Api,
    readonly tracer: Tracer,
    readonly root: Span,
    readonly rootPath: string,
    readonly content: ContentCapture | undefined,
    /** Told of a span that would not end (a throwing processor): the other spans still end. */
    readonly report: (error: unknown) => void,
    /** True when the run is streamed: its attempts stream too (`gen_ai.request.stream`). */
    readonly streamed = false,
  ) {}

  #endSpan(span: Span, at: number): void {
    try {
      span.end(at);
    } catch (error) {
      this.report(error);
    }
  }

  /** The context whose active span is `span`. */
  contextOf(span: Span): Context {
    return this.api.trace.setSpan(this.api.context.active(), span);
  }

  #under(path: string): boolean {
    return this.rootPath === "" ? path !== "" : path.startsWith(`${this.rootPath}/`);
  }

  /**
   * Tokens of every attempt of the run that ended, accepted or not: the outermost attempts only, since an
   * attempt's usage already sums everything beneath it (a nested ladder's attempts, continuations).
   */
  get usage(): Usage {
    return { ...this.#usage };
  }

  #countUsage(path: string, usage: Usage): void {
    for (let p = parentOf(path); this.#under(p); p = parentOf(p)) {
      if (this.#attempts.has(p)) return;
    }
    this.#usage = addUsage(this.#usage, usage);
  }

  /** The open span at `path`, or at its nearest ancestor with one (at worst the run's). */
  nearest(path: string): Span {
    for (let p = path; this.#under(p); p = parentOf(p)) {
      const span = this.#open.get(p);
      if (span !== undefined) return span;
    }
    return this.root;
  }

  /** The span of `path`, opened now (under its parent's) when it has none yet. */
  container(path: string): Span {
    if (!this.#under(path)) return this.root;
    const found = this.#open.get(path);
    if (found !== undefined) return found;
    const parent = this.container(parentOf(path));
    const segment = segmentOf(path);
    const attributes: Attributes = { "rungs.path": path };
    const split = /^(map|reduce|answer)\b/.exec(segment)?.[1];
    if (split !== undefined) attributes["rungs.split.stage"] = split;
    const judge = /^judge\[(.*)\]$/.exec(segment)?.[1];
    if (judge !== undefined) attributes["rungs.rule.id"] = judge;
    return this.open(path, `rungs ${segment}`, { attributes }, parent);
  }

  /** Starts a span under `parent` and keeps it open at `path`. */
  open(
    path: string,
    name: string,
    options: { attributes: Attributes; kind?: number; startTime?: number },
    parent: Span,
  ): Span {
    const span = this.tracer.startSpan(
      name,
      {
        attributes: options.attributes,
        startTime: options.startTime ?? wallNow(),
        kind: options.kind ?? this.api.SpanKind.INTERNAL,
      },
      this.contextOf(parent),
    );
    this.#open.set(path, span);
    return span;
  }

  /** True when a span is open at exactly `path`. */
  has(path: string): boolean {
    return this.#open.has(path);
  }

  /** Ends the span at `path` and every open span beneath it, deepest first. */
  end(path: string): void {
    const at = wallNow();
    const prefix = `${path}/`;
    const beneath = [...this.#open.keys()].filter((key) => key.startsWith(prefix));
    beneath.sort((a, b) => b.length - a.length);
    for (const key of [...beneath, path]) {
      const span = this.#open.get(key);
      if (span === undefined) continue;
      this.#endSpan(span, this.#endAt.get(key) ?? at);
      this.#open.delete(key);
      this.#endAt.delete(key);
      this.#lastContinuation.delete(key);
    }
  }

  /** Ends every span still open (the run is over). */
  endAll(): void {
    const at = wallNow();
    const keys = [...this.#open.keys()].sort((a, b) => b.length - a.length);
    for (const key of keys) {
      const span = this.#open.get(key);
      if (span !== undefined) this.#endSpan(span, this.#endAt.get(key) ?? at);
    }
    this.#open.clear();
    this.#endAt.clear();
    this.#discarded.clear();
    this.#lastContinuation.clear();
  }

  /** Records a failure on a span: an exception event (redacted) and status ERROR. */
  fail(span: Span, error: unknown, type?: string): void {
    const serialized = serializeError(error);
    span.recordException({ name: serialized.name, message: serialized.message });
    span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: serialized.message });
    span.setAttribute("error.type", type ?? serialized.name);
  }

  /** Builds spans from a run's events and passes each event on to `forward` (the caller's sink). */
  listen(events: RungsEvents, forward: RungsEvents | undefined): void {
    this.#build(events);
    if (forward === undefined || forward === events) return;
    for (const name of Object.keys(eventNames) as RungsEventName[]) {
      events.on(name, (payload: unknown) => {
        (forward.emit as (n: RungsEventName, p: unknown) => boolean)(name, payload);
      });
    }
  }

  #build(events: RungsEvents): void {
    const { SpanKind, SpanStatusCode } = this.api;
    events.on("attempt-start", ({ path, attempt }) => {
      this.#attempts.add(path);
      const attributes: Attributes = {
        "gen_ai.operation.name": "chat",
        ...modelAttributes(attempt.modelId),
        "rungs.path": path,
        "rungs.model.id": attempt.modelId,
        "rungs.attempt.number": attempt.index,
        "rungs.rung": attempt.rung,
        "rungs.prompt_chars": attempt.promptChars,
        "rungs.feedback_chars": attempt.feedbackChars,
      };
      // The span's start (after its parent's, opened first) is what its time to first chunk is measured from.
      const parent = this.container(parentOf(path));
      const startTime = wallNow();
      if (this.streamed) {
        attributes["gen_ai.request.stream"] = true;
        this.#streams.start(path, startTime);
      }
      this.open(path, `chat ${attempt.modelId}`, { attributes, kind: SpanKind.CLIENT, startTime }, parent);
    });
    events.on("attempt-end", ({ path, attempt }) => {
      this.#countUsage(path, attempt.usage);
      this.#streams.end(path);
      const span = this.#open.get(path);
      if (span !== undefined) this.#finishAttempt(span, attempt);
      const discarded = this.#discarded.delete(path);
      // A streamed attempt that failed is discarded next: its span ends then, at this time.
      if (this.streamed && !attempt.accepted && !discarded && span !== undefined)
        this.#endAt.set(path, wallNow());
      else this.end(path);
    });
    // Time to first token, per attempt: its first delta or tool call (its own or a nested attempt's). The
    // deltas themselves are not recorded: a span event per delta would grow with the output.
    events.on("output-stream", ({ path }) => {
      const at = wallNow();
      for (const first of this.#streams.part(path, at)) {
        const seen = this.#streams.get(first);
        if (seen === undefined) continue;
        this.#open
          .get(first)
          ?.setAttribute("gen_ai.response.time_to_first_chunk", Math.max(0, at - seen.startedAt) / 1000);
      }
    });
    events.on("attempt-discard", ({ path, kind, reason, chars, early }) => {
      const span = this.#open.get(path);
      const attributes: Attributes = {
        "rungs.failure.kind": kind,
        "rungs.discard.reason": redactText(reason),
        "rungs.discard.early": early,
        "rungs.discard.chars": chars,
      };
      if (span === undefined) {
        this.nearest(path).addEvent("rungs.attempt_discard", { "rungs.path": path, ...attributes });
        return;
      }
      const endAt = this.#endAt.get(path);
      span.addEvent("rungs.attempt_discard", attributes, endAt);
      if (endAt !== undefined) this.end(path);
      else this.#discarded.add(path);
    });
    events.on("output-continue", ({ path, modelId, continuation, totalChars, finishReason }) => {
      const parent = this.container(path);
      const at = wallNow();
      const span = this.tracer.startSpan(
        `chat ${modelId}`,
        {
          kind: SpanKind.CLIENT,
          startTime: this.#lastContinuation.get(path) ?? at,
          attributes: {
            "gen_ai.operation.name": "chat",
            ...modelAttributes(modelId),
            "gen_ai.response.finish_reasons": [genAiFinishReason(finishReason)],
            "rungs.path": path,
            "rungs.model.id": modelId,
            "rungs.continuation": continuation,
            "rungs.continuation.total_chars": totalChars,
          },
        },
        this.contextOf(parent),
      );
      span.end(at);
      this.#lastContinuation.set(path, at);
    });
    events.on("context-split", ({ path, stage, depth, count, chars, detail }) => {
      const span = this.container(path);
      if (stage === "plan") {
        span.setAttributes({ "rungs.split.shards": count, "rungs.split.context_chars": chars });
      } else if (stage === "truncate") {
        span.addEvent("rungs.split.truncate", {
          "rungs.split.depth": depth,
          "rungs.split.truncated_chars": chars,
          ...(detail === undefined ? {} : { "rungs.detail": detail }),
        });
      } else {
        // A map or reduce node, or the answer, settled: its span ends here.
        span.setAttributes({ "rungs.split.depth": depth, "rungs.output_chars": chars });
        this.end(path);
      }
    });
    events.on("rung-skip", ({ path, skip }) => {
      this.container(path).addEvent("rungs.rung_skip", {
        "rungs.rung": skip.rung,
        "rungs.model.id": skip.modelId,
        "rungs.skip.reason": skip.reason,
        "rungs.detail": skip.detail,
      });
    });
    events.on("run-exhaust", ({ path, limit, attemptCount: attempts }) => {
      const span = this.container(path);
      span.setAttributes({ "rungs.exhaustion.limit": limit, "rungs.attempts": attempts });
      span.setStatus({ code: SpanStatusCode.ERROR, message: `exhausted: the ${limit} limit fired` });
    });
    events.on("transport-retry", ({ path, modelId, retry }) => {
      this.nearest(path).addEvent("rungs.transport_retry", {
        "rungs.model.id": modelId,
        "rungs.transport_retry.number": retry.retry,
        "rungs.failure.kind": retry.kind,
        "rungs.transport_retry.delay_ms": retry.delayMs,
        ...(retry.status === undefined ? {} : { "http.response.status_code": retry.status }),
      });
    });
    events.on("task-resume", ({ path, resumed }) => {
      this.container(path).addEvent("rungs.task_resume", {
        "rungs.task.id": resumed.taskId,
        "rungs.task.failures": resumed.failures,
        "rungs.rung": resumed.startRung,
        "rungs.detail": resumed.detail,
      });
    });
    events.on("task-block", ({ path, taskId }) => {
      this.container(path).addEvent("rungs.task_blocked", { "rungs.task.id": taskId });
    });
    // Something rungs corrected or refused while the run went on (a usage count dropped, a document cut).
    events.on("run-warn", ({ path, code, message }) => {
      this.nearest(path).addEvent("rungs.warning", { "rungs.warning.code": code, "rungs.detail": message });
    });
  }

  #finishAttempt(span: Span, attempt: Attempt): void {
    const attributes: Attributes = {
      "rungs.attempt.accepted": attempt.accepted,
      ...usageAttributes(attempt.usage),
    };
    if (attempt.finishReason !== undefined)
      attributes["gen_ai.response.finish_reasons"] = [genAiFinishReason(attempt.finishReason)];
    if (attempt.kind !== undefined) attributes["rungs.failure.kind"] = attempt.kind;
    if (attempt.stoppedEarly === true) attributes["rungs.attempt.stopped_early"] = true;
    if (attempt.verdict !== undefined) {
      attributes["rungs.verdict.score"] = attempt.verdict.score;
      attributes["rungs.verdict.accepted"] = attempt.verdict.accepted;
      attributes["rungs.verdict.passed"] = attempt.verdict.passed;
      attributes["rungs.verdict.total"] = attempt.verdict.total;
      const failed = attempt.verdict.violations.map((v) => v.ruleId);
      if (failed.length > 0) attributes["rungs.verdict.violations"] = failed;
    }
    if (this.content !== undefined) {
      attributes["gen_ai.output.messages"] = this.content.output(
        attempt.text,
        attempt.finishReason,
        attempt.toolCalls,
      );
    }
    span.setAttributes(attributes);
    if (attempt.accepted) return;
    if (attempt.error !== undefined) {
      span.recordException({ name: attempt.error.name, message: attempt.error.message });
    }
    span.setStatus({
      code: this.api.SpanStatusCode.ERROR,
      message: attempt.error?.message ?? `attempt failed: ${attempt.kind ?? "rejected"}`,
    });
    span.setAttribute("error.type", attempt.kind ?? attempt.error?.name ?? "rejected");
  }
}
