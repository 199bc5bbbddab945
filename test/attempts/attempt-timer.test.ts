import { describe, expect, it } from "vitest";
import { AttemptTimer } from "../../src/attempts/attempt-timer.js";
import type { Clock } from "../../src/index.js";
import { manualClock } from "../../src/testing/index.js";

/** A manual clock that counts the timers set on it. */
function countingClock() {
  const clock = manualClock(0);
  let set = 0;
  const counting: Clock = {
    now: () => clock.now(),
    setTimeout: (fn, ms) => {
      set += 1;
      return clock.setTimeout(fn, ms);
    },
    clearTimeout: (handle) => clock.clearTimeout(handle),
  };
  return { clock, counting, set: () => set };
}

const timeout = () => new Error("timed out");

describe("AttemptTimer: one timer and one controller per run", () => {
  it("six quick attempts cost one timer and one controller", async () => {
    const { counting, set } = countingClock();
    const timer = new AttemptTimer(counting, undefined);
    const signals = new Set<AbortSignal>();
    for (let i = 0; i < 6; i += 1) {
      signals.add(timer.start(600_000, timeout));
      timer.end();
    }
    expect(set()).toBe(1);
    expect(signals.size).toBe(1);
    timer.dispose();
  });

  it("fires at the limit of the attempt in flight, re-arming when an earlier attempt's limit passes", async () => {
    const { clock, counting } = countingClock();
    const timer = new AttemptTimer(counting, undefined);
    timer.start(1_000, timeout);
    await clock.advance(400);
    timer.end();
    const second = timer.start(1_000, timeout); // its limit is at 1,400
    await clock.advance(700); // 1,100: the first limit passed; the second has not
    expect(second.aborted).toBe(false);
    await clock.advance(300); // 1,400
    expect(second.aborted).toBe(true);
    expect((second.reason as Error).message).toBe("timed out");
    // The next attempt gets a fresh controller.
    expect(timer.start(1_000, timeout).aborted).toBe(false);
    timer.dispose();
    expect(clock.pending).toBe(0);
  });

  it("a shorter limit (a half-open probe) fires sooner; an ended attempt's limit never fires", async () => {
    const { clock, counting } = countingClock();
    const timer = new AttemptTimer(counting, undefined);
    timer.start(10_000, timeout);
    timer.end();
    const probe = timer.start(100, timeout);
    await clock.advance(100);
    expect(probe.aborted).toBe(true);
    const quick = timer.start(10_000, timeout);
    timer.end();
    await clock.advance(20_000);
    expect(quick.aborted).toBe(false);
    timer.dispose();
  });

  it("follows the caller's signal, with its reason", () => {
    const parent = new AbortController();
    const timer = new AttemptTimer(manualClock(0), parent.signal);
    const signal = timer.start(1_000, timeout);
    const reason = new Error("user left");
    parent.abort(reason);
    expect(signal.reason).toBe(reason);
    timer.dispose();
  });
});
