// What a gate sees, built directly (src/attempts/gates/gate.ts), so each gate is tested alone.
import type { GateRun } from "../../../src/attempts/gates/gate.js";
import type { NormalizedRung } from "../../../src/attempts/ladder.js";
import type { Model } from "../../../src/index.js";
import { scriptedModel } from "../../../src/testing/index.js";

export function rungOf(
  index: number,
  model: Model = scriptedModel(`m${index}`, ["ok"]),
  extra: Partial<NormalizedRung> = {},
): NormalizedRung {
  return {
    index,
    model,
    maxAttempts: 1,
    feedbackMode: "full",
    skip: undefined,
    attemptTimeoutMs: undefined,
    ...extra,
  };
}

export function gateRun(extra: Partial<GateRun> = {}): GateRun {
  return {
    request: { messages: [{ role: "user", content: "task" }] },
    attempts: [],
    refused: new Map(),
    overflowedWindow: undefined,
    resumed: undefined,
    lastRung: 2,
    guard: {},
    ...extra,
  };
}
