import { describe, expect, it } from "vitest";
import { admit } from "../../../src/attempts/gates/admit.js";
import type { Gate } from "../../../src/attempts/gates/gate.js";
import { gateRun, rungOf } from "./run.js";

const permit = () => {
  const released: string[] = [];
  return {
    released,
    permit: {
      probe: false,
      deadline: Number.POSITIVE_INFINITY,
      release: (o: string) => void released.push(o),
    },
  };
};

describe("admit: asking the gates", () => {
  it("asks arrival gates only on arrival, attempt gates every time, in order", async () => {
    const asked: string[] = [];
    const gate = (name: string, on: Gate["on"]): Gate => ({ on, check: () => void asked.push(name) });
    const gates = [gate("a", "arrival"), gate("b", "arrival"), gate("c", "attempt")];
    await admit(gates, rungOf(0), gateRun(), true);
    await admit(gates, rungOf(0), gateRun(), false);
    expect(asked).toEqual(["a", "b", "c", "c"]);
  });

  it("the first skip wins; 'admit' ends the arrival gates; a permit is returned to hold", async () => {
    const { permit: held } = permit();
    const skipping: Gate = { on: "arrival", check: () => ({ reason: "disabled", detail: "no" }) };
    const never: Gate = {
      on: "arrival",
      check: () => {
        throw new Error("must not be asked");
      },
    };
    const admitting: Gate = { on: "arrival", check: async () => "admit" as const };
    const breaker: Gate = { on: "attempt", check: () => held };
    expect(await admit([skipping, never], rungOf(0), gateRun(), true)).toEqual({
      reason: "disabled",
      detail: "no",
    });
    expect(await admit([admitting, never, breaker], rungOf(0), gateRun(), true)).toBe(held);
  });

  it("a permit handed out before a later skip is released unused", async () => {
    const { permit: held, released } = permit();
    const gates: Gate[] = [
      { on: "attempt", check: () => held },
      { on: "attempt", check: () => ({ reason: "circuit-open", detail: "later gate" }) },
    ];
    expect(await admit(gates, rungOf(0), gateRun(), false)).toMatchObject({ reason: "circuit-open" });
    expect(released).toEqual(["ignore"]);
  });

  it("a gate that hangs cannot hold the run past the caller's abort", async () => {
    const controller = new AbortController();
    const hung: Gate = { on: "arrival", check: () => new Promise(() => {}) };
    const asking = admit([hung], rungOf(0), gateRun({ guard: { signal: controller.signal } }), true);
    const reason = new Error("user left");
    controller.abort(reason);
    await expect(asking).rejects.toBe(reason);
  });
});
