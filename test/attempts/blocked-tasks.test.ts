import { describe, expect, it } from "vitest";
import { BlockedTaskError, ExhaustedError } from "../../src/index.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { retryWithContext } from "../../src/primitives/retry-with-context.js";
import { memoryStatsStore } from "../../src/record/memory-stats-store.js";
import { manualClock, scriptedModel } from "../../src/testing/index.js";
import { ask, containsOk } from "./helpers.js";

describe("blocked tasks", () => {
  it("a task whose ladder is exhausted is blocked: later calls call no model, until unblock", async () => {
    const clock = manualClock(42_000);
    const store = memoryStatsStore();
    const a = scriptedModel("a", ["no"], { whenDone: "repeat-last" });
    const b = scriptedModel("b", ["no", "no", "ok"]);
    const ladder = escalateAcross([a, b], { rubric: containsOk, store, clock });
    const request = ask("t", { taskId: "task-7" });

    await expect(ladder.generate(request)).rejects.toThrow(ExhaustedError);
    expect(store.blockedAt("task-7")).toBe(42_000);
    const calls = a.calls.length + b.calls.length;

    const blocked = await ladder.generate(request).catch((e: unknown) => e);
    expect(BlockedTaskError.isInstance(blocked)).toBe(true);
    expect(blocked).toMatchObject({ taskId: "task-7", blockedAt: 42_000 });
    expect(a.calls.length + b.calls.length).toBe(calls);

    // Another task is not blocked.
    await expect(ladder.generate(ask("t", { taskId: "task-8" }))).rejects.toThrow(ExhaustedError);

    expect(store.unblock("task-7")).toBe(true);
    const generation = await ladder.generate(request);
    expect(generation.modelId).toBe("b");
  });

  it("without a taskId nothing is blocked; without a store the taskId is ignored", async () => {
    const store = memoryStatsStore();
    const model = scriptedModel("m", ["no"], { whenDone: "repeat-last" });
    const engine = retryWithContext(model, { rubric: containsOk, maxAttempts: 1, store });
    await expect(engine.generate(ask("t"))).rejects.toThrow(ExhaustedError);
    await expect(engine.generate(ask("t"))).rejects.toThrow(ExhaustedError);
    const storeless = retryWithContext(model, { rubric: containsOk, maxAttempts: 1 });
    await expect(storeless.generate(ask("t", { taskId: "x" }))).rejects.toThrow(ExhaustedError);
    await expect(storeless.generate(ask("t", { taskId: "x" }))).rejects.toThrow(ExhaustedError);
    expect(store.toJSON().blocked).toEqual({});
  });

  it("a nested engine's BlockedTaskError passes straight up", async () => {
    const store = memoryStatsStore();
    store.block("t1", 1);
    const leaf = scriptedModel("leaf", ["ok"]);
    const other = scriptedModel("other", ["ok"]);
    const outer = escalateAcross([retryWithContext(leaf, { store }), other]);
    await expect(outer.generate(ask("t", { taskId: "t1" }))).rejects.toThrow(BlockedTaskError);
    expect(leaf.calls.length + other.calls.length).toBe(0);
  });
});
