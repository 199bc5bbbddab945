import { describe, expect, it } from "vitest";
import { breakerGate } from "../../../src/attempts/gates/breaker.js";
import { CircuitBreakers, escalateAcross, memoryStatsStore } from "../../../src/index.js";
import { manualClock, scriptedModel } from "../../../src/testing/index.js";
import { gateRun, rungOf } from "./run.js";

describe("breakerGate", () => {
  it("hands out a permit while the circuit is closed, and passes over an open one saying until when", async () => {
    const clock = manualClock(0);
    const breakers = new CircuitBreakers({ failureThreshold: 1, openMs: 1_000, clock });
    const gate = breakerGate(breakers);
    const permit = await gate.check(rungOf(0), gateRun());
    expect(permit).toMatchObject({ probe: false });
    await (permit as { release(outcome: string): unknown }).release("server-error");
    expect(await gate.check(rungOf(0), gateRun())).toEqual({
      reason: "circuit-open",
      detail: `its circuit is open until ${new Date(1_000).toISOString()}`,
    });
  });

  it("a shared registry's promised answer (another process's breaker) is awaited", async () => {
    const gate = breakerGate({
      admit: async () => ({ retryAt: undefined, detail: "Redis is down (fail-closed)" }),
    } as never);
    expect(await gate.check(rungOf(0), gateRun())).toEqual({
      reason: "circuit-open",
      detail: "Redis is down (fail-closed)",
    });
  });

  it("a task whose every rung is passed over by open breakers was not tried: it is not blocked (issue 27)", async () => {
    const breakers = new CircuitBreakers({
      initialState: {
        a: { state: "open", consecutiveFailures: 5, openedAt: Date.now() },
        b: { state: "open", consecutiveFailures: 5, openedAt: Date.now() },
      },
    });
    const store = memoryStatsStore();
    const a = scriptedModel("a", ["ok"]);
    const b = scriptedModel("b", ["ok"]);
    const ladder = escalateAcross([a, b], { breakers, store });
    const request = { prompt: "task", metadata: { taskId: "t-1" } };
    await expect(ladder.generate(request)).rejects.toMatchObject({ limit: "rungsUnavailable" });
    expect(await store.blockedAt("t-1")).toBeUndefined();
    // Once the breakers close, the task runs.
    breakers.reset("a");
    expect((await ladder.generate(request)).text).toBe("ok");
    expect(a.calls).toHaveLength(1);
  });
});
