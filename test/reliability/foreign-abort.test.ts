// Class "foreign aborts": only the caller's own abort is `aborted`. An AbortError from someone else's
// controller (a wrapper timing out on its own) is a `timeout`, and counts against the circuit breaker.
import { describe, expect, it } from "vitest";
import { CircuitBreakers, type ExhaustedError, escalateAcross, type Model } from "../../src/index.js";
import { manualClock, scriptedModel } from "../../src/testing/index.js";

const ask = { messages: [{ role: "user" as const, content: "q" }] };

/** A model wrapper that times out with its own controller: it throws an AbortError nobody asked for. */
function selfTimingOut(id: string): Model & { calls: number } {
  const model = {
    id,
    calls: 0,
    generate: async () => {
      model.calls += 1;
      const own = new AbortController();
      own.abort();
      throw own.signal.reason; // a DOMException named AbortError
    },
  };
  return model;
}

describe("an AbortError the caller did not cause", () => {
  it("is a timeout attempt, and opens the breaker", async () => {
    const clock = manualClock();
    const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 60_000, clock });
    const flaky = selfTimingOut("flaky");
    const ladder = escalateAcross(
      [
        { model: flaky, maxAttempts: 2 },
        { model: scriptedModel("steady", ["ok"], { whenDone: "repeat-last" }) },
      ],
      { breakers, clock },
    );
    const answer = await ladder.generate(ask);
    expect(answer.trace?.attempts?.map((a) => a.kind ?? "accepted")).toEqual([
      "timeout",
      "timeout",
      "accepted",
    ]);
    expect(breakers.get("flaky").state).toBe("open");
    // The next run skips the open rung without calling it.
    await ladder.generate(ask);
    expect(flaky.calls).toBe(2);
  });

  it("a half-open probe failing that way re-opens the breaker instead of closing it", async () => {
    const clock = manualClock();
    const breakers = new CircuitBreakers({ failureThreshold: 1, openMs: 1_000, clock });
    const flaky = selfTimingOut("flaky");
    const ladder = escalateAcross([{ model: flaky }], { breakers, clock });
    const first = (await ladder.generate(ask).catch((e: unknown) => e)) as ExhaustedError;
    expect(first.attempts.map((a) => a.kind)).toEqual(["timeout"]);
    expect(breakers.get("flaky").state).toBe("open");
    await clock.advance(1_000);
    expect(breakers.get("flaky").state).toBe("half-open");
    await ladder.generate(ask).catch(() => {});
    expect(flaky.calls).toBe(2);
    expect(breakers.get("flaky").state).toBe("open");
  });

  it("the caller's own abort stays aborted, and leaves the breaker as it was", async () => {
    const breakers = new CircuitBreakers({ failureThreshold: 1 });
    const controller = new AbortController();
    const model = scriptedModel("m", [
      () => {
        controller.abort();
        throw controller.signal.reason;
      },
    ]);
    const error = await escalateAcross([{ model }], { breakers })
      .generate(ask, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(controller.signal.reason);
    expect(breakers.get("m").toJSON()).toEqual({ state: "closed", consecutiveFailures: 0 });
  });
});
