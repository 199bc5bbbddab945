import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors/index.js";
import { calibrate } from "../../src/rubric/calibrate.js";
import { defineRubric } from "../../src/rubric/rubric.js";
import { matches, nonEmpty, notMatches } from "../../src/rubric/rules.js";

const rubric = defineRubric({
  id: "greeting",
  rules: [nonEmpty(), matches("hello", /hello/i), notMatches("no-shout", /!!/)],
});

describe("calibrate", () => {
  it("reports a calibrated rubric when good samples pass and bad ones fail", async () => {
    const report = await calibrate(rubric, { accept: ["Hello there", "hello"], reject: ["bye", "hello!!"] });
    expect(report.calibrated).toBe(true);
    expect(report.wronglyRejected).toEqual([]);
    expect(report.wronglyAccepted).toEqual([]);
    expect(report.counts).toEqual({ accept: 2, reject: 2 });
    expect(report.rules).toEqual([
      { ruleId: "non-empty", failedOnAccept: 0, failedOnReject: 0 },
      { ruleId: "hello", failedOnAccept: 0, failedOnReject: 1 },
      { ruleId: "no-shout", failedOnAccept: 0, failedOnReject: 1 },
    ]);
    expect(report.summary).toMatch(/2\/2 good samples accepted, 2\/2 bad samples rejected/);
  });

  it("names good samples wrongly rejected (with the rules) and bad ones wrongly accepted", async () => {
    const report = await calibrate(rubric, {
      accept: ["hi there", { name: "excited", text: "hello!!" }],
      reject: [{ name: "sneaky", text: "hello, goodbye" }],
    });
    expect(report.calibrated).toBe(false);
    expect(report.wronglyRejected.map((m) => [m.name, m.index, m.failedRules])).toEqual([
      ["accept[0]", 0, ["hello"]],
      ["excited", 1, ["no-shout"]],
    ]);
    expect(report.wronglyAccepted.map((m) => m.name)).toEqual(["sneaky"]);
    expect(report.summary).toMatch(/wrongly rejected excited \(2\/3\): no-shout/);
    expect(report.summary).toMatch(/wrongly accepted sneaky \(3\/3\)/);
  });

  it("refuses samples of the wrong shape or none at all", async () => {
    await expect(calibrate(rubric, { accept: [], reject: [] })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(calibrate(rubric, { accept: [1 as never], reject: [] })).rejects.toThrow(/accept\.0/);
  });
});
