// Escalation survives a crash loop: a worker killed during an attempt leaves the attempt marked started in
// the store, and the task's next run counts it as an `unfinished` failure on its rung; once `maxUnfinishedAttempts`
// of them are in a row there, the next run starts above it. Real child processes killed with SIGKILL on a
// JSON stats file in a real temp dir; then the same rules in one process with the memory store.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  escalateAcross,
  type Failure,
  InvalidArgumentError,
  jsonFileStatsStore,
  memoryStatsStore,
  type StatsStore,
} from "../../src/index.js";
import { hang, scriptedModel } from "../../src/testing/index.js";
import { captureWarnings } from "../support/warnings.js";

const worker = resolve("test/reliability/fixtures/crash-worker.fixture.ts");
const tsx = pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href;

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * Runs one worker. With `kill`, it is killed with SIGKILL as soon as it calls the bottom rung; otherwise it
 * must finish on its own within 25 s. Resolves with its stdout lines.
 */
function runWorker(path: string, maxUnfinishedAttempts: number, kill: boolean): Promise<string[]> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", tsx, worker, path, String(maxUnfinishedAttempts)], {
      env: { ...process.env, NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const deadline = setTimeout(() => child.kill("SIGKILL"), 25_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (kill && out.includes("CALLING small")) child.kill("SIGKILL");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(deadline);
      const lines = out.split("\n").filter((line) => line !== "");
      if (kill ? signal === "SIGKILL" : code === 0) done(lines);
      else fail(new Error(`worker ended with ${signal ?? code}\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
}

const resumedOf = (lines: string[]) => {
  const line = lines.find((l) => l.startsWith("RESUMED "));
  return line === undefined ? undefined : JSON.parse(line.slice("RESUMED ".length));
};

describe("escalation survives a crash loop", () => {
  it("three workers killed on the bottom rung: the fourth run starts above it (maxUnfinishedAttempts 3, JSON file)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rungs-crash-loop-"));
    dirs.push(dir);
    const path = join(dir, "stats.json");
    for (let run = 1; run <= 3; run += 1) {
      const lines = await runWorker(path, 3, true);
      // Each of the first three runs starts on the bottom rung (fewer than 3 unfinished attempts there).
      expect(lines, `run ${run}`).toContain("CALLING small");
      expect(lines, `run ${run}`).not.toContain("CALLING large");
      if (run > 1) expect(resumedOf(lines), `run ${run}`).toMatchObject({ startRung: 0, failures: run - 1 });
    }
    const fourth = await runWorker(path, 3, false);
    expect(fourth).not.toContain("CALLING small");
    expect(fourth).toContain("ANSWERED large");
    expect(resumedOf(fourth)).toMatchObject({ failures: 3, failedModelId: "small", startRung: 1 });
    expect(resumedOf(fourth).detail).toContain("3 attempt(s) there in a row never ended");
    // The accepted answer reset the task: nothing in flight, nothing kept.
    expect(await jsonFileStatsStore(path).getTaskState("t")).toBeUndefined();
  });

  it("with the default maxUnfinishedAttempts (1), the run after one killed worker starts above the rung", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rungs-crash-loop-"));
    dirs.push(dir);
    const path = join(dir, "stats.json");
    await runWorker(path, 1, true);
    const second = await runWorker(path, 1, false);
    expect(second).not.toContain("CALLING small");
    expect(second).toContain("ANSWERED large");
  });
});

describe("unfinished attempts (memory store; a new store from the snapshot is a new process)", () => {
  const ask = { prompt: "work", metadata: { taskId: "t" } };

  /** Runs the task until its bottom-rung call hangs, and returns the store's content at that moment. */
  async function dieDuringAttempt(store: ReturnType<typeof memoryStatsStore>, maxUnfinishedAttempts: number) {
    const controller = new AbortController();
    const seen: Failure[][] = [];
    const small = scriptedModel("small", [
      (request) => {
        seen.push([...(request.feedback ?? [])]);
        return hang;
      },
    ]);
    const ladder = escalateAcross([small, scriptedModel("large", ["ok"])], { store, maxUnfinishedAttempts });
    const running = ladder.generate(ask, { signal: controller.signal });
    while (small.calls.length === 0) await new Promise((done) => setTimeout(done, 1));
    const snapshot = store.toJSON();
    // The process "dies": its store is never used again (the abort only lets the test's promise settle).
    controller.abort();
    await running.catch(() => undefined);
    return { snapshot, seen };
  }

  it("counts an attempt that never ended on its rung and climbs at maxUnfinishedAttempts; not shown to the model", async () => {
    let store = memoryStatsStore();
    let seen: Failure[][] = [];
    for (let run = 1; run <= 2; run += 1) {
      const died = await dieDuringAttempt(store, 3);
      expect(died.snapshot.tasks?.t?.started).toMatchObject({ rung: 0, modelId: "small" });
      store = memoryStatsStore(died.snapshot);
      seen = died.seen;
    }
    // The second run on the bottom rung was shown no feedback: an unfinished attempt has no answer to learn from.
    expect(seen).toEqual([[]]);
    const third = await dieDuringAttempt(store, 3);
    store = memoryStatsStore(third.snapshot);
    const large = scriptedModel("large", ["ok"]);
    const answer = await escalateAcross([scriptedModel("small", ["never asked"]), large], {
      store,
      maxUnfinishedAttempts: 3,
    }).generate(ask);
    expect(answer.modelId).toBe("large");
    expect(answer.trace?.resumed).toMatchObject({ failures: 3, startRung: 1, carriedFailures: 0 });
    expect(answer.trace?.skips?.map((s) => s.reason)).toEqual(["escalated"]);
  });

  it("an attempt this process saw end leaves no mark: an abort, a failure, an accepted answer", async () => {
    const store = memoryStatsStore();
    const controller = new AbortController();
    const running = escalateAcross([scriptedModel("small", [hang]), scriptedModel("large", ["ok"])], {
      store,
    }).generate(ask, { signal: controller.signal });
    await new Promise((done) => setTimeout(done, 5));
    expect(store.getTaskState("t")?.started).toMatchObject({ rung: 0, modelId: "small" });
    controller.abort();
    await expect(running).rejects.toThrow();
    // The caller's abort ended it: no state, so the next run starts at the bottom with no resumption.
    expect(store.getTaskState("t")?.started).toBeUndefined();
    const small = scriptedModel("small", ["ok"]);
    const answer = await escalateAcross([small, scriptedModel("large", ["ok"])], { store }).generate(ask);
    expect(answer.modelId).toBe("small");
    expect(answer.trace?.resumed).toBeUndefined();
    expect(store.getTaskState("t")).toBeUndefined();
  });

  it("a mark of an attempt still running in this process is not counted (the same task run twice at once)", async () => {
    const store = memoryStatsStore();
    const controller = new AbortController();
    const first = escalateAcross([scriptedModel("small", [hang]), scriptedModel("large", ["ok"])], {
      store,
    }).generate(ask, { signal: controller.signal });
    await new Promise((done) => setTimeout(done, 5));
    const second = await escalateAcross([scriptedModel("small", ["ok"]), scriptedModel("large", ["ok"])], {
      store,
    }).generate(ask);
    expect(second.modelId).toBe("small");
    expect(second.trace?.resumed).toBeUndefined();
    controller.abort();
    await first.catch(() => undefined);
  });

  it("a store without startTaskAttempt/endTaskAttempt still runs (no attempt kept in flight)", async () => {
    const { startTaskAttempt: _start, endTaskAttempt: _end, ...plain } = memoryStatsStore();
    const store: StatsStore = plain;
    const answer = await escalateAcross([scriptedModel("small", ["ok"])], { store }).generate(ask);
    expect(answer.modelId).toBe("small");
  });

  it("refuses a maxUnfinishedAttempts outside 1..8 and a store with one of the pair, naming the fix", () => {
    const ladder = [scriptedModel("small", ["ok"])];
    for (const bad of [0, 9, 1.5, Number.NaN]) {
      const error = (() => {
        try {
          escalateAcross(ladder, { maxUnfinishedAttempts: bad });
        } catch (caught) {
          return caught;
        }
      })();
      expect(InvalidArgumentError.isInstance(error), String(bad)).toBe(true);
      expect(String(error)).toMatch(/maxUnfinishedAttempts.*whole number from 1 to 8/);
    }
    const { endTaskAttempt: _end, ...half } = memoryStatsStore();
    expect(() => escalateAcross(ladder, { store: half })).toThrow(
      /startTaskAttempt with endTaskAttempt, or neither/,
    );
  });
});

describe("a damaged attempt-in-flight mark from a custom store", () => {
  it("is skipped with a warning, never a crash", async () => {
    const inner = memoryStatsStore();
    inner.recordTaskFailure("t", {
      rung: 0,
      modelId: "small",
      failure: { attempts: [1], modelId: "small", kind: "rejected" },
      at: 1,
      keep: 8,
    });
    const store: StatsStore = {
      ...inner,
      getTaskState: (taskId) => {
        const state = inner.getTaskState(taskId);
        return state === undefined
          ? undefined
          : { ...state, started: { rung: 0, modelId: "small", at: Number.NaN } };
      },
    };
    const warnings = captureWarnings();
    const answer = await escalateAcross([scriptedModel("small", ["ok"]), scriptedModel("large", ["ok"])], {
      store,
    }).generate({ prompt: "work", metadata: { taskId: "t" } });
    // The one real failure (on small) moves the run up; the damaged mark counts for nothing.
    expect(answer.modelId).toBe("large");
    expect(answer.trace?.resumed?.failures).toBe(1);
    expect(warnings.map((w) => w.message).join("\n")).toMatch(/damaged attempt-in-flight mark for task "t"/);
  });
});
