import { describe, expect, it, onTestFinished } from "vitest";
import { makeAttempt } from "../../src/attempts/attempt.js";
import { AttemptTimer } from "../../src/attempts/attempt-timer.js";
import type { BreakerPermit } from "../../src/attempts/breaker.js";
import { systemClock } from "../../src/clock.js";
import { Budget, defineRubric, matches, ProviderError } from "../../src/index.js";
import { scriptedModel } from "../../src/testing/index.js";
import { rungOf } from "./gates/run.js";

const rubric = defineRubric({ id: "r", rules: [matches("ok", /ok/)] });
const request = { messages: [{ role: "user" as const, content: "task" }] };

/** A permit that records each release (it must be released exactly once per attempt). */
function recordingPermit(): { permit: BreakerPermit; released: string[] } {
  const released: string[] = [];
  return {
    released,
    permit: { probe: false, deadline: Number.POSITIVE_INFINITY, release: (o) => void released.push(o) },
  };
}

const attempt = (
  model: ReturnType<typeof scriptedModel>,
  permit: BreakerPermit,
  options: { signal?: AbortSignal; budget?: Budget } = {},
) => {
  const timer = new AttemptTimer(systemClock, options.signal);
  onTestFinished(() => timer.dispose());
  return makeAttempt({
    index: 1,
    rung: rungOf(0, model),
    request,
    promptChars: 10,
    feedbackChars: 0,
    path: "retry",
    options,
    clock: systemClock,
    rubric,
    timeoutMs: 60_000,
    permit,
    timer,
  });
};

describe("makeAttempt: one outcome, one permit release", () => {
  it("accepted: the breaker hears success", async () => {
    const { permit, released } = recordingPermit();
    const outcome = await attempt(scriptedModel("m", ["ok"]), permit);
    expect(outcome).toMatchObject({ type: "accepted", attempt: { accepted: true, text: "ok" } });
    expect(released).toEqual(["success"]);
  });

  it("rejected by the rubric: failed, and the breaker still hears success (the provider answered)", async () => {
    const { permit, released } = recordingPermit();
    const outcome = await attempt(scriptedModel("m", ["nope"]), permit);
    expect(outcome).toMatchObject({ type: "failed", kind: "rejected" });
    expect(released).toEqual(["success"]);
  });

  it("a provider failure: failed with its kind, which the breaker hears", async () => {
    const { permit, released } = recordingPermit();
    const outcome = await attempt(
      scriptedModel("m", [new ProviderError("503", { kind: "server-error", providerId: "m" })]),
      permit,
    );
    expect(outcome).toMatchObject({
      type: "failed",
      kind: "server-error",
      attempt: { error: { message: "503" } },
    });
    expect(released).toEqual(["server-error"]);
  });

  it("a spent budget before the call: stopped with no attempt, and the breaker hears nothing", async () => {
    const { permit, released } = recordingPermit();
    const budget = new Budget({ maxCalls: 1 });
    budget.drawCall();
    const outcome = await attempt(scriptedModel("m", ["ok"]), permit, { budget });
    expect(outcome).toMatchObject({ type: "stopped", error: { limit: "maxCalls" } });
    expect(outcome.attempt).toBeUndefined();
    expect(released).toEqual(["ignore"]);
  });

  it("the caller's abort rejects with its reason, and the permit is released as ignore", async () => {
    const { permit, released } = recordingPermit();
    const controller = new AbortController();
    const reason = new Error("user left");
    const pending = attempt(scriptedModel("m", [() => new Promise<string>(() => {})]), permit, {
      signal: controller.signal,
    });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(released).toEqual(["ignore"]);
  });
});
