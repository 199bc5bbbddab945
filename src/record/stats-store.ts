/** Judged attempts of one model on one task class. */
export interface RungStats {
  /** Attempts the rubric (or the engine, with no rubric) accepted. */
  accepted: number;
  /** Attempts whose answer failed: empty, cut off, or rejected. Provider failures are not counted here. */
  failed: number;
}

/** A value, or a promise of it: in-memory stores answer at once, file or database stores may not. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Where the attempt engine keeps what it learns across runs (DESIGN.md section 3): accept and fail counts
 * per `taskClass` and model (learned ladders skip a rung whose rate is too low), and given-up tasks (a task
 * whose ladder was exhausted stays blocked until `unblock`). Built in: {@link memoryStatsStore} and
 * {@link jsonFileStatsStore}; implement this interface for a database.
 */
export interface StatsStore {
  /** Counts one judged attempt of `modelId` on `taskClass`. */
  record(entry: { taskClass: string; modelId: string; accepted: boolean }): MaybePromise<void>;
  /** The counts of `modelId` on `taskClass` (zeros when none). */
  stats(taskClass: string, modelId: string): MaybePromise<RungStats>;
  /** Marks `taskId` given up at `at` (ms since the epoch). */
  giveUp(taskId: string, at: number): MaybePromise<void>;
  /** When `taskId` was given up, or `undefined` when it is not blocked. */
  givenUpAt(taskId: string): MaybePromise<number | undefined>;
  /** Unblocks `taskId`; returns whether it was blocked. */
  unblock(taskId: string): MaybePromise<boolean>;
}

/** A store's whole content as plain data (the JSON file's shape). */
export interface StatsSnapshot {
  version: 1;
  /** Counts by task class, then by model id. */
  stats: Record<string, Record<string, RungStats>>;
  /** Given-up task ids, with when (ms since the epoch). */
  givenUp: Record<string, number>;
}

/** The acceptance rate of some counts (`undefined` with no samples). */
export function acceptRate(stats: RungStats): number | undefined {
  const samples = stats.accepted + stats.failed;
  return samples === 0 ? undefined : stats.accepted / samples;
}
