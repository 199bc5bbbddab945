import { describe, expect, it } from "vitest";
import { notRetryableGate } from "../../../src/attempts/gates/not-retryable.js";
import { scriptedModel } from "../../../src/testing/index.js";
import { gateRun, rungOf } from "./run.js";

describe("notRetryableGate", () => {
  it("passes over a model that already failed in a way asking again cannot fix, naming the kind", () => {
    const run = gateRun({ refused: new Map([["m0", "auth"]]) });
    expect(notRetryableGate.check(rungOf(0), run)).toEqual({
      reason: "not-retryable",
      detail: '"m0" already failed with auth in this run',
    });
    expect(notRetryableGate.check(rungOf(1), run)).toBeUndefined();
  });

  it("passes over a model whose known context window is no larger than one that overflowed", () => {
    const windowed = (id: string, tokens: number) => {
      const model = scriptedModel(id, ["ok"]);
      return { ...model, generate: model.generate, capabilities: { contextWindowTokens: tokens } };
    };
    const run = gateRun({ overflowedWindow: 8_000 });
    expect(notRetryableGate.check(rungOf(1, windowed("small", 8_000)), run)).toMatchObject({
      reason: "not-retryable",
    });
    expect(notRetryableGate.check(rungOf(1, windowed("big", 128_000)), run)).toBeUndefined();
    // A window that is not known is tried.
    expect(notRetryableGate.check(rungOf(1), run)).toBeUndefined();
  });
});
