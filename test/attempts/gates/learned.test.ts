import { describe, expect, it } from "vitest";
import { learnedGate } from "../../../src/attempts/gates/learned.js";
import { memoryStatsStore, type StatsStore, StatsStoreError } from "../../../src/index.js";
import { captureWarnings } from "../../support/warnings.js";
import { gateRun, rungOf } from "./run.js";

const request = { messages: [{ role: "user" as const, content: "task" }], metadata: { taskClass: "rust" } };
const run = gateRun({ request });

async function storeWith(accepted: number, failed: number): Promise<StatsStore> {
  const store = memoryStatsStore();
  for (let i = 0; i < accepted; i += 1)
    await store.record({ taskClass: "rust", modelId: "m0", accepted: true });
  for (let i = 0; i < failed; i += 1)
    await store.record({ taskClass: "rust", modelId: "m0", accepted: false });
  return store;
}
const options = { minAcceptRate: 0.5, minSamples: 4, exploreEvery: undefined, failClosed: false };

describe("learnedGate", () => {
  it("passes over a rung whose accept rate on the task class is below minAcceptRate after minSamples", async () => {
    const gate = learnedGate({ ...options, store: await storeWith(1, 4) });
    expect(await gate.check(rungOf(0), run)).toEqual({
      reason: "learned",
      detail: 'accepted 1/5 on task class "rust" (rate 0.20 < minAcceptRate 0.5)',
    });
  });

  it("tries a rung with too few samples, a good rate, no task class, or at the top", async () => {
    expect(
      await learnedGate({ ...options, store: await storeWith(0, 3) }).check(rungOf(0), run),
    ).toBeUndefined();
    expect(
      await learnedGate({ ...options, store: await storeWith(3, 1) }).check(rungOf(0), run),
    ).toBeUndefined();
    const poor = learnedGate({ ...options, store: await storeWith(0, 9) });
    expect(await poor.check(rungOf(0), gateRun())).toBeUndefined();
    // The top rung is never passed over by learning: a ladder always has something to try.
    expect(await poor.check(rungOf(2), run)).toBeUndefined();
  });

  it("explores: every exploreEvery-th skip of a rung is let through (and ends the arrival gates)", async () => {
    const gate = learnedGate({ ...options, exploreEvery: 3, store: await storeWith(0, 9) });
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await gate.check(rungOf(0), run));
    expect(answers.map((a) => (typeof a === "object" && a !== null && "reason" in a ? a.reason : a))).toEqual(
      ["learned", "learned", "admit", "learned", "learned", "admit"],
    );
  });

  it("a store that fails or answers damaged counts is reported and the rung tried; fail-closed stops", async () => {
    const warnings = captureWarnings();
    const broken = { ...memoryStatsStore(), stats: () => Promise.reject(new Error("disk on fire")) };
    expect(await learnedGate({ ...options, store: broken }).check(rungOf(0), run)).toBe("admit");
    const damaged = { ...memoryStatsStore(), stats: () => ({ accepted: "lots", failed: -1 }) as never };
    expect(await learnedGate({ ...options, store: damaged }).check(rungOf(0), run)).toBe("admit");
    const said = warnings.map((w) => `${w.code}: ${w.message}`).join("\n");
    expect(said).toContain(
      "RUNGS_STATS_STORE_ERROR: rungs: the stats store failed (the run goes on without it): disk on fire",
    );
    expect(said).toContain("damaged counts");
    const closed = learnedGate({ ...options, failClosed: true, store: broken });
    await expect(Promise.resolve(closed.check(rungOf(0), run))).rejects.toSatisfy((e) =>
      StatsStoreError.isInstance(e),
    );
  });
});
