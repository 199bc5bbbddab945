// The store contract (rungs/testing) run against the built-in stores, the JSON-file store in a real temp dir
// (read back through its own view, and through a new instance that reads the file), and against broken stores
// that each check must catch. The Redis store runs it in test/redis/store-contract.test.ts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { jsonFileStatsStore } from "../../src/record/json-file-stats-store.js";
import { memoryStatsStore } from "../../src/record/memory-stats-store.js";
import type { StatsStore } from "../../src/record/stats-store.js";
import { StoreContractError, statsStoreContract } from "../../src/testing/index.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function freshFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rungs-contract-"));
  dirs.push(dir);
  return join(dir, "stats.json");
}

/** A JSON-file store whose every read comes from a new instance that reads the file (after the writes). */
function readingFromDisk(path: string): StatsStore {
  const writer = jsonFileStatsStore(path);
  const reader = async () => {
    await writer.flush();
    // Instances are shared per path in a process; drop it so the next one reads the file afresh.
    (globalThis as Record<symbol, Map<string, unknown>>)[Symbol.for("rungs.jsonFileStatsStores")]!.delete(
      path,
    );
    const fresh = jsonFileStatsStore(path);
    (globalThis as Record<symbol, Map<string, unknown>>)[Symbol.for("rungs.jsonFileStatsStores")]!.set(
      path,
      writer,
    );
    return fresh;
  };
  return {
    record: (entry) => writer.record(entry),
    stats: async (taskClass, modelId) => (await reader()).stats(taskClass, modelId),
    block: (taskId, at) => writer.block(taskId, at),
    blockedAt: async (taskId) => (await reader()).blockedAt(taskId),
    unblock: (taskId) => writer.unblock(taskId),
    recordTaskFailure: (taskId, entry) => writer.recordTaskFailure(taskId, entry),
    getTaskState: async (taskId) => (await reader()).getTaskState(taskId),
    resetTask: (taskId) => writer.resetTask(taskId),
  };
}

describe("statsStoreContract: memoryStatsStore", () => {
  for (const check of statsStoreContract(() => memoryStatsStore())) it(check.name, check.run);
});

describe("statsStoreContract: jsonFileStatsStore in a real temp dir", () => {
  for (const check of statsStoreContract(async () => jsonFileStatsStore(await freshFile())))
    it(check.name, check.run);
});

describe("statsStoreContract: jsonFileStatsStore, every read from a new instance reading the file", () => {
  for (const check of statsStoreContract(async () => readingFromDisk(await freshFile())))
    it(check.name, check.run);
});

describe("statsStoreContract catches a broken store", () => {
  /** The checks that fail against `store`, by name. */
  async function failing(make: () => StatsStore): Promise<string[]> {
    const failed: string[] = [];
    for (const check of statsStoreContract(make, { concurrentWrites: 20 })) {
      try {
        await check.run();
      } catch (error) {
        expect(StoreContractError.isInstance(error), String(error)).toBe(true);
        failed.push(check.name);
      }
    }
    return failed;
  }

  it("passes a correct store built on plain objects, sync and async", async () => {
    expect(await failing(() => memoryStatsStore())).toEqual([]);
    expect(
      await failing(() => {
        const inner = memoryStatsStore();
        const later = <T>(value: T) => new Promise<T>((done) => setTimeout(() => done(value), 1));
        return {
          record: (entry) => later(inner.record(entry)),
          stats: (c, m) => later(inner.stats(c, m)),
          block: (t, at) => later(inner.block(t, at)),
          blockedAt: (t) => later(inner.blockedAt(t)),
          unblock: (t) => later(inner.unblock(t)),
          recordTaskFailure: (t, e) => later(inner.recordTaskFailure(t, e)),
          getTaskState: (t) => later(inner.getTaskState(t)),
          resetTask: (t) => later(inner.resetTask(t)),
        };
      }),
    ).toEqual([]);
  });

  it("names the checks a store with a lost update, a shared answer and an object keyed by id fails", async () => {
    // A read-modify-write across an await: concurrent records overwrite each other.
    const lossy = (): StatsStore => {
      const inner = memoryStatsStore();
      return {
        ...inner,
        record: async (entry) => {
          const before = inner.stats(entry.taskClass, entry.modelId);
          await new Promise((done) => setTimeout(done, 1));
          const now = inner.stats(entry.taskClass, entry.modelId);
          if (now.accepted + now.failed === before.accepted + before.failed) inner.record(entry);
        },
      };
    };
    expect(await failing(lossy)).toEqual([
      "learned stats: record reads its entry when called",
      "learned stats: 20 concurrent records are all counted",
    ]);

    // Task states in a plain object and handed out as they are stored.
    const naive = (): StatsStore => {
      // Without the optional pair: it keeps no attempt in flight.
      const { startTaskAttempt: _start, endTaskAttempt: _end, ...inner } = memoryStatsStore();
      const tasks: Record<string, ReturnType<typeof inner.getTaskState>> = {};
      return {
        ...inner,
        recordTaskFailure: (taskId, entry) => {
          const earlier = tasks[taskId];
          const feedback = [...(earlier?.feedback ?? []), entry.failure].slice(-entry.keep || Infinity);
          tasks[taskId] = {
            failures: (earlier?.failures ?? 0) + 1,
            rung: entry.rung,
            modelId: entry.modelId,
            feedback: entry.keep === 0 ? [] : feedback,
            updatedAt: entry.at,
          };
        },
        getTaskState: (taskId) => tasks[taskId],
        resetTask: (taskId) => {
          delete tasks[taskId];
        },
      };
    };
    expect(await failing(naive)).toEqual([
      "task state: recordTaskFailure stores every field of a failure, and reads its entry when called",
      "task state: getTaskState returns a copy: changing it changes nothing stored",
      "task state: prototype-named task ids are plain keys",
    ]);

    // resetTask that also unblocks, and unblock that answers nothing.
    const sloppy = (): StatsStore => {
      const inner = memoryStatsStore();
      return {
        ...inner,
        unblock: (taskId) => {
          inner.unblock(taskId);
          return undefined as unknown as boolean;
        },
        resetTask: (taskId) => {
          inner.resetTask(taskId);
          inner.unblock(taskId);
        },
      };
    };
    expect(await failing(sloppy)).toEqual([
      "task state: blockedAt is undefined for a task never blocked, unblock of it returns false",
      "task state: block marks a task with its time; unblock returns true once, then false",
      "task state: resetTask forgets the state and leaves the block mark; unblock leaves the state",
      "task state: an attempt in flight: startTaskAttempt marks it, a failure or endTaskAttempt ends it, resetTask forgets it",
      "task state: prototype-named task ids are plain keys",
    ]);
  });

  it("names the check a store fails whose recordTaskFailure leaves the attempt in flight", async () => {
    const sticky = (): StatsStore => {
      const inner = memoryStatsStore();
      return {
        ...inner,
        recordTaskFailure: (taskId, entry) => {
          const started = inner.getTaskState(taskId)?.started;
          inner.recordTaskFailure(taskId, entry);
          if (started !== undefined) inner.startTaskAttempt(taskId, started);
        },
      };
    };
    expect(await failing(sticky)).toEqual([
      "task state: an attempt in flight: startTaskAttempt marks it, a failure or endTaskAttempt ends it, resetTask forgets it",
    ]);
  });

  it("refuses a concurrentWrites that is not a whole number of at least 1", () => {
    expect(() => statsStoreContract(() => memoryStatsStore(), { concurrentWrites: 0 })).toThrow(
      /concurrentWrites/,
    );
  });
});
