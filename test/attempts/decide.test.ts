import { describe, expect, it } from "vitest";
import { decide } from "../../src/attempts/decide.js";
import type { FailureKind } from "../../src/index.js";
import { rungOf } from "./gates/run.js";

describe("decide: the next step after a failed attempt", () => {
  const rung = rungOf(0, undefined, { maxAttempts: 3 });

  it("retries a rung until it has used its maxAttempts, then climbs (everyRungTried if the rungs run out)", () => {
    for (const kind of [
      "rejected",
      "empty",
      "truncated",
      "server-error",
      "network",
      "timeout",
    ] as FailureKind[]) {
      expect(decide(kind, 1, rung)).toEqual({ next: "retry" });
      expect(decide(kind, 3, rung)).toEqual({ next: "climb", because: "everyRungTried" });
    }
  });

  it("climbs at once on what asking the same model again cannot fix", () => {
    for (const kind of [
      "auth",
      "model-not-found",
      "invalid-request",
      "quota-exhausted",
      "context-overflow",
    ] as FailureKind[]) {
      expect(decide(kind, 1, rung)).toEqual({ next: "climb", because: "notRetryable" });
    }
    // A rate limit means the rung is unavailable now, not that it cannot answer.
    expect(decide("rate-limited", 1, rung)).toEqual({ next: "climb", because: "rungsUnavailable" });
  });

  it("stops on rubric-error: the judge failed, and no model call can fix it", () => {
    expect(decide("rubric-error", 1, rung)).toEqual({ next: "stop", limit: "rubricError" });
  });
});
