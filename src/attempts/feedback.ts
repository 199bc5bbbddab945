import type { GenerateRequest } from "../model.js";
import { type Failure, feedbackBlockChars, feedbackEntryChars, renderDefaults } from "../prompt.js";
import type { RuleResult } from "../rubric/types.js";
import { capLine, capText } from "../text/cap.js";
import type { Attempt } from "../trace.js";
import type { FeedbackMode } from "./ladder.js";

/** Longest single line kept from an error or rule message, in characters (the rest is marked `…`). */
export const maxFeedbackLineChars = 300;

/** `text` on one line, at most `max` characters, ending in `…` when shortened (never mid-grapheme). */
function oneLine(text: string, max = maxFeedbackLineChars): string {
  return capLine(text, max);
}

/** The attempts of nested engines beneath `attempt` (depth-capped), innermost included, in order. */
function nestedAttempts(attempt: Attempt, depth = 0): Attempt[] {
  const inner = attempt.trace?.attempts ?? [];
  if (depth >= 4) return [...inner];
  return inner.flatMap((a) => [a, ...nestedAttempts(a, depth + 1)]);
}

/**
 * A violated rule as feedback: what went wrong (its message), then what the rule asks (its description),
 * each shortened so both fit on one line.
 */
function violationLine(v: RuleResult): string {
  const description = v.description === undefined ? undefined : oneLine(v.description, 150);
  // An errored rule (threw, timed out) says nothing the model can fix; its message may carry a judge's
  // provider error, so only the rule's description goes out.
  if (v.errored === true)
    return `could not be checked${description === undefined ? "" : ` — the rule: ${description}`}`;
  const { message } = v;
  if (description === undefined || message === undefined) return oneLine(message ?? description ?? "failed");
  // One says what the other says (a message that repeats its rule's description, or a description that holds
  // the message): say it once, so the feedback budget is not spent twice on the same words.
  const said = (text: string) => text.replace(/\s+/g, " ").trim().toLowerCase();
  if (said(message).includes(said(v.description!))) return oneLine(message);
  if (said(v.description!).includes(said(message))) return description;
  const tail = ` — the rule: ${description}`;
  return `${oneLine(message, maxFeedbackLineChars - tail.length)}${tail}`;
}

function summary(attempt: Attempt, nested: readonly Attempt[]): string | undefined {
  const { verdict, error } = attempt;
  if (nested.length > 0 && verdict === undefined) {
    // A nested engine ran out: say so with the kinds of its attempts (its violated rules are listed).
    const counts = new Map<string, number>();
    for (const inner of nested)
      if (inner.kind !== undefined) counts.set(inner.kind, (counts.get(inner.kind) ?? 0) + 1);
    const kinds = [...counts].map(([kind, n]) => (n === 1 ? kind : `${kind} ×${n}`)).join(", ");
    return `a nested ladder made ${nested.length} attempt(s) and none was accepted (${kinds})`;
  }
  switch (attempt.kind) {
    case "empty":
      return "the output was empty";
    case "truncated":
      return 'the output was cut off (finishReason "length")';
    case "rejected":
    case "rubric-error":
      // The rubric's own error is the caller's to read in the trace, not the model's.
      if (error !== undefined) return "the rubric could not judge the output";
      if (verdict !== undefined) {
        return `${verdict.passed}/${verdict.total} rules passed${attempt.kind === "rubric-error" ? "; the failing rules errored" : ""}`;
      }
      return "the output was rejected";
    case "timeout":
      return "the call timed out";
    default:
      // A provider failure: its kind and model id say all the next model needs; the provider's message
      // (hosts, model inventory, key fragments) stays in the trace and the records.
      return undefined;
  }
}

/**
 * The feedback entry for one failed attempt: its number, model, kind, a one-line summary ("13/15 rules
 * passed", "the output was empty"), the violated rules (each with its description and message), and the
 * start of the output. A provider failure carries only its kind and model id, never the provider's message.
 * A nested engine's exhaustion carries the kinds of its attempts and the rules they violated. Built once per
 * attempt; only short slices of the output are kept, never the whole text.
 */
export function failureOf(attempt: Attempt): Failure {
  const nested = nestedAttempts(attempt);
  const failure: Failure = {
    attempts: [attempt.index],
    modelId: attempt.modelId,
    kind: attempt.kind ?? "rejected",
  };
  const message = summary(attempt, nested);
  if (message !== undefined) failure.message = message;
  const byRule = new Map<string, string>();
  const judged = attempt.verdict !== undefined ? [attempt] : nested;
  for (const source of judged) {
    for (const v of source.verdict?.violations ?? []) {
      byRule.delete(v.ruleId); // the newest message of a rule wins, in the newest position
      byRule.set(v.ruleId, violationLine(v));
    }
  }
  if (byRule.size > 0) failure.violations = [...byRule].map(([ruleId, line]) => ({ ruleId, message: line }));
  if (attempt.text.trim().length > 0) {
    const max = renderDefaults.maxExcerptChars;
    // Cut below the renderer's excerpt cap so it adds no marker of its own; `…` says the text goes on.
    failure.excerpt = capText(attempt.text, max);
  }
  return failure;
}

function keyOf(failure: Failure): string {
  const rules = (failure.violations ?? []).map((v) => `${v.ruleId}\u0001${v.message}`).join("\u0002");
  const run = failure.earlierRun === true ? "earlier\u0000" : "";
  return `${run}${failure.modelId}\u0000${failure.kind}\u0000${failure.message ?? ""}\u0000${rules}`;
}

/** Smaller forms of one entry, largest first: without its excerpt, then with fewer violated rules listed. */
function* shrink(failure: Failure, mode: Exclude<FeedbackMode, "none">): Generator<Failure> {
  const { excerpt: _excerpt, ...bare } = failure;
  if (mode === "full" && failure.excerpt !== undefined) yield failure;
  yield bare;
  const violations = failure.violations ?? [];
  for (let keep = violations.length - 1; keep >= 0; keep -= 1) {
    const hidden = violations.length - keep;
    yield {
      ...bare,
      violations: violations.slice(0, keep),
      message: `${bare.message ?? ""} (${hidden} more violated rule${hidden === 1 ? "" : "s"} not shown)`,
    };
  }
}

/** What a request with feedback adds to the prompt, in rendered characters. */
export interface FeedbackSelection {
  /** The request's own feedback, then the selected entries, oldest first (the request's own when none). */
  feedback: readonly Failure[] | undefined;
  /** Rendered characters the selected entries add to the prompt (0 when none). */
  chars: number;
}

/**
 * The failures of one run, merged and condensed to a character budget (docs/architecture.md).
 *
 * - Duplicates (same model, kind, message and violated rules) merge into one entry naming every attempt;
 *   the merged entry moves to the newest position and keeps the newest excerpt.
 * - Selection goes newest first: each entry is taken whole if it fits, else in a smaller form (no excerpt,
 *   then fewer rules with a count of those not shown); the first entry that fits in no form ends the
 *   selection, so the oldest are dropped. Entries are never cut mid-line.
 * - Size is what the shared renderer (`renderedChars`) counts, summed per entry (`feedbackBlockChars`), so
 *   "first prompt + budget" holds for the prompt a provider actually receives; the renderer's own feedback
 *   cap is never reached.
 */
export class FeedbackLog {
  readonly #entries = new Map<string, Failure>();
  /**
   * Rendered size of each entry object met (entries are never changed once made), so each renders once.
   * Made on first use: most runs are accepted at once and never measure feedback.
   */
  #sizes: WeakMap<Failure, number> | undefined;

  #size(failure: Failure): number {
    this.#sizes ??= new WeakMap();
    let size = this.#sizes.get(failure);
    if (size === undefined) {
      size = feedbackEntryChars(failure);
      this.#sizes.set(failure, size);
    }
    return size;
  }

  /** Adds one failure (merging it into an equal earlier one). */
  add(failure: Failure): void {
    const key = keyOf(failure);
    const earlier = this.#entries.get(key);
    if (earlier !== undefined) {
      this.#entries.delete(key);
      // A new object: the earlier one may already sit in a request a model has seen.
      this.#entries.set(key, { ...failure, attempts: [...earlier.attempts, ...failure.attempts] });
    } else {
      this.#entries.set(key, failure);
    }
  }

  /** Distinct entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Selects the entries that fit `budget` rendered characters on top of `request` (whose own feedback, from
   * an outer engine, is kept as is and not counted), and with which `fits(request)` still holds when given
   * (the room a `treeSplit` above leaves).
   */
  select(
    request: GenerateRequest,
    budget: number,
    mode: FeedbackMode,
    fits?: (request: GenerateRequest) => boolean,
  ): FeedbackSelection {
    if (mode === "none" || this.#entries.size === 0) return { feedback: request.feedback, chars: 0 };
    const incoming = request.feedback ?? [];
    // Only the system message's presence matters to the size of the feedback block (the "\n\n" joiner).
    const hasSystemPart =
      request.messages.some((m) => m.role === "system") || (request.context?.length ?? 0) > 0;
    // Sizes add up entry by entry (see feedbackBlockChars): the same count as rendering every candidate list.
    // The incoming entries are the caller's objects, measured afresh on every call.
    let incomingChars = 0;
    for (const failure of incoming) incomingChars += feedbackEntryChars(failure);
    const measure = (count: number, entryChars: number) =>
      feedbackBlockChars(count, entryChars, hasSystemPart);
    const base = measure(incoming.length, incomingChars);
    const chosen: Failure[] = [];
    let chosenChars = 0;
    const entries = [...this.#entries.values()];
    let chars = 0;
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      let fitted: Failure | undefined;
      for (const candidate of shrink(entries[i]!, mode)) {
        const candidateChars = this.#size(candidate);
        const size = measure(
          incoming.length + 1 + chosen.length,
          incomingChars + candidateChars + chosenChars,
        );
        // The block must also stay under the renderer's cap, which would cut mid-line, and the whole
        // request within a split's budget when one is above.
        if (
          size - base <= budget &&
          size <= renderDefaults.maxFeedbackChars &&
          (fits === undefined || fits({ ...request, feedback: [...incoming, candidate, ...chosen] }))
        ) {
          fitted = candidate;
          chars = size - base;
          break;
        }
      }
      if (fitted === undefined) break;
      chosen.unshift(fitted);
      chosenChars += this.#size(fitted);
    }
    return chosen.length === 0
      ? { feedback: request.feedback, chars: 0 }
      : { feedback: [...incoming, ...chosen], chars };
  }
}
