import { EventEmitter } from "eventemitter3";
import type { ExhaustionLimit } from "./errors/exhausted-error.js";
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
  attempt: StartedAttempt;
}
/** An attempt ended (accepted, or failed with its `kind`), with everything recorded about it. */
export interface AttemptEndEvent extends EventBase {
  attempt: Attempt;
}
export interface RungSkipEvent extends EventBase {
  skip: Skip;
}
export interface ContinuationEvent extends EventBase {
  modelId: string;
  /** 1-based continuation number. */
  continuation: number;
  /** Characters stitched so far. */
  totalChars: number;
  finishReason: FinishReason;
}
export interface SplitEvent extends EventBase {
  stage: "plan" | "map" | "reduce" | "truncate" | "answer";
  depth: number;
  /** Shards planned (plan) or the node index (map/reduce). */
  count: number;
  chars: number;
  detail?: string;
}
export interface ExhaustedEvent extends EventBase {
  limit: ExhaustionLimit;
  attempts: number;
}
/** A run of a task started from the escalation state its earlier runs left in the stats store. */
export interface TaskResumeEvent extends EventBase {
  resumed: Resumption;
}
export interface TransportRetryEvent extends EventBase {
  modelId: string;
  retry: TransportRetry;
}

/** A run refused before any call: its `metadata.taskId` was given up by an earlier run (see the store). */
export interface TaskBlockedEvent extends EventBase {
  taskId: string;
  /** When the task was given up, ms since the epoch. */
  blockedAt: number;
}

/**
 * Something rungs corrected or refused and the run went on: a usage count that was not a token count
 * (`usage-dropped`), a context document cut at the renderer's cap (`context-capped`), a record that could
 * not be written (`record-failed`).
 */
export interface WarningEvent extends EventBase {
  code: "usage-dropped" | "context-capped" | "record-failed";
  message: string;
  modelId?: string;
}

/** The typed event map (names noun-verb, as the AI SDK's naming rules ask). */
export interface RungsEventMap {
  "attempt-start": (event: AttemptStartEvent) => void;
  "attempt-end": (event: AttemptEndEvent) => void;
  "rung-skip": (event: RungSkipEvent) => void;
  continuation: (event: ContinuationEvent) => void;
  split: (event: SplitEvent) => void;
  exhausted: (event: ExhaustedEvent) => void;
  "transport-retry": (event: TransportRetryEvent) => void;
  "task-resume": (event: TaskResumeEvent) => void;
  warning: (event: WarningEvent) => void;
  "task-blocked": (event: TaskBlockedEvent) => void;
}
export type RungsEventName = keyof RungsEventMap;
export type RungsEventPayload<N extends RungsEventName> = Parameters<RungsEventMap[N]>[0];

type Listener = (...args: unknown[]) => void;
type EventListenerOf<T extends RungsEventName> = EventEmitter.EventListener<RungsEventMap, T>;

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

  override on<T extends RungsEventName>(event: T, fn: EventListenerOf<T>, context?: unknown): this {
    return super.on(event, this.#guard(event, fn as Listener) as EventListenerOf<T>, context);
  }
  override addListener<T extends RungsEventName>(event: T, fn: EventListenerOf<T>, context?: unknown): this {
    return this.on(event, fn, context);
  }
  override once<T extends RungsEventName>(event: T, fn: EventListenerOf<T>, context?: unknown): this {
    return super.once(event, this.#guard(event, fn as Listener) as EventListenerOf<T>, context);
  }
  override off<T extends RungsEventName>(
    event: T,
    fn?: EventListenerOf<T>,
    context?: unknown,
    once?: boolean,
  ): this {
    const guarded = fn === undefined ? undefined : this.#wrapped.get(event)?.get(fn as Listener);
    return super.off(event, (guarded ?? fn) as EventListenerOf<T> | undefined, context, once);
  }
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
