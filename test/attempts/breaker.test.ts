import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/attempts/breaker.js";
import { CircuitBreakers } from "../../src/attempts/breaker-registry.js";
import { ExhaustedError, InvalidArgumentError, ProviderError } from "../../src/index.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { hang, manualClock, scriptedModel } from "../../src/testing/index.js";
import { ask } from "./helpers.js";

const fail = (breaker: CircuitBreaker, kind: ProviderError["kind"] = "server-error") =>
  breaker.tryAcquire()?.release(kind);

describe("CircuitBreaker", () => {
  it("opens after N consecutive provider failures; a success in between resets the count", () => {
    const clock = manualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, clock });
    fail(breaker);
    fail(breaker);
    breaker.tryAcquire()?.release("success");
    fail(breaker);
    fail(breaker);
    expect(breaker.state).toBe("closed");
    fail(breaker);
    expect(breaker.state).toBe("open");
    expect(breaker.tryAcquire()).toBeUndefined();
  });

  it("does not count answers the rubric rejected: the provider worked", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    breaker.tryAcquire()?.release("rejected");
    breaker.tryAcquire()?.release("empty");
    expect(breaker.state).toBe("closed");
  });

  it("opens at once on auth, model-not-found or quota-exhausted", () => {
    for (const kind of ["auth", "model-not-found", "quota-exhausted"] as const) {
      const breaker = new CircuitBreaker({ failureThreshold: 5 });
      fail(breaker, kind);
      expect(breaker.state).toBe("open");
    }
  });

  it("lets one probe through half-open: success closes, failure reopens", async () => {
    const clock = manualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1_000, clock });
    fail(breaker);
    await clock.advance(999);
    expect(breaker.tryAcquire()).toBeUndefined();
    await clock.advance(1);
    expect(breaker.state).toBe("half-open");
    const probe = breaker.tryAcquire();
    expect(probe?.probe).toBe(true);
    expect(breaker.tryAcquire()).toBeUndefined(); // one probe at a time
    probe?.release("network");
    expect(breaker.state).toBe("open");
    await clock.advance(1_000);
    breaker.tryAcquire()?.release("success");
    expect(breaker.state).toBe("closed");
  });

  it("a probe that never reports back releases its permit at its timeout", async () => {
    const clock = manualClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 100, probeTimeoutMs: 500, clock });
    fail(breaker);
    await clock.advance(100);
    const hungProbe = breaker.tryAcquire();
    expect(hungProbe?.probe).toBe(true);
    await clock.advance(500); // the probe times out: counted as failed, the breaker reopens
    expect(breaker.state).toBe("open");
    await clock.advance(100);
    const next = breaker.tryAcquire();
    expect(next?.probe).toBe(true);
    hungProbe?.release("success"); // a late report from the old probe changes nothing
    expect(breaker.state).toBe("half-open");
    next?.release("success");
    expect(breaker.state).toBe("closed");
  });

  it("reset() closes it; toJSON() round-trips through initialState", async () => {
    const clock = manualClock(5_000);
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 1_000, clock });
    fail(breaker);
    fail(breaker);
    const saved = JSON.parse(JSON.stringify(breaker));
    expect(saved).toEqual({ state: "open", consecutiveFailures: 2, openedAt: 5_000 });
    const restored = new CircuitBreaker({ failureThreshold: 2, openMs: 1_000, clock, initialState: saved });
    expect(restored.state).toBe("open");
    await clock.advance(1_000);
    expect(restored.state).toBe("half-open");
    breaker.reset();
    expect(breaker.toJSON()).toEqual({ state: "closed", consecutiveFailures: 0 });
  });

  it("refuses bad settings, naming them", () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(InvalidArgumentError);
    expect(() => new CircuitBreaker({ openMs: -5 })).toThrow(/openMs/);
    expect(() => new CircuitBreakers({ initialState: { m: { state: "ajar" } } } as never)).toThrow(
      InvalidArgumentError,
    );
  });
});

describe("circuit breakers in a ladder", () => {
  it("an open circuit skips the rung, recorded as circuit-open, and later calls go straight on", async () => {
    const clock = manualClock();
    const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 60_000, clock });
    const flaky = scriptedModel(
      "flaky",
      [new ProviderError("502", { kind: "server-error", providerId: "flaky" })],
      {
        whenDone: "repeat-last",
      },
    );
    const steady = scriptedModel("steady", ["ok"], { whenDone: "repeat-last" });
    const ladder = escalateAcross([flaky, steady], { breakers, clock });
    await ladder.generate(ask("1"));
    await ladder.generate(ask("2"));
    const third = await ladder.generate(ask("3"));
    expect(flaky.calls).toHaveLength(2);
    expect(third.trace?.attempts).toHaveLength(1);
    expect(third.trace?.skips).toMatchObject([{ modelId: "flaky", reason: "circuit-open" }]);
    expect(breakers.toJSON()).toMatchObject({ flaky: { state: "open" }, steady: { state: "closed" } });
    breakers.reset("flaky");
    await ladder.generate(ask("4"));
    expect(flaky.calls).toHaveLength(3);
  });

  it("every rung's circuit open: ExhaustedError with no attempts, its own limit, naming and carrying the skips", async () => {
    const breakers = new CircuitBreakers({
      initialState: { a: { state: "open", consecutiveFailures: 5, openedAt: Date.now() } },
    });
    const a = scriptedModel("a", ["ok"]);
    const error = (await escalateAcross([a], { breakers })
      .generate(ask("t"))
      .catch((e: unknown) => e)) as ExhaustedError;
    expect(ExhaustedError.isInstance(error)).toBe(true);
    expect(error.attempts).toHaveLength(0);
    // Passed over, not tried: the run ends with its own label (issue 27, honest terminals).
    expect(error.limit).toBe("rungsUnavailable");
    expect(error.message).toContain('"a" circuit-open');
    expect(error.skips).toMatchObject([{ modelId: "a", reason: "circuit-open" }]);
    expect(a.calls).toHaveLength(0);
  });

  it("a half-open probe that hangs is aborted at probeTimeoutMs and its permit released", async () => {
    const clock = manualClock();
    const breakers = new CircuitBreakers({
      failureThreshold: 1,
      openMs: 1_000,
      probeTimeoutMs: 5_000,
      clock,
    });
    const hung = scriptedModel(
      "hung",
      [new ProviderError("503", { kind: "server-error", providerId: "hung" }), hang, "ok"],
      { clock },
    );
    const backup = scriptedModel("backup", ["ok"], { whenDone: "repeat-last" });
    const ladder = escalateAcross([hung, backup], { breakers, clock });
    await ladder.generate(ask("opens the circuit"));
    await clock.advance(1_000);
    const probing = ladder.generate(ask("probe"));
    await clock.advance(5_000);
    const generation = await probing;
    expect(generation.modelId).toBe("backup");
    expect(generation.trace?.attempts?.[0]).toMatchObject({ modelId: "hung", kind: "timeout" });
    expect(hung.calls[1]?.options.signal?.aborted).toBe(true);
    expect(breakers.get("hung").state).toBe("open");
    expect(clock.pending).toBe(0);
  });
});
