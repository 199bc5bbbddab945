import { describe, expect, it } from "vitest";
import { routingGate } from "../../../src/attempts/gates/routing.js";
import type { RoutingPolicy } from "../../../src/attempts/routing/policy.js";
import { CallerCodeError, memoryStatsStore } from "../../../src/index.js";
import { captureWarnings } from "../../support/warnings.js";
import { gateRun, rungOf } from "./run.js";

const policy = (skip: RoutingPolicy["skip"]): RoutingPolicy => ({ keys: () => [], skip });

describe("routingGate", () => {
  it("passes over a rung the policy names a reason for (the top rung too), and sees the store and ladder", async () => {
    const store = memoryStatsStore();
    const seen: unknown[] = [];
    const gate = routingGate(
      policy((context) => {
        seen.push(context);
        return context.rung === 2 ? "not worth its price" : undefined;
      }),
      store,
      ["m0", "m1", "m2"],
    );
    expect(await gate.check(rungOf(0), gateRun())).toBeUndefined();
    expect(await gate.check(rungOf(2), gateRun())).toEqual({
      reason: "learned",
      detail: "not worth its price",
    });
    expect(seen[0]).toMatchObject({ rung: 0, modelIds: ["m0", "m1", "m2"], store, attempts: [] });
  });

  it("a policy bug stops the run as caller code; a store that fails to answer is reported and the rung tried", async () => {
    const bug = routingGate(
      policy(() => {
        throw new TypeError("x is undefined");
      }),
      memoryStatsStore(),
      ["m0"],
    );
    await expect(bug.check(rungOf(0), gateRun())).rejects.toSatisfy((e) => CallerCodeError.isInstance(e));
    const warnings = captureWarnings();
    const down = routingGate(
      policy(() => Promise.reject(new Error("ECONNREFUSED"))),
      memoryStatsStore(),
      ["m0"],
    );
    expect(await down.check(rungOf(0), gateRun())).toBeUndefined();
    expect(warnings.map((w) => w.code)).toEqual(["RUNGS_STATS_STORE_ERROR"]);
  });
});
