import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { type FailureKind, failureKinds } from "../errors/failure-kind.js";
import { RungsError } from "../errors/rungs-error.js";
import { parseOptions, schemas } from "../options.js";
import { writeFileAtomicSync } from "./atomic-write.js";
import { type MemoryStatsStore, memoryStatsStore } from "./memory-stats-store.js";
import type { RungStats, StatsSnapshot, StatsStore, TaskFailureEntry, TaskState } from "./stats-store.js";

/** A {@link StatsStore} kept in a JSON file. */
export interface JsonFileStatsStore extends StatsStore {
  /** The file's path. */
  readonly path: string;
  record(entry: { taskClass: string; modelId: string; accepted: boolean }): Promise<void>;
  stats(taskClass: string, modelId: string): Promise<RungStats>;
  giveUp(taskId: string, at: number): Promise<void>;
  givenUpAt(taskId: string): Promise<number | undefined>;
  unblock(taskId: string): Promise<boolean>;
  recordTaskFailure(taskId: string, entry: TaskFailureEntry): Promise<void>;
  getTaskState(taskId: string): Promise<TaskState | undefined>;
  resetTask(taskId: string): Promise<void>;
  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void>;
  /** The whole content as plain data. */
  toJSON(): Promise<StatsSnapshot>;
}

const countsSchema = z.object({ accepted: schemas.nonNegativeInt, failed: schemas.nonNegativeInt });
const failureSchema = z.object({
  attempts: z.array(z.number()),
  modelId: z.string(),
  kind: z.enum(failureKinds as [FailureKind, ...FailureKind[]]),
  message: z.string().optional(),
  violations: z.array(z.object({ ruleId: z.string(), message: z.string() })).optional(),
  excerpt: z.string().optional(),
});
const taskSchema = z.object({
  failures: schemas.nonNegativeInt,
  rung: schemas.nonNegativeInt,
  modelId: z.string(),
  feedback: z.array(failureSchema),
  updatedAt: z.number(),
});
const fileSchema = z.object({
  version: z.literal(1),
  stats: z.record(z.string(), z.record(z.string(), countsSchema)),
  givenUp: z.record(z.string(), z.number()),
  // Absent in files written before escalation state was kept.
  tasks: z.record(z.string(), taskSchema).optional(),
});

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
  const result = fileSchema.safeParse(parsed);
  if (!result.success) {
    throw new RungsError(
      `Stats file ${path} does not hold rungs stats (${result.error.issues[0]?.message ?? "bad shape"} at ` +
        `"${result.error.issues[0]?.path.join(".") ?? ""}"): fix it or delete it to start afresh.`,
    );
  }
  return memoryStatsStore(result.data as StatsSnapshot);
}

/**
 * A {@link StatsStore} kept in one JSON file (`{ version: 1, stats, givenUp, tasks }`), read on first use and
 * rewritten atomically after every change (its folder is created if missing). Changes that arrive while a write is running are coalesced into
 * the next write, so a burst of concurrent runs costs a few writes, not one each. Each change's promise
 * resolves once a write holding it is on disk, so a crash loses nothing already recorded.
 *
 * One process should own a file: two processes writing the same file each keep their own counts and the
 * last write wins.
 *
 * @throws InvalidArgumentError when `path` is not a non-empty string.
 * @throws RungsError (from the first call) when the file exists but is not valid stats JSON.
 * @example
 * const store = jsonFileStatsStore("./.rungs/stats.json");
 * const model = escalateAcross(ladder, { rubric, store, minAcceptRate: 0.2 });
 */
export function jsonFileStatsStore(path: string): JsonFileStatsStore {
  parseOptions("jsonFileStatsStore", z.object({ path: schemas.nonEmptyString }), { path });
  let loaded: Promise<MemoryStatsStore> | undefined;
  const memory = () => {
    loaded ??= load(path);
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
    async giveUp(taskId, at) {
      (await memory()).giveUp(taskId, at);
      await persist();
    },
    givenUpAt: async (taskId) => (await memory()).givenUpAt(taskId),
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
