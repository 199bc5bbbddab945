import { mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type FailureKind, failureKinds } from "../errors/failure-kind.js";
import { RungsError } from "../errors/rungs-error.js";
import { parseOptions, schemas } from "../options.js";
import { readTextLimited } from "../read-limited.js";
import { array, custom, literal, number, object, oneOf, record, string } from "../validate/check.js";
import { writeFileAtomicSync } from "./atomic-write.js";
import { reportDamaged } from "./damaged.js";
import { copyTaskFailureEntry, type MemoryStatsStore, memoryStatsStore } from "./memory-stats-store.js";
import type {
  RungStats,
  StatsSnapshot,
  StatsStore,
  TaskAttemptStart,
  TaskFailureEntry,
  TaskState,
} from "./stats-store.js";

/** A {@link StatsStore} kept in a JSON file. */
export interface JsonFileStatsStore extends StatsStore {
  /** The file's path. */
  readonly path: string;
  record(entry: { taskClass: string; modelId: string; accepted: boolean }): Promise<void>;
  stats(taskClass: string, modelId: string): Promise<RungStats>;
  block(taskId: string, at: number): Promise<void>;
  blockedAt(taskId: string): Promise<number | undefined>;
  unblock(taskId: string): Promise<boolean>;
  recordTaskFailure(taskId: string, entry: TaskFailureEntry): Promise<void>;
  getTaskState(taskId: string): Promise<TaskState | undefined>;
  resetTask(taskId: string): Promise<void>;
  startTaskAttempt(taskId: string, attempt: TaskAttemptStart): Promise<void>;
  endTaskAttempt(taskId: string): Promise<void>;
  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void>;
  /** The whole content as plain data. */
  toJSON(): Promise<StatsSnapshot>;
}

// Keys beyond these are ignored (a later version may add some), as before.
const loose = { unknownKeys: "allow" } as const;
const countsSchema = object({ accepted: schemas.nonNegativeInt, failed: schemas.nonNegativeInt }, loose);
const failureSchema = object(
  {
    attempts: array(number()),
    modelId: string(),
    kind: oneOf<FailureKind>(failureKinds),
    message: string().optional(),
    violations: array(object({ ruleId: string(), message: string() }, loose)).optional(),
    excerpt: string().optional(),
  },
  loose,
);
const taskSchema = object(
  {
    failures: schemas.nonNegativeInt,
    rung: schemas.nonNegativeInt,
    modelId: string(),
    feedback: array(failureSchema),
    updatedAt: number(),
    // Absent in files written before attempts in flight were kept, and whenever none is in flight.
    started: object(
      { rung: schemas.nonNegativeInt, modelId: string(), at: schemas.nonNegativeInt },
      loose,
    ).optional(),
  },
  loose,
);
const fileSchema = object(
  {
    version: literal(1),
    stats: record(custom<unknown>(() => true, "")),
    blocked: record(custom<unknown>(() => true, "")),
    // Absent in files written before escalation state was kept.
    tasks: record(custom<unknown>(() => true, "")).optional(),
  },
  loose,
);

/**
 * The entries of a parsed stats file that hold what they should. A damaged entry (a count that is not a
 * whole number, a task state missing a field) is skipped with a `RUNGS_STATS_STORE_DAMAGED` process
 * warning naming it, so one bad field neither stops the store nor makes every task look new.
 */
function checkedSnapshot(path: string, parsed: Record<string, Record<string, unknown>>): StatsSnapshot {
  const damaged: string[] = [];
  const keep = <T>(
    entries: Record<string, unknown>,
    where: string,
    check: { problem(value: unknown): { message: string; path: PropertyKey[] } | undefined },
  ): Record<string, T> => {
    const out = Object.create(null) as Record<string, T>;
    for (const [key, value] of Object.entries(entries)) {
      const problem = check.problem(value);
      if (problem === undefined) {
        // Defined, not assigned: "__proto__" is a task id like any other.
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      } else
        damaged.push(
          `${where}${JSON.stringify(key)}${problem.path.map((p) => `.${String(p)}`).join("")} (${problem.message})`,
        );
    }
    return out;
  };
  const stats = Object.create(null) as StatsSnapshot["stats"];
  for (const [taskClass, models] of Object.entries(parsed.stats ?? {})) {
    if (typeof models !== "object" || models === null || Array.isArray(models)) {
      damaged.push(`stats.${JSON.stringify(taskClass)} (must be an object)`);
      continue;
    }
    Object.defineProperty(stats, taskClass, {
      value: keep(models as Record<string, unknown>, `stats.${JSON.stringify(taskClass)}.`, countsSchema),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const snapshot: StatsSnapshot = {
    version: 1,
    stats,
    blocked: keep(parsed.blocked ?? {}, "blocked.", schemas.nonNegativeInt),
    tasks: keep(parsed.tasks ?? {}, "tasks.", taskSchema),
  };
  if (damaged.length > 0)
    reportDamaged(
      `Stats file ${path}`,
      damaged.map((entry) => `${entry}; the next write drops it`),
    );
  return snapshot;
}

async function load(path: string): Promise<MemoryStatsStore> {
  let text: string;
  try {
    const read = await readTextLimited(path, maxStatsFileBytes);
    if ("tooLarge" in read)
      throw new RungsError(
        `Stats file ${path} holds over ${maxStatsFileBytes} bytes: it is not a stats file, or it has outgrown one file (rungs/redis holds a fleet's stats).`,
      );
    text = read.text;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return memoryStatsStore();
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RungsError(`Stats file ${path} is not valid JSON: fix it or delete it to start afresh.`, {
      cause: error,
    });
  }
  const problem = fileSchema.problem(parsed);
  if (problem !== undefined) {
    throw new RungsError(
      `Stats file ${path} does not hold rungs stats (${problem.message} at "${problem.path.join(".")}"): ` +
        "fix it or delete it to start afresh.",
    );
  }
  // Entry by entry: a damaged one is skipped with a warning, the rest is used.
  return memoryStatsStore(checkedSnapshot(path, parsed as Record<string, Record<string, unknown>>));
}

/** Most bytes a stats file may hold (it is read whole, and rewritten whole on every change). */
const maxStatsFileBytes = 64 * 1024 * 1024;

/** What identifies one version of the file: a rewrite is a rename, so a new inode (or size, or time). */
async function versionOf(path: string): Promise<string | undefined> {
  try {
    // Nanosecond times: an inode number freed by the rename may be reused by the next write.
    const { ino, size, mtimeNs, ctimeNs } = await stat(path, { bigint: true });
    return `${ino}:${size}:${mtimeNs}:${ctimeNs}`;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return undefined;
    throw error;
  }
}

/** How long a lock may go without its holder refreshing it before another process takes it over (ms). */
const staleLockMs = 5_000;
/** How long a change waits for the lock before it fails (ms): past a stale lock's takeover. */
const lockWaitMs = 15_000;

/**
 * A {@link StatsStore} kept in one JSON file (`{ version: 1, stats, blocked, tasks }`), safe for several
 * processes on one machine. Each change takes the file's lock (a `<file>.lock` directory, through
 * proper-lockfile), reads the file afresh, applies the change to what it read, and rewrites it atomically
 * (a temporary file, then a rename; the folder is created if missing), so no process loses another's
 * update. Changes that arrive while a write is running are applied together in the next one, so a burst
 * of concurrent runs costs a few writes, not one each. Each change's promise resolves once a write holding
 * it is on disk. Reads use the last version this process saw and read the file again when it has changed
 * since (another process wrote it).
 *
 * A lock whose holder died is taken over once it has not been refreshed for 5 s; a change that cannot get
 * the lock within 15 s rejects (the engine reports a store failure as a warning and goes on).
 *
 * Calls with the same path (after resolving it) in one process return the same store. A first read that
 * fails is retried on the next use.
 *
 * @throws InvalidArgumentError when `path` is not a non-empty string.
 * @throws RungsError (from the first call) when the file exists but is not valid stats JSON, or (from a
 *   change) when the lock could not be taken within 15 s.
 * @example
 * const store = jsonFileStatsStore("./.rungs/stats.json");
 * const model = escalateAcross(ladder, { rubric, store, minAcceptRate: 0.2 });
 */
export function jsonFileStatsStore(path: string): JsonFileStatsStore {
  parseOptions("jsonFileStatsStore", object({ path: schemas.nonEmptyString }), { path });
  // One instance per file in a process (across loaded copies of rungs): they share one view and one queue.
  const key = resolve(path);
  const existing = openStores().get(key);
  if (existing !== undefined) return existing;
  const store = openStore(path);
  openStores().set(key, store);
  return store;
}

function openStores(): Map<string, JsonFileStatsStore> {
  const holder = globalThis as Record<symbol, unknown>;
  const registryKey = Symbol.for("rungs.jsonFileStatsStores");
  let stores = holder[registryKey] as Map<string, JsonFileStatsStore> | undefined;
  if (stores === undefined) {
    stores = new Map();
    holder[registryKey] = stores;
  }
  return stores;
}

type Lockfile = typeof import("proper-lockfile");
let lockfile: Promise<Lockfile> | undefined;
// Loaded on the first change, so `import "rungs"` does not pay for it.
const loadLockfile = (): Promise<Lockfile> => {
  lockfile ??= import("proper-lockfile").then(
    (module) => ((module as { default?: Lockfile }).default ?? module) as Lockfile,
  );
  return lockfile;
};

/** Runs `work` holding the file's lock; the lock is released whatever `work` does. */
async function withLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const { lock } = await loadLockfile();
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lock(path, {
      realpath: false,
      stale: staleLockMs,
      retries: { retries: Math.ceil(lockWaitMs / 100), minTimeout: 5, maxTimeout: 100, factor: 1.5 },
      // proper-lockfile's default throws from a timer, which would crash the process.
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    throw new RungsError(
      `Stats file ${path} stayed locked by another process (${path}.lock) for over ${lockWaitMs / 1000} s: ` +
        "wait for it, or delete the lock if no rungs process is running.",
      { cause: error },
    );
  }
  try {
    const result = await work();
    if (compromised !== undefined)
      throw new RungsError(`Stats file ${path}: the lock was lost while writing (${compromised.message}).`, {
        cause: compromised,
      });
    return result;
  } finally {
    await release().catch(() => {});
  }
}

/** A change to the store's content; applied to this process's view at once and to the file under lock. */
type Change<T> = (store: MemoryStatsStore) => T;

function openStore(path: string): JsonFileStatsStore {
  let view: { memory: MemoryStatsStore; version: string | undefined } | undefined;
  let reading: Promise<MemoryStatsStore> | undefined;
  /** This process's view, read again when the file changed since it was last read or written here. */
  const memory = (): Promise<MemoryStatsStore> => {
    reading ??= (async () => {
      const version = await versionOf(path);
      if (view === undefined || view.version !== version) {
        view = { memory: await load(path), version };
        // Changes not yet written stay visible to this process's reads.
        for (const pending of [...writing, ...queue]) pending.change(view.memory);
      }
      return view.memory;
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  };

  interface Pending {
    change: Change<unknown>;
    settle: (value: unknown) => void;
    fail: (error: unknown) => void;
  }
  let queue: Pending[] = [];
  let writing: Pending[] = [];
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;
  /** One write: under the lock, read the file, apply every queued change in order, write it back. */
  const writeQueued = async (): Promise<void> => {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    writing = batch;
    try {
      await mkdir(dirname(path), { recursive: true });
      const results = await withLock(path, async () => {
        const fresh = await load(path);
        const out = batch.map((pending) => pending.change(fresh));
        // The shared atomic writer (temporary file, then rename); the file is small, so sync is fine.
        writeFileAtomicSync(path, `${JSON.stringify(fresh.toJSON(), null, 2)}\n`);
        const version = await versionOf(path);
        view = { memory: fresh, version };
        for (const pending of queue) pending.change(fresh);
        return out;
      });
      for (const [i, pending] of batch.entries()) pending.settle(results[i]);
    } catch (error) {
      for (const pending of batch) pending.fail(error);
    } finally {
      writing = [];
    }
  };
  /** Applies `change` to the view now and to the file in the next write; resolves with the file's result. */
  const apply = async <T>(change: Change<T>): Promise<T> => {
    change(await memory());
    return new Promise<T>((settle, fail) => {
      queue.push({ change, settle: settle as (value: unknown) => void, fail });
      if (!scheduled) {
        scheduled = true;
        chain = chain.then(writeQueued);
      }
    });
  };
  return {
    path,
    // Each change copies its arguments now: it is applied later (to the file), after the caller may have
    // changed the objects it passed.
    record: ({ taskClass, modelId, accepted }) =>
      apply((store) => store.record({ taskClass, modelId, accepted })),
    stats: async (taskClass, modelId) => (await memory()).stats(taskClass, modelId),
    block: (taskId, at) => apply((store) => store.block(taskId, at)),
    blockedAt: async (taskId) => (await memory()).blockedAt(taskId),
    unblock: (taskId) => apply((store) => store.unblock(taskId)),
    recordTaskFailure: (taskId, entry) => {
      const copy = copyTaskFailureEntry(entry);
      return apply((store) => store.recordTaskFailure(taskId, copy));
    },
    getTaskState: async (taskId) => (await memory()).getTaskState(taskId),
    resetTask: (taskId) => apply((store) => store.resetTask(taskId)),
    startTaskAttempt: (taskId, { rung, modelId, at }) =>
      apply((store) => store.startTaskAttempt(taskId, { rung, modelId, at })),
    endTaskAttempt: (taskId) => apply((store) => store.endTaskAttempt(taskId)),
    flush: () => chain,
    toJSON: async () => (await memory()).toJSON(),
  };
}
