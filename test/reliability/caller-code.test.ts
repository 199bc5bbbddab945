// Class "awaits that ignore abort and deadline": a stats store, a custom rubric or a model plugged in by the
// caller may hang. Every await on such code is raced against the caller's signal and the budget's
// deadline, an aborted call never resolves, and continuation checks the signal before each call.
import { describe, expect, it } from "vitest";
import {
  Budget,
  BudgetExhaustedError,
  continueUntilComplete,
  escalateAcross,
  type Model,
  type Rubric,
  retryWithContext,
  type StatsStore,
} from "../../src/index.js";
import { memoryStatsStore } from "../../src/record/memory-stats-store.js";
import { scriptedModel } from "../../src/testing/index.js";

const ask = (metadata?: Record<string, string>) => ({
  messages: [{ role: "user" as const, content: "q" }],
  ...(metadata === undefined ? {} : { metadata }),
});
const never = <T>() => new Promise<T>(() => {});
/** Settles within `ms` of real time, or says it did not. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then(
      (value) => ({ settled: "resolved" as const, value }),
      (error: unknown) => ({ settled: "rejected" as const, error }),
    ),
    new Promise<{ settled: "pending" }>((resolve) => setTimeout(() => resolve({ settled: "pending" }), ms)),
  ]);

/** A memory store whose method `which` hangs (every other method answers as usual). */
function hangingStore(which: keyof StatsStore): StatsStore {
  const inner = memoryStatsStore();
  return new Proxy(inner, {
    get: (target, name, receiver) => (name === which ? () => never() : Reflect.get(target, name, receiver)),
  });
}

describe("caller code that hangs cannot hold a run", () => {
  it("a store whose blockedAt hangs: the caller's abort rejects with signal.reason", async () => {
    const controller = new AbortController();
    const run = retryWithContext(scriptedModel("m", ["ok"]), { store: hangingStore("blockedAt") }).generate(
      ask({ taskId: "t1" }),
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error("caller stopped")), 20);
    const outcome = await within(run, 2_000);
    expect(outcome).toMatchObject({ settled: "rejected", error: { message: "caller stopped" } });
  });

  it("a store whose record hangs: an aborted call rejects even though its answer came back", async () => {
    const controller = new AbortController();
    const model = scriptedModel("m", ["ok"]);
    const run = retryWithContext(model, { store: hangingStore("record") }).generate(ask({ taskClass: "c" }), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("caller stopped")), 20);
    const outcome = await within(run, 2_000);
    expect(model.calls).toHaveLength(1);
    expect(outcome).toMatchObject({ settled: "rejected", error: { message: "caller stopped" } });
  });

  it("a store whose stats hang (learned ladder): the budget's deadline ends the run", async () => {
    const ladder = escalateAcross(
      [{ model: scriptedModel("a", ["ok"]) }, { model: scriptedModel("b", ["ok"]) }],
      {
        store: hangingStore("stats"),
        minAcceptRate: 0.5,
      },
    );
    const outcome = await within(
      ladder.generate(ask({ taskClass: "c" }), { budget: new Budget({ deadlineMs: 50 }) }),
      2_000,
    );
    expect(outcome.settled).toBe("rejected");
    expect(BudgetExhaustedError.isInstance((outcome as { error: unknown }).error)).toBe(true);
  });

  it("a custom rubric that never settles: the abort rejects, and the deadline ends the run", async () => {
    const rubric: Rubric = { id: "hung", evaluate: () => never() } as unknown as Rubric;
    const controller = new AbortController();
    const aborted = retryWithContext(scriptedModel("m", ["ok"]), { rubric }).generate(ask(), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("caller stopped")), 20);
    expect(await within(aborted, 2_000)).toMatchObject({
      settled: "rejected",
      error: { message: "caller stopped" },
    });

    const timed = retryWithContext(scriptedModel("m", ["ok"]), { rubric }).generate(ask(), {
      budget: new Budget({ deadlineMs: 50 }),
    });
    const outcome = await within(timed, 2_000);
    expect(outcome.settled).toBe("rejected");
    expect((outcome as { error: { limit?: string } }).error.limit).toBe("deadline");
  });

  it("continueUntilComplete over a model that ignores its signal: no call after the abort, and it rejects", async () => {
    const controller = new AbortController();
    let calls = 0;
    // Ignores its signal: every call answers a cut-off piece after 30 ms, aborted or not.
    const deaf: Model = {
      id: "deaf",
      generate: async () => {
        calls += 1;
        if (calls === 1) setTimeout(() => controller.abort(new Error("caller stopped")), 5);
        await new Promise((resolve) => setTimeout(resolve, 30));
        return { text: `piece ${calls} `, finishReason: "length", usage: {}, modelId: "deaf" };
      },
    };
    const run = continueUntilComplete(deaf, { maxContinuations: 5 }).generate(ask(), {
      signal: controller.signal,
    });
    const outcome = await within(run, 2_000);
    expect(outcome).toMatchObject({ settled: "rejected", error: { message: "caller stopped" } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(1);
  });
});
