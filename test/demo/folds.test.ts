import { describe, expect, it } from "vitest";
import { loadIfeval, taskClassOf } from "../../demo/data.js";
import {
  costAwarePolicy,
  crossValidate,
  minAcceptRatePolicy,
  plainPolicy,
  stratifiedFolds,
  withoutPolicy,
} from "../../demo/folds.js";
import { meetingTarget, policyTable } from "../../demo/folds-report.js";
import { runReplayLadder } from "../../demo/ladder.js";

const data = loadIfeval();

describe("stratifiedFolds", () => {
  it("puts every prompt in exactly one fold, sizes within one, each class spread evenly, same for a seed", () => {
    const folds = stratifiedFolds(data.prompts, 5, 20);
    const keys = folds.flat().map((p) => p.key);
    expect(new Set(keys).size).toBe(data.prompts.length);
    expect(keys).toHaveLength(data.prompts.length);
    const sizes = folds.map((f) => f.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const taskClass of new Set(data.prompts.map(taskClassOf))) {
      const perFold = folds.map((f) => f.filter((p) => taskClassOf(p) === taskClass).length);
      expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
    }
    expect(stratifiedFolds(data.prompts, 5, 20)).toEqual(folds);
    expect(stratifiedFolds(data.prompts, 5, 21)).not.toEqual(folds);
  });
});

describe("crossValidate on a 120-prompt slice", () => {
  const slice = { ...data, prompts: data.prompts.slice(0, 120) };

  it("sums the held-out folds over every prompt once; without learning it equals the plain ladder", async () => {
    const [plain, cut, learned, routed] = await crossValidate({
      data: slice,
      policies: [plainPolicy, withoutPolicy(["gpt-4o"]), minAcceptRatePolicy, costAwarePolicy(0.03)],
      folds: 3,
    });
    const whole = await runReplayLadder({
      data: slice,
      prompts: slice.prompts,
      singles: false,
      concurrency: 1,
    });
    expect(plain!.prompts).toBe(120);
    expect(plain!.referenceAccuracy).toBeCloseTo(whole.ladder.referenceAccuracy, 10);
    expect(plain!.costUsd).toBeCloseTo(whole.ladder.costUsd, 10);
    expect(plain!.calls).toBe(whole.ladder.calls);
    expect(plain!.topCostUsd).toBeCloseTo(whole.topModel.costUsd, 10);
    expect(plain!.folds).toHaveLength(3);
    // Leaving gpt-4o out: it is never called.
    expect(cut!.frontierCalls).toBeLessThan(plain!.frontierCalls);
    for (const result of [learned!, routed!]) {
      expect(result.prompts).toBe(120);
      expect(result.learns).toBe(true);
    }
    const table = policyTable([plain!, cut!, learned!, routed!]);
    expect(table.split("\n")).toHaveLength(6);
    expect(table).toContain("costAwareRouting value $0.03");
    // Static ladders never count as meeting the target.
    expect(meetingTarget([plain!, cut!], 0, 1)).toBeUndefined();
  }, 60_000);
});
