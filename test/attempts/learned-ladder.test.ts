import { describe, expect, it, vi } from "vitest";
import { type GenerateRequest, type Model, ProviderError } from "../../src/index.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { memoryStatsStore } from "../../src/record/memory-stats-store.js";
import { scriptedModel } from "../../src/testing/index.js";
import { ask, containsOk } from "./helpers.js";

// A task mix: "easy" tasks the small model solves, "hard" ones only the large model solves.
const solves = (id: string, classes: readonly string[]): Model =>
  scriptedModel(
    id,
    [(request: GenerateRequest) => (classes.includes(String(request.metadata?.taskClass)) ? "ok" : "wrong")],
    { whenDone: "repeat-last" },
  );

const tasks = Array.from({ length: 10 }, (_, i) =>
  ask(`task ${i}`, { taskClass: i % 2 === 0 ? "easy" : "hard" }),
);

async function averageAttempts(ladder: Model): Promise<number> {
  let total = 0;
  for (const task of tasks) {
    const generation = await ladder.generate(task);
    total += generation.trace?.attempts?.length ?? 0;
  }
  return total / tasks.length;
}

describe("learned ladders", () => {
  it("lowers the average attempts per task across iterations of the same task mix", async () => {
    const store = memoryStatsStore();
    const small = solves("small", ["easy"]);
    const medium = solves("medium", ["easy"]);
    const large = solves("large", ["easy", "hard"]);
    const ladder = escalateAcross([small, medium, large], {
      rubric: containsOk,
      store,
      minAcceptRate: 0.3,
      minSamples: 8,
    });
    const averages: number[] = [];
    for (let iteration = 0; iteration < 3; iteration += 1) averages.push(await averageAttempts(ladder));
    // Each iteration: 5 easy tasks (1 attempt) and 5 hard ones, which take 3 attempts until small and
    // medium have 8 failed samples each on "hard", then 1 (both skipped as learned).
    expect(averages).toEqual([(5 + 15) / 10, (5 + 9 + 2) / 10, 1]);
    // Easy tasks still start on the small model: learning is per task class.
    expect(store.stats("easy", "small")).toEqual({ accepted: 15, failed: 0 });
    expect(store.stats("hard", "small")).toEqual({ accepted: 0, failed: 8 });
    expect(store.stats("hard", "large").accepted).toBe(15);
  });

  it("records a learned skip with the rate, and never skips the top rung", async () => {
    const store = memoryStatsStore({
      version: 1,
      stats: { hard: { small: { accepted: 0, failed: 9 }, large: { accepted: 0, failed: 9 } } },
      blocked: {},
    });
    const small = solves("small", []);
    const large = solves("large", ["hard"]);
    const generation = await escalateAcross([small, large], {
      rubric: containsOk,
      store,
      minAcceptRate: 0.5,
    }).generate(ask("t", { taskClass: "hard" }));
    expect(generation.modelId).toBe("large");
    expect(generation.trace?.skips).toMatchObject([
      { modelId: "small", reason: "learned", detail: expect.stringContaining("0/9") },
    ]);
  });

  it("learns nothing without a taskClass, and counts no provider failures", async () => {
    const store = memoryStatsStore();
    const ladder = escalateAcross([solves("a", ["x"])], { rubric: containsOk, store, minAcceptRate: 0.5 });
    await ladder.generate(ask("t")).catch(() => {});
    expect(store.toJSON().stats).toEqual({});
    const down = scriptedModel("down", [
      new ProviderError("503", { kind: "server-error", providerId: "down" }),
    ]);
    await escalateAcross([down], { store })
      .generate(ask("t", { taskClass: "x" }))
      .catch(() => {});
    expect(store.stats("x", "down")).toEqual({ accepted: 0, failed: 0 });
  });

  it("a store that fails to record does not lose the accepted answer: it warns and goes on", async () => {
    const broken = {
      ...memoryStatsStore(),
      record: () => {
        throw new Error("disk full");
      },
    };
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      const generation = await escalateAcross([solves("a", ["x"])], {
        rubric: containsOk,
        store: broken,
      }).generate(ask("t", { taskClass: "x" }));
      expect(generation.text).toBe("ok");
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("disk full"), {
        code: "RUNGS_STATS_STORE_ERROR",
      });
    } finally {
      warn.mockRestore();
    }
  });
});

describe("learned ladders with exploration", () => {
  it("lets every exploreEvery-th learned skip through, so a rung that improved can recover", async () => {
    const store = memoryStatsStore();
    let smallLearned = false;
    const small = scriptedModel("small", [() => (smallLearned ? "ok" : "wrong")], {
      whenDone: "repeat-last",
    });
    const large = scriptedModel("large", ["ok"], { whenDone: "repeat-last" });
    const options = { rubric: containsOk, store, minAcceptRate: 0.5, minSamples: 2 };
    const hard = ask("hard task", { taskClass: "hard" });

    const exploring = escalateAcross([small, large], { ...options, exploreEvery: 3 });
    for (let i = 0; i < 2; i += 1) await exploring.generate(hard); // two failed samples on "small"
    smallLearned = true; // the small model gets better
    const skipsBefore: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const generation = await exploring.generate(hard);
      skipsBefore.push(generation.trace?.skips?.[0]?.reason ?? `tried:${generation.modelId}`);
    }
    // Skipped twice as learned, then tried on the third arrival: it answers, and its rate starts to recover.
    expect(skipsBefore).toEqual(["learned", "learned", "tried:small"]);
    expect(await store.stats("hard", "small")).toMatchObject({ accepted: 1, failed: 2 });

    // Without exploreEvery the same store keeps skipping "small" for good.
    const frozen = escalateAcross([small, large], options);
    const generation = await frozen.generate(hard);
    expect(generation.trace?.skips?.[0]?.reason).toBe("learned");
    expect(() => escalateAcross([small, large], { ...options, exploreEvery: 0 })).toThrow(/exploreEvery/);
  });
});
