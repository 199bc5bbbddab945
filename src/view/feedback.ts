import { failureOf } from "../attempts/feedback.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { renderFailure } from "../prompt.js";
import type { RuleResult, Verdict } from "../rubric/types.js";
import type { Attempt } from "../trace.js";
import type { AttemptView } from "./data.js";

/**
 * The feedback entries an attempt's prompt was built from, rebuilt with the engine's own functions
 * (failureOf, renderFailure) from the earlier failed attempts of the same engine: the records keep the
 * feedback's size (`feedbackChars`), not its text. The engine merges duplicates and fits the entries to its
 * budget, so the text it sent may be shorter; the page says so beside the size.
 */
export function rebuildFeedback(earlier: readonly AttemptView[]): string | undefined {
  const failed = earlier.filter((a) => !a.accepted);
  if (failed.length === 0) return undefined;
  return failed.map((a) => renderFailure(failureOf(asAttempt(a)))).join("\n");
}

/** The fields failureOf reads, from the view of a record. */
function asAttempt(view: AttemptView): Attempt {
  const results: RuleResult[] = view.rules.map((r) => ({
    ruleId: r.ruleId,
    pass: r.pass,
    score: r.score ?? (r.pass ? 1 : 0),
    weight: 1,
    required: r.required ?? false,
    durationMs: 0,
    ...(r.message === undefined ? {} : { message: r.message }),
    ...(r.description === undefined ? {} : { description: r.description }),
    ...(r.errored === undefined ? {} : { errored: r.errored }),
  }));
  const verdict: Verdict | undefined =
    view.total === undefined
      ? undefined
      : {
          rubricId: "",
          accepted: false,
          score: view.score ?? 0,
          passed: view.passed ?? 0,
          total: view.total,
          results,
          violations: results.filter((r) => !r.pass),
        };
  return {
    index: view.index ?? view.n,
    rung: view.rung ?? 0,
    modelId: view.modelId,
    path: view.path ?? "",
    accepted: false,
    kind: (view.kind ?? "rejected") as FailureKind,
    text: view.text ?? "",
    usage: {},
    startedAt: 0,
    endedAt: 0,
    feedbackChars: 0,
    promptChars: 0,
    ...(verdict === undefined ? {} : { verdict }),
    ...(view.error === undefined ? {} : { error: { name: "Error", message: view.error } }),
  };
}
