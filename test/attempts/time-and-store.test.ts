// Issue "composition that holds", problems 4 and 5, and the fail-closed store: a hung rung times out on the
// engine's clock and the ladder goes on; a blocked task leaves a trace in events and records.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  BlockedTaskError,
  Budget,
  continueUntilComplete,
  escalateAcross,
  InvalidArgumentError,
  memoryStatsStore,
  RungsEvents,
  recordRun,
  retryWithContext,
  type StatsStore,
  StatsStoreError,
  taskDirFromPath,
  treeSplit,
} from "../../src/index.js";
import { hang, manualClock, scriptedModel } from "../../src/testing/index.js";
import { captureWarnings } from "../support/warnings.js";
import { ask, containsOk } from "./helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("attemptTimeoutMs (problem 5)", () => {
  it("a rung that never settles times out on the engine's clock, its call is aborted, the ladder climbs", async () => {
    const clock = manualClock();
    let aborted: unknown;
    const hung = scriptedModel("hung", [
      (_request, { signal }) => {
        signal.addEventListener("abort", () => {
          aborted = signal.reason;
        });
        return hang;
      },
    ]);
    const healthy = scriptedModel("healthy", ["ok"]);
    const ladder = escalateAcross([hung, healthy], { rubric: containsOk, attemptTimeoutMs: 5_000, clock });
    const run = ladder.generate(ask("t"));
    await clock.advance(4_999);
    expect(healthy.calls).toHaveLength(0);
    await clock.advance(1);
    const answer = await run;
    expect(answer.modelId).toBe("healthy");
    expect(answer.answeredBy?.climbed).toBe(true);
    const first = answer.trace?.attempts?.[0];
    expect(first?.kind).toBe("timeout");
    expect(first?.endedAt).toBe(5_000);
    expect(first?.error?.message).toContain("attemptTimeoutMs (5000 ms)");
    expect((aborted as { kind?: string }).kind).toBe("timeout");
    expect(clock.pending).toBe(0);
  });

  it("defaults to 10 minutes, so no run hangs forever; a rung's own limit wins", async () => {
    const clock = manualClock();
    const hung = scriptedModel("hung", [hang]);
    const run = retryWithContext(hung, { maxAttempts: 1, clock })
      .generate(ask("t"))
      .catch((e: unknown) => e);
    await clock.advance(599_999);
    expect(hung.calls).toHaveLength(1);
    await clock.advance(1);
    expect(await run).toMatchObject({ limit: "maxAttempts" });

    const slow = scriptedModel("slow", [hang]);
    const fine = scriptedModel("fine", ["ok"]);
    const ladder = escalateAcross([{ model: slow, attemptTimeoutMs: 50 }, fine], { clock });
    const answer = ladder.generate(ask("t"));
    await clock.advance(50);
    expect((await answer).modelId).toBe("fine");
  });

  it("with a Budget deadline, a hung rung times out and climbs instead of spending the deadline", async () => {
    const clock = manualClock();
    const budget = new Budget({ deadlineMs: 60_000, clock });
    const ladder = escalateAcross([scriptedModel("hung", [hang]), scriptedModel("ok", ["ok"])], {
      attemptTimeoutMs: 1_000,
      clock,
    });
    const run = ladder.generate(ask("t"), { budget });
    await clock.advance(1_000);
    expect((await run).modelId).toBe("ok");
    expect(budget.remainingMs()).toBe(59_000);
  });

  it("refuses a limit a timer cannot hold", () => {
    expect(() => retryWithContext(scriptedModel("m", ["x"]), { attemptTimeoutMs: 2 ** 31 })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe("blocked tasks leave a trace (problem 4)", () => {
  it("a task-block event, and summary.json lists the task as blocked with counts of calls", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rungs-blocked-"));
    dirs.push(dir);
    const clock = manualClock(1_000);
    const store = memoryStatsStore();
    const events = new RungsEvents();
    const seen: string[] = [];
    events.on("task-block", ({ taskId, blockedAt }) => seen.push(`${taskId}@${blockedAt}`));
    const recorder = recordRun(events, dir, { taskDir: taskDirFromPath, clock });
    const model = scriptedModel("m", ["nope"], { whenDone: "repeat-last" });
    const ladder = escalateAcross([{ model, maxAttempts: 2 }], { rubric: containsOk, store, clock });
    const request = ask("t", { taskId: "task-1" });
    await ladder.generate(request, { events, path: "task-1" }).catch(() => undefined);
    const blocked = await ladder.generate(request, { events, path: "task-1" }).catch((e: unknown) => e);
    expect(BlockedTaskError.isInstance(blocked)).toBe(true);
    expect(seen).toEqual(["task-1@1000"]);
    await recorder.close();
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    expect(summary.tasks["task-1"]).toMatchObject({ status: "blocked", blocked: true, attempts: 2 });
    expect(summary.blocked).toEqual([
      { path: "task-1/escalate", taskId: "task-1", status: "blocked", blockedAt: 1_000, at: 1_000 },
    ]);
    expect(summary.counts).toMatchObject({ calls: 2, continuations: 0, splits: 0 });
  });

  it("summary.json counts calls, continuations, splits and tokens once, however nested", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rungs-counts-"));
    dirs.push(dir);
    const events = new RungsEvents();
    const recorder = recordRun(events, dir);
    const leaf = scriptedModel(
      "leaf",
      [
        { text: "part ok", finishReason: "length", usage: { inputTokens: 10, outputTokens: 3 } },
        { text: " done", usage: { inputTokens: 12, outputTokens: 2 } },
      ],
      { whenDone: "repeat-last" },
    );
    const solver = treeSplit(escalateAcross([retryWithContext(continueUntilComplete(leaf))]), {
      promptLimit: { chars: 1_200 },
      reserve: 0.3, // room for the continued text beside a full shard
    });
    await solver.generate({ ...ask("t"), context: ["word ".repeat(600)] }, { events });
    const summary = await recorder.close();
    const shards = leaf.calls.length;
    expect(summary.counts.splits).toBe(1);
    expect(summary.counts.continuations).toBe(1);
    expect(summary.counts.calls).toBe(shards);
    expect(summary.counts.inputTokens).toBe(10 + 12 * (shards - 1));
    expect(summary.counts.outputTokens).toBe(3 + 2 * (shards - 1));
  });
});

describe("a stats store that cannot be read", () => {
  const broken = (): StatsStore => {
    const store = memoryStatsStore();
    return Object.assign(Object.create(store) as StatsStore, {
      blockedAt: () => {
        throw new Error("stats.json: unexpected end of JSON input");
      },
      stats: () => {
        throw new Error("stats.json: unexpected end of JSON input");
      },
    });
  };

  it('fails open by default (the run goes on), fails closed with whenUnavailable: "fail-closed"', async () => {
    const model = scriptedModel("m", ["ok"], { whenDone: "repeat-last" });
    const captured = captureWarnings();
    const open = await retryWithContext(model, { store: broken() }).generate(ask("t", { taskId: "x" }));
    expect(open.text).toBe("ok");
    expect(captured.some((w) => w.message.includes("stats store"))).toBe(true);
    const calls = model.calls.length;
    const closed = await retryWithContext(model, { store: broken(), whenUnavailable: "fail-closed" })
      .generate(ask("t", { taskId: "x" }))
      .catch((e: unknown) => e);
    expect(StatsStoreError.isInstance(closed)).toBe(true);
    expect((closed as StatsStoreError).operation).toBe("blockedAt");
    expect((closed as Error).cause).toBeInstanceOf(Error);
    expect(model.calls.length).toBe(calls);
  });
});
