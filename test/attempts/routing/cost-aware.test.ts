import { describe, expect, it, vi } from "vitest";
import {
  CallerCodeError,
  costAwareRouting,
  ExhaustedError,
  escalateAcross,
  type GenerateRequest,
  InvalidArgumentError,
  type Model,
  memoryStatsStore,
} from "../../../src/index.js";
import { scriptedModel } from "../../../src/testing/index.js";
import { ask, containsOk } from "../helpers.js";

// A model that answers "ok" (accepted by containsOk) when the request's features are all in `solves`.
const solving = (id: string, solves: readonly string[]): Model =>
  scriptedModel(
    id,
    [
      (request: GenerateRequest) => {
        const features = (request.metadata?.taskFeatures as string[] | undefined) ?? [];
        return features.every((f) => solves.includes(f)) ? "ok" : "wrong";
      },
    ],
    { whenDone: "repeat-last" },
  );

const task = (features: readonly string[], i = 0) =>
  ask(`task ${i}`, { taskClass: [...features].sort().join("+"), taskFeatures: [...features] });

const prices = { small: 0.002, large: 0.01 };

describe("costAwareRouting", () => {
  it("learns a starting rung per task class: a cheap rung that rarely answers is passed over", async () => {
    const store = memoryStatsStore();
    const ladder = escalateAcross([solving("small", ["easy"]), solving("large", ["easy", "hard"])], {
      rubric: containsOk,
      store,
      routing: costAwareRouting({ prices, value: 0.05, minSamples: 4 }),
    });
    const calls: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const generation = await ladder.generate(task([i % 2 === 0 ? "easy" : "hard"], i));
      calls.push(generation.trace?.attempts?.length ?? 0);
    }
    // Hard tasks climb (2 calls) until "small" has enough samples, then start on "large" (1 call); easy
    // tasks always start and end on "small".
    expect(calls.slice(-4)).toEqual([1, 1, 1, 1]);
    const hard = await ladder.generate(task(["hard"], 99));
    expect(hard.modelId).toBe("large");
    expect(hard.trace?.skips).toMatchObject([
      { modelId: "small", reason: "learned", detail: expect.stringContaining("not worth its price") },
    ]);
    const easy = await ladder.generate(task(["easy"], 100));
    expect(easy.modelId).toBe("small");
    expect(easy.trace?.skips).toEqual([]);
  });

  it("a new combination of known features is not a cold start", async () => {
    const train = async (features: boolean) => {
      const store = memoryStatsStore();
      const ladder = escalateAcross(
        [solving("small", ["a", "b", "c"]), solving("large", ["a", "b", "c", "x"])],
        {
          rubric: containsOk,
          store,
          routing: costAwareRouting({
            prices,
            value: 0.05,
            minSamples: 4,
            features: { taskFeatures: features },
          }),
        },
      );
      // "small" solves a, b, c but never x; it has seen x only with a.
      for (let i = 0; i < 6; i += 1) await ladder.generate(task(["a", "x"], i));
      for (let i = 0; i < 6; i += 1) await ladder.generate(task(["a", "b"], i));
      return ladder.generate(task(["c", "x"], 50)); // a class never seen, with one known feature
    };
    const withFeatures = await train(true);
    expect(withFeatures.trace?.skips?.map((s) => s.modelId)).toEqual(["small"]);
    expect(withFeatures.trace?.attempts?.length).toBe(1);
    const classOnly = await train(false);
    expect(classOnly.trace?.skips).toEqual([]);
    expect(classOnly.trace?.attempts?.length).toBe(2);
  });

  it("counts attempts under the rules the previous attempt violated, and learns from them", async () => {
    const store = memoryStatsStore();
    const ladder = escalateAcross([solving("small", []), solving("large", ["a"])], {
      rubric: containsOk,
      store,
      routing: costAwareRouting({ prices, value: 1 }),
    });
    await ladder.generate(task(["a"]));
    expect(store.stats("*", "small")).toEqual({ accepted: 0, failed: 1 });
    expect(store.stats("feature:a", "small")).toEqual({ accepted: 0, failed: 1 });
    // "large" came after an attempt that broke the rubric's rule: counted under it.
    expect(store.stats("rule:says-ok", "large")).toEqual({ accepted: 1, failed: 0 });
    expect(store.stats("a", "large")).toEqual({ accepted: 1, failed: 0 });
  });

  it("passes over the top rung when no rung is worth its price: exhausted with no call", async () => {
    const store = memoryStatsStore();
    const large = solving("large", []);
    const generate = vi.spyOn(large, "generate");
    const ladder = escalateAcross([large], {
      rubric: containsOk,
      store,
      routing: costAwareRouting({ prices: { large: 0.01 }, value: 0.02, minSamples: 3 }),
    });
    for (let i = 0; i < 3; i += 1) await ladder.generate(task(["x"], i)).catch(() => {});
    expect(generate).toHaveBeenCalledTimes(3);
    const error = await ladder.generate(task(["x"], 9)).catch((e: unknown) => e);
    expect(ExhaustedError.isInstance(error)).toBe(true);
    expect((error as ExhaustedError).attempts).toEqual([]);
    expect((error as ExhaustedError).message).toContain('"large" learned');
    expect(generate).toHaveBeenCalledTimes(3);
  });

  it("exploreEvery lets every n-th skip through, so a rung that improved can recover", async () => {
    const store = memoryStatsStore();
    let learned = false;
    const small = scriptedModel("small", [() => (learned ? "ok" : "wrong")], { whenDone: "repeat-last" });
    const ladder = escalateAcross([small, solving("large", ["h"])], {
      rubric: containsOk,
      store,
      routing: costAwareRouting({ prices, value: 0.05, minSamples: 3, exploreEvery: 3 }),
    });
    for (let i = 0; i < 3; i += 1) await ladder.generate(task(["h"], i));
    learned = true;
    const seen: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const generation = await ladder.generate(task(["h"], 10 + i));
      seen.push(generation.trace?.skips?.[0]?.reason ?? `tried:${generation.modelId}`);
    }
    expect(seen).toEqual(["learned", "learned", "tried:small"]);
  });

  it("a store that fails to answer: warns and tries the rung", async () => {
    const broken = {
      ...memoryStatsStore(),
      stats: () => {
        throw new Error("store offline");
      },
    };
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      const generation = await escalateAcross([solving("small", ["a"])], {
        rubric: containsOk,
        store: broken,
        routing: costAwareRouting({ prices: { small: 1 }, value: 0.5, minSamples: 0 }),
      }).generate(task(["a"]));
      expect(generation.text).toBe("ok");
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("store offline"), {
        code: "RUNGS_STATS_STORE_ERROR",
      });
    } finally {
      warn.mockRestore();
    }
  });

  it("a bug in a policy's code stops the run with a CallerCodeError; no model is called", async () => {
    const small = solving("small", ["a"]);
    const generate = vi.spyOn(small, "generate");
    const buggy = {
      keys: () => [],
      skip: (): string | undefined => {
        throw new TypeError("cannot read properties of undefined (reading 'rate')");
      },
    };
    const error = await escalateAcross([small], {
      rubric: containsOk,
      store: memoryStatsStore(),
      routing: buggy,
    })
      .generate(task(["a"]))
      .catch((e: unknown) => e);
    expect(CallerCodeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ origin: "skip", modelId: "small" });
    expect(generate).not.toHaveBeenCalled();
  });

  it("refuses bad options and a ladder it cannot price, naming the fix", () => {
    const small = solving("small", []);
    expect(() => costAwareRouting({ prices, value: 0 })).toThrow(/value/);
    expect(() => costAwareRouting({ prices: { small: -1 }, value: 1 })).toThrow(/prices\.small/);
    expect(() => costAwareRouting({ prices, value: 1, prior: 0 })).toThrow(InvalidArgumentError);
    const routing = costAwareRouting({ prices, value: 1 });
    expect(() => escalateAcross([small], { routing })).toThrow(/give a store too/);
    expect(() =>
      escalateAcross([small, solving("medium", [])], { store: memoryStatsStore(), routing }),
    ).toThrow(/no price for model "medium"/);
    expect(() => escalateAcross([small], { store: memoryStatsStore(), routing: {} as never })).toThrow(
      /RoutingPolicy/,
    );
  });
});
