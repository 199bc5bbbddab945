import { type FailureKind, fatalForModelKinds } from "../errors/failure-kind.js";
import type { Generation } from "../model.js";
import type { Verdict } from "../rubric/types.js";

/**
 * Kinds after which the engine does not ask the same model again in this run (docs/architecture.md):
 * the fatal-for-model kinds (auth, not found, invalid request, quota), `context-overflow` (the same
 * request would overflow again) and `rate-limited` (the provider already waited as long as its cap allows;
 * attempts never sleep, so asking again at once would hit the same limit).
 */
export const climbKinds: ReadonlySet<FailureKind> = new Set<FailureKind>([
  ...fatalForModelKinds,
  "context-overflow",
  "rate-limited",
]);

/**
 * Kinds that count against a model's learned acceptance rate: the model answered and the answer was not
 * good enough. Provider failures belong to the circuit breaker; `rubric-error` is the judge's fault.
 */
export const answerFailureKinds: ReadonlySet<FailureKind> = new Set<FailureKind>([
  "empty",
  "truncated",
  "rejected",
]);

/**
 * The failure kind of a generation before any rubric runs: empty (or whitespace-only) text with no tool
 * calls is `empty` (an answer that only calls tools is an answer); `finishReason: "length"` is `truncated`
 * (a cut-off answer is not judged); otherwise `undefined`.
 */
export function generationFailureKind(generation: Generation): FailureKind | undefined {
  if (generation.text.trim().length === 0 && (generation.toolCalls?.length ?? 0) === 0) return "empty";
  if (generation.finishReason === "length") return "truncated";
  return undefined;
}

/**
 * The failure kind of a rejecting verdict. A verdict rejected only because rules errored (threw, timed
 * out, returned NaN) is `rubric-error`: nothing shows the output is wrong, the judge could not decide.
 * A verdict with at least one rule that genuinely failed is `rejected`: the model has something concrete
 * to fix, and the errored rules ride along in the feedback.
 */
export function verdictFailureKind(verdict: Verdict): FailureKind | undefined {
  if (verdict.accepted) return undefined;
  const genuine = verdict.violations.some((violation) => violation.errored !== true);
  return genuine || verdict.violations.length === 0 ? "rejected" : "rubric-error";
}
