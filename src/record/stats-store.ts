import type { Failure } from "../prompt.js";

/** Judged attempts of one model on one task class. */
export interface RungStats {
  /** Attempts the rubric (or the engine, with no rubric) accepted. */
  accepted: number;
  /** Attempts whose answer failed: empty, cut off, or rejected. Provider failures are not counted here. */
  failed: number;
}

/**
 * One failed attempt of a task, as {@link StatsStore.recordTaskFailure} receives it: the feedback entry the
 * next run will see, and where on the ladder it happened.
 */
export interface TaskFailureEntry {
  /** 0-based ladder position of the rung that failed. */
  rung: number;
  /** That rung's model id (a changed ladder is matched by model id first). */
  modelId: string;
  /** The feedback entry of the failed attempt (kind, message, violated rules, output excerpt). */
  failure: Failure;
  /** When the attempt ended, ms since the epoch. */
  at: number;
  /** Keep at most this many failures for the task, the newest (the store drops older ones). */
  keep: number;
}

/** What a store keeps of one task (`metadata.taskId`) between runs, until an accepted answer resets it. */
export interface TaskState {
  /** Failed attempts since the task's last accepted answer, over every run (consecutive failures). */
  failures: number;
  /** 0-based ladder position of the rung of the last failed attempt. */
  rung: number;
  /** That rung's model id. */
  modelId: string;
  /** The newest failures (at most the `keep` of the last entry), oldest first. */
  feedback: Failure[];
  /** When the last failure was recorded, ms since the epoch. */
  updatedAt: number;
  /**
   * The attempt in flight: set by `startTaskAttempt` before the call, cleared when the attempt ends (its
   * failure recorded, `endTaskAttempt`, or `resetTask` after an accepted answer). Still set when the next run
   * opens, it never ended: the process running it died, and that run counts it as an `unfinished` failure.
   */
  started?: TaskAttemptStart;
}

/** An attempt of a task that has started, as {@link TaskStateStore.startTaskAttempt} receives it. */
export interface TaskAttemptStart {
  /** 0-based ladder position of the attempt's rung. */
  rung: number;
  /** That rung's model id. */
  modelId: string;
  /** When the attempt started, ms since the epoch. */
  at: number;
}

/** A value, or a promise of it: in-memory stores answer at once, file or database stores may not. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * What learned ladders keep (docs/escalation.md, *Learned ladders*): accept and fail counts per `taskClass`
 * and model, so a rung whose accept rate is too low can be skipped. One half of a {@link StatsStore}.
 *
 * For implementers: see {@link StatsStore}; `statsStoreContract` in `rungs/testing` checks an implementation.
 */
export interface LearnedStatsStore {
  /** Counts one judged attempt of `modelId` on `taskClass`: `accepted` or `failed` + 1, in one atomic step. */
  record(entry: { taskClass: string; modelId: string; accepted: boolean }): MaybePromise<void>;
  /** The counts of `modelId` on `taskClass` (a copy; zeros when none). */
  stats(taskClass: string, modelId: string): MaybePromise<RungStats>;
}

/**
 * What task memory keeps per `metadata.taskId` (docs/escalation.md, *Escalation across runs* and *Blocked
 * tasks*): whether the task is blocked, and its escalation state (the rung its last failed attempt reached,
 * and its newest failures), so the next run of a task (a new process included) starts above the rung that
 * failed, with those failures as feedback. One half of a {@link StatsStore}.
 *
 * For implementers: see {@link StatsStore}; `statsStoreContract` in `rungs/testing` checks an implementation.
 */
export interface TaskStateStore {
  /** Marks `taskId` blocked at `at` (ms since the epoch); blocking a blocked task sets the new time. */
  block(taskId: string, at: number): MaybePromise<void>;
  /** When `taskId` was blocked (ms since the epoch), or `undefined` when it is not blocked. */
  blockedAt(taskId: string): MaybePromise<number | undefined>;
  /**
   * Unblocks `taskId`; returns whether it was blocked. The task's escalation state is kept: its next run
   * starts above the rung that last failed (the top rung stays the top). {@link resetTask} forgets it too.
   */
  unblock(taskId: string): MaybePromise<boolean>;
  /**
   * Records one failed attempt of `taskId`, in one atomic step: `failures` + 1, `rung` and `modelId` set
   * to the entry's, a copy of `failure` appended to `feedback`, which then keeps only its newest `keep`
   * entries (a whole number; 0 keeps none), `updatedAt` set to `at`, and `started` cleared (the attempt in
   * flight ended). Creates the state when the task has none. The entry is read when the method is called:
   * changing it afterwards changes nothing stored.
   */
  recordTaskFailure(taskId: string, entry: TaskFailureEntry): MaybePromise<void>;
  /**
   * Marks an attempt of `taskId` started (`started` set to a copy of `attempt`), in one atomic step, before its
   * call: a process killed during the call leaves the mark, and the task's next run counts that attempt as an
   * `unfinished` failure on its rung (docs/escalation.md, *Escalation across runs*). Creates the state when
   * the task has none (`failures` 0, `rung` and `modelId` the attempt's, no feedback, `updatedAt` its `at`).
   * Optional: a store without it (and `endTaskAttempt`) keeps no attempt in flight, so escalation does not
   * survive a crash loop on it.
   */
  startTaskAttempt?(taskId: string, attempt: TaskAttemptStart): MaybePromise<void>;
  /**
   * Clears `started` of `taskId` (an attempt that ended without a failure to record: the caller aborted, the
   * shared budget ran out). Does nothing when there is no state. Optional, with `startTaskAttempt`.
   */
  endTaskAttempt?(taskId: string): MaybePromise<void>;
  /** The escalation state of `taskId` (a copy: changing it changes nothing stored), or `undefined` when none. */
  getTaskState(taskId: string): MaybePromise<TaskState | undefined>;
  /**
   * Forgets the escalation state of `taskId` (called after an accepted answer, and by `rungs unblock
   * --reset`). Leaves the blocked mark alone. Does nothing when there is none.
   */
  resetTask(taskId: string): MaybePromise<void>;
}

/**
 * Where the attempt engine keeps what it learns across runs (docs/architecture.md, *Stores*): the
 * {@link LearnedStatsStore} half (accept and fail counts per task class and model, for learned ladders) and
 * the {@link TaskStateStore} half (blocked tasks and each task's escalation state, for task memory). The
 * engine option `store` takes one object with both. Built in: {@link memoryStatsStore},
 * {@link jsonFileStatsStore} and `redisStatsStore` (rungs/redis); implement this interface for a database,
 * and run `statsStoreContract` from `rungs/testing` against it in your tests.
 *
 * For implementers: every method may answer at once or with a promise, and may be called concurrently by
 * several runs (and, for a shared database, several processes). `record`, `block`, `unblock`,
 * `recordTaskFailure` and `resetTask` each change one key and should do so atomically (e.g. one Redis
 * `MULTI`, one SQL transaction); a reader may see any state some prefix of the writes produced. Any string
 * is a key, `__proto__` and `constructor` included. A method that throws or rejects is reported as a process
 * warning (`RUNGS_STATS_STORE_ERROR`) and the run goes on as if the store knew nothing.
 */
export type StatsStore = LearnedStatsStore & TaskStateStore;

/** A store's whole content as plain data (the JSON file's shape). */
export interface StatsSnapshot {
  /** The snapshot format's version. */
  version: 1;
  /** Counts by task class, then by model id. */
  stats: Record<string, Record<string, RungStats>>;
  /** Blocked task ids, with when (ms since the epoch). */
  blocked: Record<string, number>;
  /** Escalation states by task id (absent in files written before escalation state was kept). */
  tasks?: Record<string, TaskState>;
}

/** The acceptance rate of some counts (`undefined` with no samples). */
export function acceptRate(stats: RungStats): number | undefined {
  const samples = stats.accepted + stats.failed;
  return samples === 0 ? undefined : stats.accepted / samples;
}
