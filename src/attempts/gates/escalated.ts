import type { Gate } from "./gate.js";

/**
 * `escalated`: a resumed task (`metadata.taskId` with a store) passes over the rungs below the one its
 * earlier runs reached (docs/escalation.md, *Tasks across runs*).
 */
export const escalatedGate: Gate = {
  on: "arrival",
  check: (rung, run) =>
    run.resumed !== undefined && rung.index < run.resumed.startRung
      ? { reason: "escalated", detail: run.resumed.detail }
      : undefined,
};
