import { describe, expect, it } from "vitest";
import {
  BlockedTaskError,
  ExhaustedError,
  RungsEvents,
  type StatsStore,
  type TaskResumeEvent,
} from "../../src/index.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { retryWithContext } from "../../src/primitives/retry-with-context.js";
import { renderMessages } from "../../src/prompt.js";
import { memoryStatsStore } from "../../src/record/memory-stats-store.js";
import { scriptedModel } from "../../src/testing/index.js";
import { captureWarnings } from "../support/warnings.js";
import { ask, containsOk } from "./helpers.js";

const systemText = (request: Parameters<typeof renderMessages>[0]) =>
  renderMessages(request).find((m) => m.role === "system")?.content ?? "";

describe("escalation state across runs (metadata.taskId with a store)", () => {
  it("a first run starts at the bottom; a failed run leaves the next one a rung higher, with its failures", async () => {
    const store = memoryStatsStore();
    const a = scriptedModel("a", ["no from a"], { whenDone: "repeat-last" });
    const b = scriptedModel("b", ["no from b", "ok from b"]);
    const c = scriptedModel("c", ["ok from c"], { whenDone: "repeat-last" });
    // maxAttempts 1: one model per run, as a dispatcher escalates a task between runs.
    const ladder = escalateAcross([a, b, c], { rubric: containsOk, store, maxAttempts: 1 });
    const request = ask("task", { taskId: "t1" });

    const first = await ladder.generate(request).catch((e: unknown) => e);
    expect(ExhaustedError.isInstance(first)).toBe(true);
    expect(a.calls.length).toBe(1);
    // Stopped below the top: escalated, not blocked.
    expect(store.blockedAt("t1")).toBeUndefined();
    expect(store.getTaskState("t1")).toMatchObject({ failures: 1, rung: 0, modelId: "a" });

    const events = new RungsEvents();
    const resumes: TaskResumeEvent[] = [];
    events.on("task-resume", (e) => resumes.push(e));
    const second = await ladder.generate(request, { events }).catch((e: unknown) => e);
    expect(ExhaustedError.isInstance(second)).toBe(true);
    expect(a.calls.length).toBe(1);
    expect(b.calls.length).toBe(1);
    expect(resumes).toHaveLength(1);
    expect(resumes[0]!.resumed).toMatchObject({
      taskId: "t1",
      failures: 1,
      failedModelId: "a",
      startRung: 1,
    });
    // The earlier run's failure reached b as feedback, marked as from an earlier run.
    const sentToB = systemText(b.calls[0]!.request);
    expect(sentToB).toContain("attempt 1 of an earlier run (model a) failed: rejected");
    expect(sentToB).toContain("no from a");
    expect(store.getTaskState("t1")).toMatchObject({ failures: 2, rung: 1, modelId: "b" });

    const third = await ladder.generate(request);
    expect(third.modelId).toBe("c");
    expect(third.trace?.resumed).toMatchObject({ failures: 2, failedRung: 1, startRung: 2 });
    expect(third.trace?.skips?.map((s) => [s.modelId, s.reason])).toEqual([
      ["a", "escalated"],
      ["b", "escalated"],
    ]);
    // Success resets the task: the next run is a first run again.
    expect(store.getTaskState("t1")).toBeUndefined();
    const fourth = await ladder.generate(request).catch((e: unknown) => e);
    expect(ExhaustedError.isInstance(fourth)).toBe(true);
    expect(a.calls.length).toBe(2);
  });

  it("the top rung stays the top, and a task blocked there runs at the top once unblocked", async () => {
    const store = memoryStatsStore();
    const a = scriptedModel("a", ["no"], { whenDone: "repeat-last" });
    const b = scriptedModel("b", ["no", "no", "ok"]);
    const ladder = escalateAcross([a, b], { rubric: containsOk, store });
    const request = ask("task", { taskId: "t2" });

    await expect(ladder.generate(request)).rejects.toThrow(ExhaustedError);
    expect(store.blockedAt("t2")).toBeDefined();
    await expect(ladder.generate(request)).rejects.toThrow(BlockedTaskError);
    expect(store.unblock("t2")).toBe(true);

    await expect(ladder.generate(request)).rejects.toThrow(ExhaustedError);
    expect(a.calls.length).toBe(1);
    expect(b.calls.length).toBe(2);
    expect(store.getTaskState("t2")).toMatchObject({ failures: 3, rung: 1, modelId: "b" });
    store.unblock("t2");
    const generation = await ladder.generate(request);
    expect(generation.modelId).toBe("b");
    expect(generation.trace?.resumed?.detail).toMatch(/the top rung: it stays at the top/);
    expect(a.calls.length).toBe(1);
  });

  it("a one-rung engine (retryWithContext) starts a new run with the last run's failures as feedback", async () => {
    const store = memoryStatsStore();
    const model = scriptedModel("m", ["first draft", "second draft", "ok"]);
    const retry = retryWithContext(model, { rubric: containsOk, store, maxAttempts: 2 });
    const request = ask("task", { taskId: "t3" });
    await expect(retry.generate(request)).rejects.toThrow(ExhaustedError);
    store.unblock("t3");
    const generation = await retry.generate(request);
    expect(generation.text).toBe("ok");
    const feedback = model.calls[2]!.request.feedback ?? [];
    // Both earlier failures are alike, so they merge into one entry naming both, with the newest excerpt.
    expect(feedback).toMatchObject([{ attempts: [1, 2], excerpt: "second draft", earlierRun: true }]);
  });

  it("a ladder that changed between runs: the failed model is found by id, or the run starts at the bottom", async () => {
    const store = memoryStatsStore();
    store.recordTaskFailure("moved", {
      rung: 0,
      modelId: "b",
      failure: { attempts: [1], modelId: "b", kind: "rejected" },
      at: 1,
      keep: 8,
    });
    store.recordTaskFailure("gone", {
      rung: 1,
      modelId: "zz",
      failure: { attempts: [1], modelId: "zz", kind: "rejected" },
      at: 1,
      keep: 8,
    });
    const a = scriptedModel("a", ["ok a"], { whenDone: "repeat-last" });
    const b = scriptedModel("b", ["ok b"], { whenDone: "repeat-last" });
    const c = scriptedModel("c", ["ok c"], { whenDone: "repeat-last" });
    const ladder = escalateAcross([a, b, c], { rubric: containsOk, store });
    expect((await ladder.generate(ask("x", { taskId: "moved" }))).modelId).toBe("c");
    const gone = await ladder.generate(ask("x", { taskId: "gone" }));
    expect(gone.modelId).toBe("a");
    expect(gone.trace?.resumed?.detail).toMatch(/not on this ladder: starting at the bottom/);
  });

  it("keeps only the newest failures, and a store that fails is reported while the run goes on", async () => {
    const store = memoryStatsStore();
    for (let i = 1; i <= 12; i += 1) {
      store.recordTaskFailure("t", {
        rung: 0,
        modelId: "a",
        failure: { attempts: [i], modelId: "a", kind: "empty" },
        at: i,
        keep: 8,
      });
    }
    const state = store.getTaskState("t")!;
    expect(state.failures).toBe(12);
    expect(state.feedback.map((f) => f.attempts[0])).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);

    const broken: StatsStore = {
      ...memoryStatsStore(),
      getTaskState: () => {
        throw new Error("disk on fire");
      },
      recordTaskFailure: async () => {
        throw new Error("disk still on fire");
      },
    };
    const captured = captureWarnings();
    const a = scriptedModel("a", ["no", "ok"]);
    const generation = await retryWithContext(a, { rubric: containsOk, store: broken }).generate(
      ask("x", { taskId: "t" }),
    );
    expect(generation.text).toBe("ok");
    const warnings = captured.map((w) => w.message);
    expect(warnings.some((w) => w.includes("disk on fire"))).toBe(true);
    expect(warnings.some((w) => w.includes("disk still on fire"))).toBe(true);
  });
});
