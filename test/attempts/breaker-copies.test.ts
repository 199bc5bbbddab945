import { describe, expect, it, vi } from "vitest";
import { CircuitBreakers } from "../../src/attempts/breaker-registry.js";
import { ProviderError } from "../../src/index.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { scriptedModel } from "../../src/testing/index.js";

describe("CircuitBreakers across two loaded copies of rungs", () => {
  it("is recognised and shared, not silently replaced by a fresh registry", async () => {
    vi.resetModules();
    const secondCopy = "../../src/attempts/breaker-registry.js?copy=2";
    const copy = (await import(
      /* @vite-ignore */ secondCopy
    )) as typeof import("../../src/attempts/breaker-registry.js");
    const foreign = new copy.CircuitBreakers({ failureThreshold: 1 });
    expect(foreign instanceof CircuitBreakers).toBe(false);
    expect(CircuitBreakers.isInstance(foreign)).toBe(true);

    const down = scriptedModel("down", [
      new ProviderError("503", { kind: "server-error", providerId: "down", status: 503 }),
    ]);
    const up = scriptedModel("up", ["ok"], { whenDone: "repeat-last" });
    const ladder = escalateAcross([down, up], { breakers: foreign });
    const ask = { messages: [{ role: "user" as const, content: "x" }] };
    await ladder.generate(ask);
    // The foreign registry saw the failure and opened: the second run skips "down" without calling it.
    const second = await ladder.generate(ask);
    expect(down.calls).toHaveLength(1);
    expect(second.trace?.skips?.[0]).toMatchObject({ modelId: "down", reason: "circuit-open" });
  });
});

describe("prototype-named model ids", () => {
  it("a breaker for a model named __proto__ is saved and restored as an own key (issue 27)", async () => {
    const breakers = new CircuitBreakers({ failureThreshold: 1 });
    const admission = breakers.admit("__proto__");
    if (admission.permit === undefined) throw new Error("expected a permit");
    await admission.permit.release("server-error");
    const saved = breakers.toJSON();
    expect(Object.hasOwn(saved, "__proto__")).toBe(true);
    expect(
      Object.getOwnPropertyDescriptor(JSON.parse(JSON.stringify(saved)), "__proto__")?.value,
    ).toMatchObject({ state: "open" });
  });
});
