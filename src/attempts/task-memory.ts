import { type Clock, systemClock } from "../clock.js";
import { BlockedTaskError } from "../errors/blocked-task-error.js";
import { emit, listening, type RungsEvents } from "../events.js";
import type { Failure } from "../messages.js";
import type { StatsStore, TaskAttemptStart, TaskState } from "../record/stats-store.js";
import type { Resumption } from "../trace.js";
import type { NormalizedRung } from "./ladder.js";
import { type Guard, guardedStore } from "./store-guard.js";

/**
 * Failures a store keeps per task for the next run. More would never reach the prompt: the newest fill the
 * default `maxFeedbackChars` long before.
 */
export const taskFeedbackKept = 8;

/** Where one run reports the task's memory. */
export interface TaskMemoryContext {
  store: StatsStore;
  taskId: string;
  guard: Guard;
  /** `whenUnavailable: "fail-closed"`: a store that cannot be read stops the run. */
  failClosed: boolean;
  events: RungsEvents | undefined;
  path: string;
  clock: Clock;
  /** Attempts on one rung that may never end before the task's next run starts above it (`maxUnfinishedAttempts`). */
  maxUnfinishedAttempts?: number;
}

/**
 * Attempts in flight in this process, per store and task id: a mark the store holds for one of them is a
 * live run's (the same task run twice at once in one process), not a dead process's.
 */
const liveAttempts = new WeakMap<object, Map<string, number>>();

function countLive(store: object, taskId: string, change: 1 | -1): void {
  let byTask = liveAttempts.get(store);
  if (byTask === undefined) {
    byTask = new Map();
    liveAttempts.set(store, byTask);
  }
  const n = (byTask.get(taskId) ?? 0) + change;
  if (n > 0) byTask.set(taskId, n);
  else byTask.delete(taskId);
}

/** Whether a stored mark holds an attempt start (a store's answers are untrusted). */
function isAttemptStart(value: unknown): value is TaskAttemptStart {
  const v = value as Partial<TaskAttemptStart>;
  return (
    typeof value === "object" &&
    Number.isSafeInteger(v.rung) &&
    (v.rung as number) >= 0 &&
    typeof v.modelId === "string" &&
    Number.isSafeInteger(v.at) &&
    (v.at as number) >= 0 &&
    (v.at as number) <= 8.64e15
  );
}

/**
 * The state after counting an attempt that never ended (`state.started`) as an `unfinished` failure on its
 * rung, as `recordTaskFailure` stores it.
 */
function withUnfinished(state: TaskState, failure: Failure): TaskState {
  const { rung, modelId, at } = state.started!;
  return {
    failures: state.failures + 1,
    rung,
    modelId,
    feedback: [...state.feedback, failure].slice(-taskFeedbackKept),
    updatedAt: at,
  };
}

/**
 * One task's memory across runs (`metadata.taskId` with a store; docs/escalation.md, *Tasks across runs*):
 * blocked or not, where its earlier runs got to, the failures they left. Every store call goes through the
 * one guarded call: a store that fails is reported (or, fail-closed, stops the run); one that hangs cannot
 * hold the run past the abort or the deadline.
 */
export class TaskMemory {
  readonly #context: TaskMemoryContext;
  /** Whether the store holds a state for the task that an accepted answer must clear. */
  #dirty: boolean;
  /** Whether this run has an attempt marked started in the store and not yet ended. */
  #inFlight = false;
  /** The state the task's earlier runs left, read when the run opened. */
  readonly state: TaskState | undefined;

  private constructor(context: TaskMemoryContext, state: TaskState | undefined) {
    this.#context = context;
    this.state = state;
    this.#dirty = state !== undefined;
  }

  /**
   * Opens the task's memory for one run.
   * @throws BlockedTaskError (after a `task-block` event) when the task is blocked.
   */
  static async open(context: TaskMemoryContext): Promise<TaskMemory> {
    const { store, taskId, guard, failClosed, events, path } = context;
    const clock = context.clock ?? systemClock;
    const blockedAt = await guardedStore(
      () => store.blockedAt(taskId),
      guard,
      failClosed ? "blockedAt" : undefined,
    );
    if (blockedAt !== undefined && typeof blockedAt !== "number") {
      // Untrusted state: a damaged mark is skipped with a warning, never a crash.
      globalThis.process?.emitWarning?.(
        `rungs: the stats store returned a damaged blocked mark for task "${taskId}" (${typeof blockedAt}); the task runs`,
        { code: "RUNGS_STATS_STORE_ERROR" },
      );
    } else if (typeof blockedAt === "number") {
      if (listening(events, "task-block"))
        emit(events, "task-block", { path, timestamp: clock.now(), taskId, blockedAt });
      throw new BlockedTaskError(taskId, blockedAt);
    }
    let state = await guardedStore(
      () => store.getTaskState(taskId),
      guard,
      failClosed ? "getTaskState" : undefined,
    );
    const started = state?.started;
    if (started != null && !isAttemptStart(started)) {
      // Untrusted state: a damaged mark is skipped with a warning, never a crash.
      globalThis.process?.emitWarning?.(
        `rungs: the stats store returned a damaged attempt-in-flight mark for task "${taskId}"; it is not counted`,
        { code: "RUNGS_STATS_STORE_ERROR" },
      );
    } else if (state != null && started != null && !(liveAttempts.get(store)?.has(taskId) ?? false)) {
      // An attempt an earlier run marked started and never ended: the process running it died. It counts
      // as a failure on its rung, so a crash loop escalates (maxUnfinishedAttempts).
      const failure: Failure = {
        attempts: [],
        modelId: started.modelId,
        kind: "unfinished",
        message: `the attempt started at ${new Date(started.at).toISOString()} never ended: the process running it died`,
      };
      const entry = {
        rung: started.rung,
        modelId: started.modelId,
        failure,
        at: started.at,
        keep: taskFeedbackKept,
      };
      await guardedStore(() => store.recordTaskFailure(taskId, entry), guard);
      state = withUnfinished(state, failure);
    }
    return new TaskMemory(context, state ?? undefined);
  }

  /** Where this run starts and why, when earlier runs left a state (a `task-resume` event). */
  resume(rungs: readonly NormalizedRung[]): Resumption | undefined {
    // A state with no failure (only an attempt that started and ended without one) moves nothing.
    if (this.state === undefined || this.state.failures === 0) return undefined;
    const resumed = resumeAt(rungs, this.#context.taskId, this.state, this.#context.maxUnfinishedAttempts);
    const { events, path, clock } = this.#context;
    if (listening(events, "task-resume"))
      emit(events, "task-resume", { path, timestamp: clock.now(), resumed });
    return resumed;
  }

  /** The stored failures as feedback entries marked as coming from an earlier run. */
  earlierFailures(): Failure[] {
    // An unfinished attempt left no answer to learn from: it moves the run, it is not shown to the model.
    return carried(this.state).map((failure) => ({ ...failure, earlierRun: true }));
  }

  /**
   * Marks an attempt started in the store, before its call (when the store keeps attempts in flight), so a
   * process killed during the call leaves evidence the task's next run counts (`maxUnfinishedAttempts`).
   */
  async attemptStarted(rung: NormalizedRung, at: number): Promise<void> {
    const { store, taskId, guard } = this.#context;
    if (store.startTaskAttempt === undefined) return;
    this.#ended();
    countLive(store, taskId, 1);
    this.#inFlight = true;
    this.#dirty = true;
    const attempt = { rung: rung.index, modelId: rung.model.id, at };
    // Never throws: an abort or a spent budget during the write is the attempt's to meet (it releases the
    // breaker's permit and ends as it should), and its end clears the mark.
    await guardedStore(() => store.startTaskAttempt!(taskId, attempt), guard).catch(() => undefined);
  }

  /**
   * The attempt in flight ended without a failure to record (the caller aborted, the shared budget ran
   * out, caller code threw): its mark is cleared, not waited for (the run is already stopping).
   */
  attemptAbandoned(): void {
    if (!this.#inFlight) return;
    this.#ended();
    const { store, taskId } = this.#context;
    // No guard: the caller's signal has fired. A store that fails is reported; one that hangs holds nothing.
    void guardedStore(() => store.endTaskAttempt?.(taskId));
  }

  /** Records one failed attempt, so a process that dies mid-run leaves where it got to. */
  async recordFailure(rung: NormalizedRung, failure: Failure, at: number): Promise<void> {
    const { store, taskId, guard } = this.#context;
    this.#ended();
    const entry = { rung: rung.index, modelId: rung.model.id, failure, at, keep: taskFeedbackKept };
    await guardedStore(() => store.recordTaskFailure(taskId, entry), guard);
    this.#dirty = true;
  }

  /** After an accepted answer: forgets the escalation state, when there is one. */
  async accepted(): Promise<void> {
    this.#ended();
    if (!this.#dirty) return;
    const { store, taskId, guard } = this.#context;
    await guardedStore(() => store.resetTask(taskId), guard);
  }

  /** This process no longer has the attempt in flight. */
  #ended(): void {
    if (!this.#inFlight) return;
    this.#inFlight = false;
    countLive(this.#context.store, this.#context.taskId, -1);
  }

  /** Blocks the task: its ladder was exhausted; later runs throw `BlockedTaskError` until `unblock`. */
  async block(at: number): Promise<void> {
    const { store, taskId, guard } = this.#context;
    await guardedStore(() => store.block(taskId, at), guard);
  }
}

/** The stored failures a run carries as feedback: all but the unfinished attempts. */
function carried(state: TaskState | undefined): Failure[] {
  return (state?.feedback ?? []).filter((failure) => failure.kind !== "unfinished");
}

/** Unfinished attempts on the last failed model, in a row at the end of the stored failures. */
function unfinishedInARow(state: TaskState): number {
  let n = 0;
  for (let i = state.feedback.length - 1; i >= 0; i -= 1) {
    const failure = state.feedback[i]!;
    if (failure.kind !== "unfinished" || failure.modelId !== state.modelId) break;
    n += 1;
  }
  return n;
}

/**
 * Where a run of `taskId` starts, given the escalation state its earlier runs left: on the rung above the
 * one that last failed, the top rung staying the top. The failed rung is found by model id (the ladder may
 * have changed between runs); a model no longer on the ladder starts the run at the bottom. When the last
 * failures were attempts on that rung that never ended (`unfinished`, a process that died), the run stays
 * on the rung until `maxUnfinishedAttempts` of them are in a row, then climbs.
 */
export function resumeAt(
  rungs: readonly NormalizedRung[],
  taskId: string,
  state: TaskState,
  maxUnfinishedAttempts = 1,
): Resumption {
  const top = rungs.length - 1;
  const failedAt =
    rungs[state.rung]?.model.id === state.modelId
      ? state.rung
      : rungs.findIndex((rung) => rung.model.id === state.modelId);
  const unfinished = unfinishedInARow(state);
  const stays = unfinished > 0 && unfinished < maxUnfinishedAttempts;
  const why =
    unfinished === 0
      ? ""
      : `; ${unfinished} attempt(s) there in a row never ended (the process running them died; maxUnfinishedAttempts ${maxUnfinishedAttempts})`;
  const earlier = `task "${taskId}" has failed ${state.failures} attempt(s) since its last accepted answer, the last on "${state.modelId}"${why}`;
  const startRung = failedAt === -1 ? 0 : stays ? failedAt : Math.min(failedAt + 1, top);
  const detail =
    failedAt === -1
      ? `${earlier}, which is not on this ladder: starting at the bottom`
      : stays
        ? `${earlier}: trying rung ${failedAt} ("${state.modelId}") again`
        : failedAt === top
          ? `${earlier}, the top rung: it stays at the top`
          : `${earlier} (rung ${failedAt}): starting at rung ${startRung} ("${rungs[startRung]!.model.id}")`;
  return {
    taskId,
    failures: state.failures,
    failedRung: state.rung,
    failedModelId: state.modelId,
    startRung,
    carriedFailures: carried(state).length,
    detail,
  };
}
