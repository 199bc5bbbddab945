// Several processes on one JSON stats file (a dispatcher's workers and an operator's `rungs unblock`):
// real child processes, each making its changes one by one; none may be lost.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { jsonFileStatsStore } from "../../src/record/json-file-stats-store.js";

const writer = resolve("test/record/fixtures/stats-writer.ts");
const tsx = pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href;

function runWriter(path: string, worker: number, count: number): Promise<void> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ["--import", tsx, writer, path, String(worker), String(count)],
      { env: { ...process.env, NODE_OPTIONS: "" }, timeout: 120_000 },
      (error, _stdout, stderr) => (error === null ? done() : fail(new Error(`${error.message}\n${stderr}`))),
    );
  });
}

const scratchDirs: string[] = [];
afterEach(async () => {
  await Promise.all(scratchDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("jsonFileStatsStore shared by several processes", () => {
  it("loses no update when four processes write one file at once", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rungs-stats-procs-"));
    scratchDirs.push(dir);
    const path = join(dir, "stats.json");
    const workers = 4;
    const count = 25;
    await Promise.all(Array.from({ length: workers }, (_, w) => runWriter(path, w, count)));

    const snapshot = JSON.parse(await readFile(path, "utf8"));
    expect(snapshot.stats.shared.small).toEqual({
      accepted: workers * Math.ceil(count / 2),
      failed: workers * Math.floor(count / 2),
    });
    for (let w = 0; w < workers; w += 1)
      expect(snapshot.stats[`worker-${w}`].small).toEqual({ accepted: count, failed: 0 });
    expect(snapshot.tasks["shared-task"].failures).toBe(workers * count);
    expect(snapshot.tasks["shared-task"].feedback).toHaveLength(workers * count);
    expect(Object.keys(snapshot.blocked)).toHaveLength(workers * count);
    // The lock is released and no temporary file is left beside the stats.
    expect(await readdir(dir)).toEqual(["stats.json"]);
  }, 180_000);

  it("sees another process's change on its next read (an operator's unblock reaches a running dispatcher)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rungs-stats-procs-"));
    scratchDirs.push(dir);
    const path = join(dir, "stats.json");
    const store = jsonFileStatsStore(path);
    await store.block("task-0-0", 1);
    expect(await store.blockedAt("task-0-0")).toBe(1);
    // The other process gives up tasks and records counts; this one's store must see them, and its own
    // give-up must survive the other's writes.
    await runWriter(path, 0, 2);
    expect(await store.stats("worker-0", "small")).toEqual({ accepted: 2, failed: 0 });
    expect(await store.blockedAt("task-0-1")).toBe(1);
    expect(await store.unblock("task-0-1")).toBe(true);
    const snapshot = JSON.parse(await readFile(path, "utf8"));
    expect(snapshot.blocked).toEqual({ "task-0-0": 0 });
  }, 60_000);

  it("takes over the lock of a process that died holding it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rungs-stats-procs-"));
    scratchDirs.push(dir);
    const path = join(dir, "stats.json");
    // A lock left by a killed process: its holder stopped refreshing it a minute ago.
    await mkdir(`${path}.lock`);
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, minuteAgo, minuteAgo);
    const store = jsonFileStatsStore(path);
    await store.record({ taskClass: "c", modelId: "m", accepted: true });
    expect(JSON.parse(await readFile(path, "utf8")).stats.c.m).toEqual({ accepted: 1, failed: 0 });
    expect(await readdir(dir)).toEqual(["stats.json"]);
  });
});
