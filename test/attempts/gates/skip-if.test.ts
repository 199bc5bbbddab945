import { describe, expect, it } from "vitest";
import { skipIfGate } from "../../../src/attempts/gates/skip-if.js";
import { CallerCodeError } from "../../../src/index.js";
import { gateRun, rungOf } from "./run.js";

describe("skipIfGate", () => {
  it("passes a rung without skip, or whose skip returns false", () => {
    expect(skipIfGate.check(rungOf(0), gateRun())).toBeUndefined();
    expect(skipIfGate.check(rungOf(0, undefined, { skip: () => false }), gateRun())).toBeUndefined();
  });

  it("passes over with the reason skip returns, and sees the request, rung, model and attempts", () => {
    const seen: unknown[] = [];
    const rung = rungOf(1, undefined, {
      skip: (context) => {
        seen.push(context);
        return "private data stays local";
      },
    });
    const run = gateRun();
    expect(skipIfGate.check(rung, run)).toEqual({ reason: "disabled", detail: "private data stays local" });
    expect(seen).toEqual([{ request: run.request, rung: 1, modelId: "m1", attempts: [] }]);
    expect(skipIfGate.check(rungOf(1, undefined, { skip: () => "" }), run)).toEqual({
      reason: "disabled",
      detail: "its skip() returned a reason",
    });
  });

  it("a skip that throws is the caller's bug: CallerCodeError with it as the cause", () => {
    const bug = new TypeError("metadata is undefined");
    const rung = rungOf(0, undefined, {
      skip: () => {
        throw bug;
      },
    });
    let error: unknown;
    try {
      skipIfGate.check(rung, gateRun());
    } catch (caught) {
      error = caught;
    }
    expect(CallerCodeError.isInstance(error)).toBe(true);
    expect((error as CallerCodeError).cause).toBe(bug);
  });
});
