import { type Clock, systemClock } from "../clock.js";
import { BlockedTaskError } from "../errors/blocked-task-error.js";
import { emit, listening, type RungsEvents } from "../events.js";
import type { Failure } from "../messages.js";
import type { StatsStore, TaskState } from "../record/stats-store.js";
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
    const state = await guardedStore(
      () => store.getTaskState(taskId),
      guard,
      failClosed ? "getTaskState" : undefined,
    );
    return new TaskMemory(context, state ?? undefined);
  }

  /** Where this run starts and why, when earlier runs left a state (a `task-resume` event). */
  resume(rungs: readonly NormalizedRung[]): Resumption | undefined {
    if (this.state === undefined) return undefined;
    const resumed = resumeAt(rungs, this.#context.taskId, this.state);
    const { events, path, clock } = this.#context;
    if (listening(events, "task-resume"))
      emit(events, "task-resume", { path, timestamp: clock.now(), resumed });
    return resumed;
  }

  /** The stored failures as feedback entries marked as coming from an earlier run. */
  earlierFailures(): Failure[] {
    return (this.state?.feedback ?? []).map((failure) => ({ ...failure, earlierRun: true }));
  }

  /** Records one failed attempt, so a process that dies mid-run leaves where it got to. */
  async recordFailure(rung: NormalizedRung, failure: Failure, at: number): Promise<void> {
    const { store, taskId, guard } = this.#context;
    const entry = { rung: rung.index, modelId: rung.model.id, failure, at, keep: taskFeedbackKept };
    await guardedStore(() => store.recordTaskFailure(taskId, entry), guard);
    this.#dirty = true;
  }

  /** After an accepted answer: forgets the escalation state, when there is one. */
  async accepted(): Promise<void> {
    if (!this.#dirty) return;
    const { store, taskId, guard } = this.#context;
    await guardedStore(() => store.resetTask(taskId), guard);
  }

  /** Blocks the task: its ladder was exhausted; later runs throw `BlockedTaskError` until `unblock`. */
  async block(at: number): Promise<void> {
    const { store, taskId, guard } = this.#context;
    await guardedStore(() => store.block(taskId, at), guard);
  }
}

/**
 * Where a run of `taskId` starts, given the escalation state its earlier runs left: on the rung above the
 * one that last failed, the top rung staying the top. The failed rung is found by model id (the ladder may
 * have changed between runs); a model no longer on the ladder starts the run at the bottom.
 */
export function resumeAt(rungs: readonly NormalizedRung[], taskId: string, state: TaskState): Resumption {
  const top = rungs.length - 1;
  const failedAt =
    rungs[state.rung]?.model.id === state.modelId
      ? state.rung
      : rungs.findIndex((rung) => rung.model.id === state.modelId);
  const earlier = `task "${taskId}" has failed ${state.failures} attempt(s) since its last accepted answer, the last on "${state.modelId}"`;
  const startRung = failedAt === -1 ? 0 : Math.min(failedAt + 1, top);
  const detail =
    failedAt === -1
      ? `${earlier}, which is not on this ladder: starting at the bottom`
      : failedAt === top
        ? `${earlier}, the top rung: it stays at the top`
        : `${earlier} (rung ${failedAt}): starting at rung ${startRung} ("${rungs[startRung]!.model.id}")`;
  return {
    taskId,
    failures: state.failures,
    failedRung: state.rung,
    failedModelId: state.modelId,
    startRung,
    carriedFailures: state.feedback.length,
    detail,
  };
}
