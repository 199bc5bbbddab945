import { mkdir, readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type FailureKind, failureKinds } from "../errors/failure-kind.js";
import { RungsError } from "../errors/rungs-error.js";
import { parseOptions, schemas } from "../options.js";
import { array, literal, number, object, oneOf, record, string } from "../validate/check.js";
import { writeFileAtomicSync } from "./atomic-write.js";
import { type MemoryStatsStore, memoryStatsStore } from "./memory-stats-store.js";
import type { RungStats, StatsSnapshot, StatsStore, TaskFailureEntry, TaskState } from "./stats-store.js";

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
  },
  loose,
);
const fileSchema = object(
  {
    version: literal(1),
    stats: record(record(countsSchema)),
    blocked: record(number()),
    // Absent in files written before escalation state was kept.
    tasks: record(taskSchema).optional(),
  },
  loose,
);

async function load(path: string): Promise<MemoryStatsStore> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
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
  // The parsed JSON itself, once validated: a checked copy could drop a "__proto__" key (a model id or
  // task id like any other), which would lose it on every reload.
  return memoryStatsStore(parsed as StatsSnapshot);
}

/**
 * A {@link StatsStore} kept in one JSON file (`{ version: 1, stats, blocked, tasks }`), read on first use and
 * rewritten atomically after every change (its folder is created if missing). Changes that arrive while a write is running are coalesced into
 * the next write, so a burst of concurrent runs costs a few writes, not one each. Each change's promise
 * resolves once a write holding it is on disk, so a crash loses nothing already recorded.
 *
 * Calls with the same path (after resolving it) in one process return the same store, so they share
 * state. One process should own a file: two processes writing the same file each keep their own counts
 * and the last write wins. A first read that fails is retried on the next use.
 *
 * @throws InvalidArgumentError when `path` is not a non-empty string.
 * @throws RungsError (from the first call) when the file exists but is not valid stats JSON.
 * @example
 * const store = jsonFileStatsStore("./.rungs/stats.json");
 * const model = escalateAcross(ladder, { rubric, store, minAcceptRate: 0.2 });
 */
export function jsonFileStatsStore(path: string): JsonFileStatsStore {
  parseOptions("jsonFileStatsStore", object({ path: schemas.nonEmptyString }), { path });
  // One instance per file in a process (across loaded copies of rungs): two would each keep their own
  // counts and undo each other's writes.
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

function openStore(path: string): JsonFileStatsStore {
  let loaded: Promise<MemoryStatsStore> | undefined;
  const memory = () => {
    // A failed load is not cached: the next use reads the file again (it may have been fixed or freed).
    loaded ??= load(path).catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
  let chain: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  /** Schedules a write after the running one; every change made before it starts is in it. */
  const persist = (): Promise<void> => {
    if (queued !== undefined) return queued;
    const next = chain
      .catch(() => {})
      .then(async () => {
        queued = undefined;
        const store = await memory();
        await mkdir(dirname(path), { recursive: true });
        // The shared atomic writer (temporary file, then rename); the file is small, so sync is fine.
        writeFileAtomicSync(path, `${JSON.stringify(store.toJSON(), null, 2)}\n`);
      });
    queued = next;
    chain = next;
    return next;
  };
  return {
    path,
    async record(entry) {
      (await memory()).record(entry);
      await persist();
    },
    stats: async (taskClass, modelId) => (await memory()).stats(taskClass, modelId),
    async block(taskId, at) {
      (await memory()).block(taskId, at);
      await persist();
    },
    blockedAt: async (taskId) => (await memory()).blockedAt(taskId),
    async unblock(taskId) {
      const was = (await memory()).unblock(taskId);
      if (was) await persist();
      return was;
    },
    async recordTaskFailure(taskId, entry) {
      (await memory()).recordTaskFailure(taskId, entry);
      await persist();
    },
    getTaskState: async (taskId) => (await memory()).getTaskState(taskId),
    async resetTask(taskId) {
      const store = await memory();
      if (store.getTaskState(taskId) === undefined) return;
      store.resetTask(taskId);
      await persist();
    },
    flush: () => chain,
    toJSON: async () => (await memory()).toJSON(),
  };
}
