import type { Failure } from "../prompt.js";
import type {
  RungStats,
  StatsSnapshot,
  StatsStore,
  TaskAttemptStart,
  TaskFailureEntry,
  TaskState,
} from "./stats-store.js";

/** An in-memory {@link StatsStore} that can also hand over its content. */
export interface MemoryStatsStore extends StatsStore {
  record(entry: { taskClass: string; modelId: string; accepted: boolean }): void;
  stats(taskClass: string, modelId: string): RungStats;
  block(taskId: string, at: number): void;
  blockedAt(taskId: string): number | undefined;
  unblock(taskId: string): boolean;
  recordTaskFailure(taskId: string, entry: TaskFailureEntry): void;
  getTaskState(taskId: string): TaskState | undefined;
  resetTask(taskId: string): void;
  startTaskAttempt(taskId: string, attempt: TaskAttemptStart): void;
  endTaskAttempt(taskId: string): void;
  /** The whole content as plain data (a copy). */
  toJSON(): StatsSnapshot;
}

const copyFailure = (f: Failure): Failure => {
  const copy: Failure = { ...f, attempts: [...f.attempts] };
  if (f.violations !== undefined) copy.violations = f.violations.map((v) => ({ ...v }));
  return copy;
};

/** A copy of a failure entry: a store keeps what it was given at the call, whatever the caller does next. */
export const copyTaskFailureEntry = (entry: TaskFailureEntry): TaskFailureEntry => ({
  rung: entry.rung,
  modelId: entry.modelId,
  failure: copyFailure(entry.failure),
  at: entry.at,
  keep: entry.keep,
});

const copyState = (state: TaskState): TaskState => {
  const { started, ...rest } = state;
  const copy: TaskState = { ...rest, feedback: state.feedback.map(copyFailure) };
  if (started !== undefined) copy.started = { rung: started.rung, modelId: started.modelId, at: started.at };
  return copy;
};

/**
 * A {@link StatsStore} in memory: for one process, for tests, and as the core of the JSON-file store.
 * @param initial Content to start from (e.g. a snapshot from `toJSON()`); it is copied.
 * @example
 * const store = memoryStatsStore();
 * const model = escalateAcross([small, large], { rubric, store, minAcceptRate: 0.3, minSamples: 5 });
 */
export function memoryStatsStore(initial?: StatsSnapshot): MemoryStatsStore {
  const stats = new Map<string, Map<string, RungStats>>();
  const blocked = new Map<string, number>(Object.entries(initial?.blocked ?? {}));
  const tasks = new Map<string, TaskState>(
    Object.entries(initial?.tasks ?? {}).map(([id, state]) => [id, copyState(state)]),
  );
  for (const [taskClass, models] of Object.entries(initial?.stats ?? {})) {
    stats.set(
      taskClass,
      new Map(Object.entries(models).map(([id, s]) => [id, { accepted: s.accepted, failed: s.failed }])),
    );
  }
  return {
    record({ taskClass, modelId, accepted }) {
      let models = stats.get(taskClass);
      if (models === undefined) {
        models = new Map();
        stats.set(taskClass, models);
      }
      let counts = models.get(modelId);
      if (counts === undefined) {
        counts = { accepted: 0, failed: 0 };
        models.set(modelId, counts);
      }
      if (accepted) counts.accepted += 1;
      else counts.failed += 1;
    },
    stats(taskClass, modelId) {
      const counts = stats.get(taskClass)?.get(modelId);
      return counts === undefined ? { accepted: 0, failed: 0 } : { ...counts };
    },
    block(taskId, at) {
      blocked.set(taskId, at);
    },
    blockedAt: (taskId) => blocked.get(taskId),
    unblock: (taskId) => blocked.delete(taskId),
    recordTaskFailure(taskId, { rung, modelId, failure, at, keep }) {
      const earlier = tasks.get(taskId);
      const feedback = [...(earlier?.feedback ?? []), copyFailure(failure)];
      tasks.set(taskId, {
        failures: (earlier?.failures ?? 0) + 1,
        rung,
        modelId,
        feedback: feedback.slice(Math.max(0, feedback.length - Math.max(0, keep))),
        updatedAt: at,
      });
    },
    startTaskAttempt(taskId, { rung, modelId, at }) {
      const earlier = tasks.get(taskId);
      tasks.set(
        taskId,
        earlier === undefined
          ? { failures: 0, rung, modelId, feedback: [], updatedAt: at, started: { rung, modelId, at } }
          : { ...earlier, started: { rung, modelId, at } },
      );
    },
    endTaskAttempt(taskId) {
      const earlier = tasks.get(taskId);
      if (earlier === undefined) return;
      const { started: _ended, ...rest } = earlier;
      tasks.set(taskId, rest);
    },
    getTaskState(taskId) {
      const state = tasks.get(taskId);
      return state === undefined ? undefined : copyState(state);
    },
    resetTask(taskId) {
      tasks.delete(taskId);
    },
    toJSON() {
      // fromEntries defines own properties, so a task class named "__proto__" stays data.
      return {
        version: 1,
        stats: Object.fromEntries(
          [...stats].map(([taskClass, models]) => [
            taskClass,
            Object.fromEntries([...models].map(([id, s]) => [id, { ...s }])),
          ]),
        ),
        blocked: Object.fromEntries(blocked),
        tasks: Object.fromEntries([...tasks].map(([id, state]) => [id, copyState(state)])),
      };
    },
  };
}
