import type { BreakerPermit } from "../breaker.js";
import { guardCaller } from "../guard-caller.js";
import type { NormalizedRung } from "../ladder.js";
import { type Gate, type GateRun, isPromiseLike, isSkip, type SkipDecision } from "./gate.js";

/**
 * Asks the gates about one attempt on `rung`, in order: the arrival gates only when the run has just
 * reached it (`arriving`), the attempt gates every time. The first skip wins (a permit already handed out
 * is released unused); `"admit"` ends the arrival gates. A gate that answers with a promise is raced
 * against the caller's abort and the deadline. Returns the skip, or the permit to hold (if any).
 */
export async function admit(
  gates: readonly Gate[],
  rung: NormalizedRung,
  run: GateRun,
  arriving: boolean,
): Promise<SkipDecision | BreakerPermit | undefined> {
  let permit: BreakerPermit | undefined;
  let admitted = !arriving;
  for (const gate of gates) {
    if (gate.on === "arrival" && admitted) continue;
    const asked = gate.check(rung, run);
    const answer = isPromiseLike(asked) ? await guardCaller(() => asked, run.guard) : asked;
    if (answer === undefined) continue;
    if (answer === "admit") {
      admitted = true;
    } else if (isSkip(answer)) {
      await permit?.release("ignore");
      return answer;
    } else {
      permit = answer;
    }
  }
  return permit;
}
