import { isAbortReason } from "../abort.js";
import { BudgetExhaustedError } from "../budget.js";
import { CallerCodeError, isCallerBug } from "../errors/caller-code-error.js";
import type { FailureKind } from "../errors/failure-kind.js";
import type { CallOptions, GenerateRequest, Generation } from "../model.js";
import type { Rubric, RuleContext, Verdict } from "../rubric/types.js";
import { generationFailureKind, verdictFailureKind } from "./classify.js";
import { guardCaller } from "./guard-caller.js";

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
export function judgeOutput(
  generation: Generation,
  rubric: Rubric | undefined,
  context: { request: GenerateRequest; signal: AbortSignal | undefined; options: CallOptions; path: string },
): Judgement | Promise<Judgement> {
  const early = generationFailureKind(generation);
  if (early !== undefined) return { kind: early };
  if (rubric === undefined) return judgementOf(generation.verdict);
  const ctx: RuleContext = { request: context.request, modelId: generation.modelId };
  if (generation.toolCalls !== undefined) ctx.toolCalls = generation.toolCalls;
  if (context.signal !== undefined) ctx.signal = context.signal;
  if (context.options.budget !== undefined) ctx.budget = context.options.budget;
  if (context.options.events !== undefined) ctx.events = context.options.events;
  ctx.path = context.path;
  let verdict: Verdict | PromiseLike<Verdict>;
  try {
    // A rubric of synchronous rules is judged here and now, without a promise (its public evaluateNow).
    verdict =
      rubric.evaluateNow !== undefined
        ? rubric.evaluateNow(generation.text, ctx)
        : rubric.evaluate(generation.text, ctx);
  } catch (error) {
    return rubricFailure(error, context.signal, generation.modelId);
  }
  if (typeof (verdict as Partial<PromiseLike<Verdict>> | null)?.then !== "function") {
    return judgementOf(verdict as Verdict);
  }
  // Raced: a custom rubric that never settles must not outlive the caller's abort or the deadline.
  const pending = verdict;
  return guardCaller(() => pending, { signal: context.signal, budget: context.options.budget }).then(
    judgementOf,
    (error: unknown) => rubricFailure(error, context.signal, generation.modelId),
  );
}

/** A rubric that threw is `rubric-error`; the caller's abort and a spent shared budget propagate. */
function rubricFailure(error: unknown, signal: AbortSignal | undefined, modelId: string): Judgement {
  if (isAbortReason(error, signal)) throw error;
  // A judge that found the shared budget spent: the run stops (the engine records the attempt).
  if (BudgetExhaustedError.isInstance(error) || CallerCodeError.isInstance(error)) throw error;
  // A bug in a hand-written rubric is the caller's to fix: asking a model again cannot.
  if (isCallerBug(error)) throw new CallerCodeError({ origin: "rubric", modelId, cause: error });
  return { kind: "rubric-error", error };
}

function judgementOf(verdict: Verdict | undefined): Judgement {
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
