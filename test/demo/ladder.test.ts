import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadIfeval } from "../../demo/data.js";
import { type ReplayLadderResult, rubricOf, runReplayLadder } from "../../demo/ladder.js";
import { memoryStatsStore } from "../../src/record/memory-stats-store.js";

const data = loadIfeval();
const slice = 40;
let dir: string;
let result: ReplayLadderResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rungs-demo-"));
  result = await runReplayLadder({ data, limit: slice, concurrency: 4, recordDir: join(dir, "run") });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("runReplayLadder on a slice of IFEval", () => {
  it("answers each prompt at the first rung whose recorded response the rubric accepts", async () => {
    const prompts = data.prompts.slice(0, slice);
    for (const [i, outcome] of result.outcomes.entries()) {
      const prompt = prompts[i]!;
      expect(outcome.key).toBe(prompt.key);
      const rubric = rubricOf(prompt);
      const verdicts = await Promise.all(
        result.models.map(
          async (model) => (await rubric.evaluate(data.responses.get(model)!.get(prompt.key)!)).accepted,
        ),
      );
      const first = verdicts.indexOf(true);
      expect(outcome.rung).toBe(first === -1 ? undefined : first);
      expect(outcome.calls).toBe(first === -1 ? result.models.length : first + 1);
      expect(outcome.referenceAccepted).toBe(
        first !== -1 && data.reference.get(result.models[first]!)!.get(prompt.key) === true,
      );
    }
  });

  it("keeps its numbers consistent: per rung, cumulative, ladder, calls", () => {
    const { ladder, rungs, outcomes, prompts } = result;
    expect(prompts).toBe(slice);
    const accepted = rungs.reduce((sum, r) => sum + r.acceptedHere, 0);
    const correct = rungs.reduce((sum, r) => sum + r.correctHere, 0);
    expect(ladder.rubricAccuracy).toBeCloseTo(accepted / slice, 12);
    expect(ladder.referenceAccuracy).toBeCloseTo(correct / slice, 12);
    expect(ladder.referenceAccuracy).toBeLessThanOrEqual(ladder.rubricAccuracy);
    expect(ladder.falseAccepts).toBe(accepted - correct);
    expect(rungs.at(-1)!.cumulativeRubric).toBeCloseTo(ladder.rubricAccuracy, 12);
    expect(rungs.at(-1)!.cumulativeReference).toBeCloseTo(ladder.referenceAccuracy, 12);
    expect(ladder.exhausted).toBe(slice - accepted);
    expect(ladder.calls).toBe(rungs.reduce((sum, r) => sum + r.calls, 0));
    expect(ladder.calls).toBe(outcomes.reduce((sum, o) => sum + o.calls, 0));
    expect(ladder.maxCallsPerPrompt).toBeLessThanOrEqual(8);
    for (const outcome of outcomes) expect(outcome.calls).toBeGreaterThanOrEqual(1);
    // Every prompt calls the first rung; each later rung only sees what the ones below rejected.
    expect(rungs[0]!.calls).toBe(slice);
    for (let i = 1; i < rungs.length; i += 1) {
      expect(rungs[i]!.calls).toBe(rungs[i - 1]!.calls - rungs[i - 1]!.acceptedHere);
    }
    expect(ladder.costUsd).toBeGreaterThan(0);
    expect(ladder.costUsd).toBeLessThan(result.topModel.costUsd);
  });

  it("writes every attempt to the run directory, one subdirectory per prompt", () => {
    const run = join(dir, "run");
    const summary = JSON.parse(readFileSync(join(run, "summary.json"), "utf8"));
    expect(summary.attempts).toBe(result.ladder.calls);
    expect(summary.writeErrors).toEqual([]);
    expect(result.records?.attempts).toBe(result.ladder.calls);
    for (const outcome of result.outcomes) {
      const task = join(run, `ifeval[${outcome.key}]`);
      for (let n = 1; n <= outcome.calls; n += 1) {
        const record = JSON.parse(readFileSync(join(task, `attempt_${n}.json`), "utf8"));
        expect(record.rung).toBe(n - 1);
        expect(record.usage.outputTokens).toBeGreaterThanOrEqual(0);
        expect(existsSync(join(task, `attempt_${n}.txt`))).toBe(true);
      }
      expect(existsSync(join(task, `attempt_${outcome.calls + 1}.json`))).toBe(false);
      expect(JSON.parse(readFileSync(join(task, "summary.json"), "utf8")).attempts).toBe(outcome.calls);
    }
  });

  it("with a stats store, the same mix again costs fewer calls and blocks what it gave up on", async () => {
    const store = memoryStatsStore();
    const runs: ReplayLadderResult[] = [];
    for (let i = 0; i < 2; i += 1) {
      runs.push(await runReplayLadder({ data, limit: slice, concurrency: 1, store, singles: false }));
    }
    const [first, second] = runs as [ReplayLadderResult, ReplayLadderResult];
    expect(second.ladder.blocked).toBe(first.ladder.exhausted);
    expect(second.ladder.calls).toBeLessThan(first.ladder.calls);
    expect(second.ladder.topTwoCalls).toBeLessThanOrEqual(first.ladder.topTwoCalls);
    expect(second.outcomes.filter((o) => o.blocked).every((o) => o.calls === 0)).toBe(true);
  });
});

describe("runReplayLadder on all 541 prompts", () => {
  it("lands within a point of 94.8 % by the reference, above every single model", async () => {
    const full = await runReplayLadder({ data, singles: false });
    expect(full.prompts).toBe(541);
    expect(Math.abs(full.ladder.referenceAccuracy - 0.948)).toBeLessThanOrEqual(0.01);
    for (const single of full.singles)
      expect(full.ladder.referenceAccuracy).toBeGreaterThan(single.reference);
    expect(full.singles.map((s) => s.model)).toEqual(full.models);
  }, 120_000);
});
