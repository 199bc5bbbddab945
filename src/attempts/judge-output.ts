import { isAbortReason } from "../abort.js";
import { BudgetExhaustedError } from "../budget.js";
import { CallerCodeError, isCallerBug } from "../errors/caller-code-error.js";
import type { FailureKind } from "../errors/failure-kind.js";
import type { CallOptions, GenerateRequest, Generation } from "../model.js";
import type { Rubric, Verdict } from "../rubric/types.js";
import { generationFailureKind, verdictFailureKind } from "./classify.js";

/** How one generation was judged. */
export interface Judgement {
  /** Absent when accepted. */
  kind?: FailureKind;
  verdict?: Verdict;
  /** The rubric's own error, when `evaluate` threw. */
  error?: unknown;
}

/**
 * Judges a generation: empty and cut-off text fail before any rubric runs; then the rubric decides, or, with
 * no rubric, a verdict the generation already carries (a nested engine's `onExhausted: "best"` result is a
 * rejection); with neither, the text is accepted. A rubric that throws is `rubric-error`, never a crashed
 * run — except the caller's abort, which is rethrown as `signal.reason`.
 */
export async function judgeOutput(
  generation: Generation,
  rubric: Rubric | undefined,
  context: { request: GenerateRequest; signal: AbortSignal | undefined; options: CallOptions; path: string },
): Promise<Judgement> {
  const early = generationFailureKind(generation);
  if (early !== undefined) return { kind: early };
  let verdict: Verdict | undefined = generation.verdict;
  if (rubric !== undefined) {
    try {
      verdict = await rubric.evaluate(generation.text, {
        request: context.request,
        modelId: generation.modelId,
        ...(context.signal === undefined ? {} : { signal: context.signal }),
        ...(context.options.budget === undefined ? {} : { budget: context.options.budget }),
        ...(context.options.events === undefined ? {} : { events: context.options.events }),
        path: context.path,
      });
    } catch (error) {
      if (isAbortReason(error, context.signal)) throw error;
      // A judge that found the shared budget spent: the run stops (the engine records the attempt).
      if (BudgetExhaustedError.isInstance(error) || CallerCodeError.isInstance(error)) throw error;
      // A bug in a hand-written rubric is the caller's to fix: asking a model again cannot.
      if (isCallerBug(error)) {
        throw new CallerCodeError({ origin: "rubric", modelId: generation.modelId, cause: error });
      }
      return { kind: "rubric-error", error };
    }
  }
  if (verdict === undefined) return {};
  if (
    typeof verdict !== "object" ||
    verdict === null ||
    typeof verdict.accepted !== "boolean" ||
    !Array.isArray(verdict.violations)
  ) {
    return {
      kind: "rubric-error",
      error: new TypeError("The rubric returned something other than a Verdict."),
    };
  }
  const kind = verdictFailureKind(verdict);
  return kind === undefined ? { verdict } : { kind, verdict };
}
