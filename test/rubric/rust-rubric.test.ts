import { describe, expect, it } from "vitest";
import { loadRustSamples, rustAsyncRubric } from "../../examples/rust-rubric.js";
import { calibrate } from "../../src/rubric/calibrate.js";
import "../../src/vitest/index.js";

const samples = loadRustSamples();

describe("the Rust async-function rubric (examples/rust-rubric.ts)", () => {
  it("has 15 rules, with the signature and no-unwrap required", () => {
    expect(rustAsyncRubric.rules).toHaveLength(15);
    expect(rustAsyncRubric.rules.filter((r) => r.required).map((r) => r.id)).toEqual([
      "signature",
      "no-unwrap",
    ]);
  });

  it("accepts every good sample and rejects every bad one, shown by calibrate", async () => {
    expect(samples.accept.length).toBeGreaterThanOrEqual(4);
    expect(samples.reject.length).toBeGreaterThanOrEqual(8);
    const report = await calibrate(rustAsyncRubric, samples);
    expect(report.summary).toMatch(/4\/4 good samples accepted, 11\/11 bad samples rejected/);
    expect(report.wronglyRejected).toEqual([]);
    expect(report.wronglyAccepted).toEqual([]);
    // Every rule catches at least one bad sample: none is dead weight on these fixtures.
    expect(report.rules.filter((r) => r.failedOnReject === 0).map((r) => r.ruleId)).toEqual([]);
    await expect(rustAsyncRubric).toBeCalibratedOn(samples);
  });

  it.each([
    ["const DELAYS_MS: [u64; 3] = [250, 500, 1000];"],
    ["delay *= 2;"],
    ["let wait = BASE_DELAY_MS << attempt;"],
    ["let wait = 250 * 2u64.pow(attempt);"],
    ["delay = delay * 2;"],
  ])("accepts the exponential-backoff form %s", async (line) => {
    const rule = rustAsyncRubric.rules.find((r) => r.id === "backoff-exponential")!;
    expect(await rule.check(line, {})).toBe(true);
  });

  it("says which rule failed and why in the violation message", async () => {
    const bad = samples.reject.find((s) => typeof s !== "string" && s.name === "bad/unwrap.rs");
    const verdict = await rustAsyncRubric.evaluate(typeof bad === "string" ? bad : (bad?.text ?? ""));
    const unwrap = verdict.violations.find((v) => v.ruleId === "no-unwrap");
    expect(unwrap?.message).toMatch(/never \.unwrap\(\)\. Found "\.unwrap\(\)" .* on line \d+/);
  });
});
