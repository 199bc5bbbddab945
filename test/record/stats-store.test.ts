import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidArgumentError, RungsError } from "../../src/index.js";
import { jsonFileStatsStore } from "../../src/record/json-file-stats-store.js";
import { memoryStatsStore } from "../../src/record/memory-stats-store.js";
import { acceptRate } from "../../src/record/stats-store.js";
import { captureWarnings } from "../support/warnings.js";

const scratchDirs: string[] = [];
const scratch = async () => {
  const dir = await mkdtemp(join(tmpdir(), "rungs-stats-"));
  scratchDirs.push(dir);
  return dir;
};
afterEach(async () => {
  await Promise.all(scratchDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("memoryStatsStore", () => {
  it("counts per task class and model, and keeps blocked tasks", () => {
    const store = memoryStatsStore();
    store.record({ taskClass: "code", modelId: "a", accepted: true });
    store.record({ taskClass: "code", modelId: "a", accepted: false });
    store.record({ taskClass: "prose", modelId: "a", accepted: false });
    expect(store.stats("code", "a")).toEqual({ accepted: 1, failed: 1 });
    expect(store.stats("code", "b")).toEqual({ accepted: 0, failed: 0 });
    expect(acceptRate(store.stats("code", "a"))).toBe(0.5);
    expect(acceptRate(store.stats("code", "b"))).toBeUndefined();
    store.block("t", 7);
    expect(store.blockedAt("t")).toBe(7);
    expect(store.unblock("t")).toBe(true);
    expect(store.unblock("t")).toBe(false);
  });

  it("round-trips through toJSON, with awkward keys kept as data", () => {
    const store = memoryStatsStore();
    store.record({ taskClass: "__proto__", modelId: "constructor", accepted: true });
    const copy = memoryStatsStore(JSON.parse(JSON.stringify(store.toJSON())));
    expect(copy.stats("__proto__", "constructor")).toEqual({ accepted: 1, failed: 0 });
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });
});

describe("jsonFileStatsStore", () => {
  it("persists every change atomically and reads it back in a new store", async () => {
    const dir = await scratch();
    const path = join(dir, "nested", "stats.json");
    const store = jsonFileStatsStore(path);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.record({ taskClass: "c", modelId: `m${i % 3}`, accepted: i % 2 === 0 }),
      ),
    );
    await store.block("task-1", 123);
    await store.flush();
    const again = jsonFileStatsStore(path);
    expect(await again.stats("c", "m0")).toEqual(await store.stats("c", "m0"));
    const total = (await Promise.all(["m0", "m1", "m2"].map((m) => again.stats("c", m)))).reduce(
      (sum, s) => sum + s.accepted + s.failed,
      0,
    );
    expect(total).toBe(50);
    expect(await again.blockedAt("task-1")).toBe(123);
    expect(await again.unblock("task-1")).toBe(true);
    await again.flush();
    expect(JSON.parse(await readFile(path, "utf8")).blocked).toEqual({});
    // No temporary files are left beside it.
    expect(await readdir(join(dir, "nested"))).toEqual(["stats.json"]);
  });

  it("starts empty when the file is missing, and refuses a file that is not stats", async () => {
    const dir = await scratch();
    expect(await jsonFileStatsStore(join(dir, "none.json")).stats("c", "m")).toEqual({
      accepted: 0,
      failed: 0,
    });
    const bad = join(dir, "bad.json");
    await writeFile(bad, '{"version":2}');
    await expect(jsonFileStatsStore(bad).stats("c", "m")).rejects.toThrow(RungsError);
    await writeFile(bad, "{not json");
    await expect(jsonFileStatsStore(bad).blockedAt("x")).rejects.toThrow(/not valid JSON/);
  });

  it("keeps each task's escalation state across store instances, and reads files written before it", async () => {
    const dir = await scratch();
    try {
      const path = join(dir, "stats.json");
      const failure = { attempts: [2], modelId: "a", kind: "rejected" as const, excerpt: "draft" };
      const store = jsonFileStatsStore(path);
      await store.recordTaskFailure("t", { rung: 0, modelId: "a", failure, at: 5, keep: 2 });
      await store.recordTaskFailure("t", { rung: 1, modelId: "b", failure, at: 6, keep: 2 });
      await store.recordTaskFailure("t", { rung: 1, modelId: "b", failure, at: 7, keep: 2 });
      const again = jsonFileStatsStore(path);
      expect(await again.getTaskState("t")).toEqual({
        failures: 3,
        rung: 1,
        modelId: "b",
        feedback: [failure, failure],
        updatedAt: 7,
      });
      await again.resetTask("t");
      expect(await jsonFileStatsStore(path).getTaskState("t")).toBeUndefined();

      const old = join(dir, "old.json");
      await writeFile(old, JSON.stringify({ version: 1, stats: {}, blocked: { x: 1 } }));
      expect(await jsonFileStatsStore(old).getTaskState("x")).toBeUndefined();
      expect(await jsonFileStatsStore(old).blockedAt("x")).toBe(1);
      // A damaged task state is skipped with a warning naming it; the rest of the file is used.
      const badTask = join(dir, "bad-task.json");
      await writeFile(
        badTask,
        JSON.stringify({ version: 1, stats: {}, blocked: { u: 4 }, tasks: { t: { failures: -1 } } }),
      );
      const warnings = captureWarnings();
      expect(await jsonFileStatsStore(badTask).getTaskState("t")).toBeUndefined();
      expect(await jsonFileStatsStore(badTask).blockedAt("u")).toBe(4);
      expect(warnings).toEqual([
        expect.objectContaining({
          code: "RUNGS_STATS_STORE_DAMAGED",
          message: expect.stringMatching(/tasks\."t"\.failures/),
        }),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses an empty path", () => {
    expect(() => jsonFileStatsStore("")).toThrow(InvalidArgumentError);
  });
});
