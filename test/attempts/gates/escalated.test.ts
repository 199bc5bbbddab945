import { describe, expect, it } from "vitest";
import { escalatedGate } from "../../../src/attempts/gates/escalated.js";
import { gateRun, rungOf } from "./run.js";

const resumed = {
  taskId: "t",
  failures: 2,
  failedRung: 0,
  failedModelId: "m0",
  startRung: 1,
  carriedFailures: 2,
  detail: "task t failed on m0",
};

describe("escalatedGate", () => {
  it("passes every rung of a run that did not resume", () => {
    expect(escalatedGate.check(rungOf(0), gateRun())).toBeUndefined();
  });

  it("passes over the rungs below where a resumed task starts, with the resumption's words", () => {
    const run = gateRun({ resumed });
    expect(escalatedGate.check(rungOf(0), run)).toEqual({ reason: "escalated", detail: resumed.detail });
    expect(escalatedGate.check(rungOf(1), run)).toBeUndefined();
    expect(escalatedGate.check(rungOf(2), run)).toBeUndefined();
  });
});
