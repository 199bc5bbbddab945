import { EventEmitter } from "eventemitter3";
import type { ExhaustionLimit } from "./errors/exhausted-error.js";
import type { FailureKind } from "./errors/failure-kind.js";
import type { TextDeltaPart, ToolCallPart } from "./stream/delta-parts.js";
import type { Attempt, FinishReason, Resumption, Skip, TransportRetry } from "./trace.js";

/** Fields every event carries. */
export interface EventBase {
  /** Where in the nested primitives the event happened, e.g. `treeSplit/map[3]/escalate/attempt[2]`. */
  path: string;
  /** When, in ms since the epoch (from the injected clock). */
  timestamp: number;
}

/** An attempt as it starts: the fields of {@link Attempt} known before the call. */
export type StartedAttempt = Pick<
  Attempt,
  "index" | "rung" | "modelId" | "path" | "startedAt" | "promptChars" | "feedbackChars"
>;

/** An attempt is about to call its rung's model. `attempt` has the same field names as `attempt-end`'s. */
export interface AttemptStartEvent extends EventBase {
  /** The attempt as it starts: index, rung, model id, start time, prompt and feedback sizes. */
  attempt: StartedAttempt;
}
/** An attempt ended (accepted, or failed with its `kind`), with everything recorded about it. */
export interface AttemptEndEvent extends EventBase {
  /** The finished attempt: outcome, failure kind, text, verdict, usage, timings. */
  attempt: Attempt;
}
/** A rung was passed over (disabled, circuit open, learned, budget, ...); skips are never silent. */
export interface RungSkipEvent extends EventBase {
  /** The rung skipped, and why. */
  skip: Skip;
}
/** A cut-off output was continued: one more call, stitched onto the text so far. */
export interface OutputContinueEvent extends EventBase {
  /** The model that produced the continuation. */
  modelId: string;
  /** 1-based continuation number. */
  continuation: number;
  /** Characters stitched so far. */
  totalChars: number;
  /** Why the continuation ended (`length`: it will be continued again, within the limits). */
  finishReason: FinishReason;
}
/** A tree-split's progress: the plan, each map or reduce node as it settles, a truncation, the answer. */
export interface ContextSplitEvent extends EventBase {
  /** Which step: `plan` (shards decided), a `map` or `reduce` node settled, `truncate`, or the `answer`. */
  stage: "plan" | "map" | "reduce" | "truncate" | "answer";
  /** Tree depth (0 for the plan and map nodes, the reduce level for reduce nodes). */
  depth: number;
  /** Shards planned (plan) or the node index (map/reduce). */
  count: number;
  /** Characters: of the whole context (plan), of a node's output (map, reduce, answer), or cut (truncate). */
  chars: number;
  /** Words on what happened (a truncation's reason). */
  detail?: string;
}
/** An engine gave up: no attempt was accepted and a limit fired. */
export interface RunExhaustEvent extends EventBase {
  /** The limit that fired. */
  limit: ExhaustionLimit;
  /** Attempts the engine made. */
  attemptCount: number;
}
/** A run of a task started from the escalation state its earlier runs left in the stats store. */
export interface TaskResumeEvent extends EventBase {
  /** Where the run started and why. */
  resumed: Resumption;
}
/** A provider retried a call at the transport level (429, 5xx, network); not an attempt. */
export interface TransportRetryEvent extends EventBase {
  /** The model whose call was retried. */
  modelId: string;
  /** The retry: its number, failure kind, status and the delay slept. */
  retry: TransportRetry;
}

/** A run refused before any call: its `metadata.taskId` was blocked by an earlier run (see the store). */
export interface TaskBlockEvent extends EventBase {
  /** The task's id (`metadata.taskId`). */
  taskId: string;
  /** When the task was blocked, ms since the epoch. */
  blockedAt: number;
}

/**
 * Something rungs corrected or refused and the run went on: a usage count that was not a token count
 * (`usage-dropped`), a context document cut at the renderer's cap (`context-capped`), a record that could
 * not be written (`record-failed`).
 */
export interface RunWarnEvent extends EventBase {
  /** What happened: `usage-dropped`, `context-capped` or `record-failed`. */
  code: "usage-dropped" | "context-capped" | "record-failed";
  /** What was corrected or refused, and why, in rungs' words (secrets masked). */
  message: string;
  /** The model concerned, when there is one. */
  modelId?: string;
}

/** A streaming leaf model sent a part: a text delta or a complete tool call (one event per part). */
export interface OutputStreamEvent extends EventBase {
  /** The model streaming (the leaf). */
  modelId: string;
  /** The part, as the stream yields it. */
  part: TextDeltaPart | ToolCallPart;
  /** Characters of text this call has streamed so far, this part's included. */
  chars: number;
}
/**
 * A streamed attempt was discarded: its deltas are not the answer (a `discard` stream part). Sent right after
 * its `attempt-end`, which has the whole record.
 */
export interface AttemptDiscardEvent extends EventBase {
  /** The attempt's index, rung and model. */
  attempt: Pick<Attempt, "index" | "rung" | "modelId">;
  /** The attempt's failure kind. */
  kind: FailureKind;
  /** Why, in words (failed rules, or the error's message). */
  reason: string;
  /** Characters the attempt had streamed. */
  chars: number;
  /** True when a prefix failed a rule and the provider's stream was cancelled before its end. */
  early: boolean;
}

/** The typed event map (names noun-verb, as the AI SDK's naming rules ask). */
export interface RungsEventMap {
  /** An attempt is about to call its rung's model. */
  "attempt-start": (event: AttemptStartEvent) => void;
  /** An attempt ended, accepted or with its failure kind. */
  "attempt-end": (event: AttemptEndEvent) => void;
  /** A rung was passed over. */
  "rung-skip": (event: RungSkipEvent) => void;
  /** A cut-off output was continued. */
  "output-continue": (event: OutputContinueEvent) => void;
  /** A tree-split planned, settled a node, truncated or answered. */
  "context-split": (event: ContextSplitEvent) => void;
  /** An engine gave up (a limit fired). */
  "run-exhaust": (event: RunExhaustEvent) => void;
  /** A provider retried a call at the transport level. */
  "transport-retry": (event: TransportRetryEvent) => void;
  /** A task's run started from its stored escalation state. */
  "task-resume": (event: TaskResumeEvent) => void;
  /** rungs corrected or refused something and the run went on (usage dropped, a document cut, a record not written). */
  "run-warn": (event: RunWarnEvent) => void;
  /** A task blocked earlier was refused before any call. */
  "task-block": (event: TaskBlockEvent) => void;
  /** A streaming leaf model sent a text delta or a tool call. */
  "output-stream": (event: OutputStreamEvent) => void;
  /** A streamed attempt was discarded (rejected; stopped early when a prefix failed a rule). */
  "attempt-discard": (event: AttemptDiscardEvent) => void;
}
/** The name of a rungs event: `attempt-start`, `attempt-end`, `rung-skip`, `output-continue`, ... */
export type RungsEventName = keyof RungsEventMap;
/** The payload of the event named `N`. */
export type RungsEventPayload<N extends RungsEventName> = Parameters<RungsEventMap[N]>[0];

type Listener = (...args: unknown[]) => void;
type EventListenerOf<T extends RungsEventName> = EventEmitter.EventListener<RungsEventMap, T>;

/** The process's `RUNGS_LOG` reporter, installed once (report/env-log.ts) when the variable asks for one. */
let processReporter: { attach: (events: RungsEvents) => void; sink: RungsEvents | undefined } | undefined;

/**
 * Installs the process's reporter: `attach` is called on every {@link RungsEvents} made from now on, and a
 * process-wide sink (reported the same way) serves calls that pass none. Called once, where `RUNGS_LOG` is
 * read. @internal
 */
export function installProcessReporter(attach: (events: RungsEvents) => void): void {
  processReporter = { attach, sink: undefined };
  processReporter.sink = new RungsEvents();
}

/** Set while a private sink is made: the process's reporter is not attached to it. */
let makingPrivate = false;

/**
 * A sink the process's `RUNGS_LOG` reporter does not hear: a wrapper's own sink whose events it forwards to
 * the caller's (or the process's, {@link withProcessSink}), which the reporter hears once. @internal
 */
export function privateSink(options?: ConstructorParameters<typeof RungsEvents>[0]): RungsEvents {
  makingPrivate = true;
  try {
    return new RungsEvents(options);
  } finally {
    makingPrivate = false;
  }
}

/** The options with the process-wide sink as `events` when none was given and a reporter is installed. */
export function withProcessSink<T extends { events?: RungsEvents | undefined }>(options: T): T {
  const sink = processReporter?.sink;
  return options.events !== undefined || sink === undefined ? options : { ...options, events: sink };
}

/**
 * The event sink passed in `CallOptions.events`. A typed eventemitter3 emitter whose listeners are
 * guarded: a listener that throws is reported once (through `onListenerError`, by default a process
 * warning `RUNGS_LISTENER_ERROR`) and never breaks a run or stops the other listeners.
 *
 * @example
 * const events = new RungsEvents();
 * events.on("attempt-end", ({ attempt, path }) => console.log(path, attempt.kind ?? "accepted"));
 * await model.generate(request, { events });
 */
export class RungsEvents extends EventEmitter<RungsEventMap> {
  // Per event name, the guarded wrapper of each listener. Weak, so a removed listener is not kept alive.
  readonly #wrapped = new Map<string, WeakMap<Listener, Listener>>();
  readonly #reported = new WeakSet<Listener>();
  readonly #onListenerError: (error: unknown, event: string) => void;

  constructor(options: { onListenerError?: (error: unknown, event: string) => void } = {}) {
    super();
    this.#onListenerError =
      options.onListenerError ??
      ((error, event) =>
        globalThis.process?.emitWarning?.(
          `A "${event}" listener threw (reported once per listener; the run goes on): ${error instanceof Error ? error.message : String(error)}`,
          { code: "RUNGS_LISTENER_ERROR" },
        ));
    // The process's RUNGS_LOG reporter, when one is installed, hears every sink.
    if (!makingPrivate) processReporter?.attach(this);
  }

  #guard(event: string, fn: Listener): Listener {
    let byListener = this.#wrapped.get(event);
    if (byListener === undefined) {
      byListener = new WeakMap();
      this.#wrapped.set(event, byListener);
    }
    let guarded = byListener.get(fn);
    if (guarded === undefined) {
      guarded = (...args: unknown[]) => {
        try {
          fn(...args);
        } catch (error) {
          if (!this.#reported.has(fn)) {
            this.#reported.add(fn);
            try {
              this.#onListenerError(error, event);
            } catch {
              // A failing reporter must not break the run either.
            }
          }
        }
      };
      byListener.set(fn, guarded);
    }
    return guarded;
  }

  /** Adds a listener, guarded: if it throws, the error is reported once and the run goes on. */
  override on<T extends RungsEventName>(event: T, fn: EventListenerOf<T>, context?: unknown): this {
    return super.on(event, this.#guard(event, fn as Listener) as EventListenerOf<T>, context);
  }
  /** Same as {@link RungsEvents.on}. */
  override addListener<T extends RungsEventName>(event: T, fn: EventListenerOf<T>, context?: unknown): this {
    return this.on(event, fn, context);
  }
  /** Adds a listener called once, guarded like {@link RungsEvents.on}. */
  override once<T extends RungsEventName>(event: T, fn: EventListenerOf<T>, context?: unknown): this {
    return super.once(event, this.#guard(event, fn as Listener) as EventListenerOf<T>, context);
  }
  /** Removes a listener added with `on`, `addListener` or `once` (all of them, without `fn`). */
  override off<T extends RungsEventName>(
    event: T,
    fn?: EventListenerOf<T>,
    context?: unknown,
    once?: boolean,
  ): this {
    const guarded = fn === undefined ? undefined : this.#wrapped.get(event)?.get(fn as Listener);
    return super.off(event, (guarded ?? fn) as EventListenerOf<T> | undefined, context, once);
  }
  /** Same as {@link RungsEvents.off}. */
  override removeListener<T extends RungsEventName>(
    event: T,
    fn?: EventListenerOf<T>,
    context?: unknown,
    once?: boolean,
  ): this {
    return this.off(event, fn, context, once);
  }

  /**
   * Subscribes and returns the function that unsubscribes (as cockatiel and hookable do).
   * @example const stop = events.subscribe("rung-skip", (e) => log(e.skip)); ... stop();
   */
  subscribe<T extends RungsEventName>(event: T, fn: EventListenerOf<T>): () => void {
    this.on(event, fn);
    return () => this.off(event, fn);
  }
}

/**
 * True when `events` has a listener for `name`. Call sites build a payload only then, so events cost nothing
 * when no sink listens (a sink without `listenerCount` counts as listening).
 */
export function listening(events: RungsEvents | undefined, name: RungsEventName): events is RungsEvents {
  if (events === undefined) return false;
  const count = (events as { listenerCount?: (event: string) => number }).listenerCount;
  return typeof count !== "function" || count.call(events, name) > 0;
}

/** Emits on an optional sink. Emission never throws: listeners are guarded by {@link RungsEvents}. */
export function emit<N extends RungsEventName>(
  events: RungsEvents | undefined,
  name: N,
  payload: RungsEventPayload<N>,
): void {
  if (events === undefined) return;
  try {
    (events.emit as (name: N, payload: RungsEventPayload<N>) => boolean)(name, payload);
  } catch {
    // A plain eventemitter3 emitter passed in by a caller has unguarded listeners; a run never breaks on them.
  }
}

/** Joins an event path: `joinPath("treeSplit", "map[3]")` is `"treeSplit/map[3]"`. */
export function joinPath(parent: string | undefined, segment: string): string {
  return parent === undefined || parent === "" ? segment : `${parent}/${segment}`;
}
