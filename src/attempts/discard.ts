import { raceAbort } from "../abort.js";
import { emit, joinPath, listening } from "../events.js";
import type { CallOptions } from "../model.js";
import type { PartSink } from "../stream/sink.js";
import { capText } from "../text/cap.js";
import type { Attempt } from "../trace.js";

/** Most characters of a discard's reason. */
const maxReasonChars = 500;

/** Tells the stream (and the events) that a failed attempt's output is not the answer. */
export async function discard(
  engine: { path: string; options: CallOptions; sink?: PartSink },
  attempt: Attempt,
): Promise<void> {
  const { options } = engine;
  const path = joinPath(engine.path, `attempt[${attempt.index}]`);
  const kind = attempt.kind ?? "rejected";
  const reason = capText(reasonOf(attempt), maxReasonChars);
  const early = attempt.stoppedEarly === true;
  const chars = attempt.text.length;
  if (listening(options.events, "attempt-discard")) {
    emit(options.events, "attempt-discard", {
      path,
      timestamp: attempt.endedAt,
      attempt: { index: attempt.index, rung: attempt.rung, modelId: attempt.modelId },
      kind,
      reason,
      chars,
      early,
    });
  }
  const pushed = engine.sink?.push({
    type: "discard",
    path,
    attempt: attempt.index,
    rung: attempt.rung,
    modelId: attempt.modelId,
    kind,
    reason,
    chars,
    early,
  });
  if (pushed !== undefined) await raceAbort(pushed, options.signal);
}

/** A failed attempt's reason in words: its failed rules, or its error's message, or its kind. */
function reasonOf(attempt: Attempt): string {
  const violations = attempt.verdict?.violations ?? [];
  if (violations.length > 0) {
    return violations
      .map((v) => (v.message === undefined ? v.ruleId : `${v.ruleId}: ${v.message}`))
      .join("; ");
  }
  if (attempt.error !== undefined) return attempt.error.message;
  if (attempt.kind === "empty") return "the answer was empty";
  if (attempt.kind === "truncated") return "the answer was cut off (finish reason length)";
  return attempt.kind ?? "rejected";
}
