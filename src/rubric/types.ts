import type { Budget } from "../budget.js";
import type { RungsEvents } from "../events.js";
import type { GenerateRequest, ToolCall } from "../messages.js";
import type { Verdict } from "./verdict.js";

export type { RuleResult, Verdict } from "./verdict.js";

/**
 * What a rule's check may return: a boolean, or a pass flag with a message, a partial score and, for a rule
 * that extracts something from the output (e.g. `structured`), the `value` it found. A passing rule's value
 * becomes the verdict's `value` (see {@link Verdict}).
 */
export type RuleOutcome<V = unknown> =
  | boolean
  | {
      /** True when the output passes the rule. */
      pass: boolean;
      /** Why (fed back to the model when the rule failed). */
      message?: string;
      /** A partial score, 0..1. @default 1 when passed, 0 when failed */
      score?: number;
      /** What the rule extracted from the output (e.g. parsed JSON), when it passed. */
      value?: V;
    };

/** What a rule sees besides the output. */
export interface RuleContext {
  /** The request that produced the output, when judged inside a run (its `tools`, `toolChoice`...). */
  request?: GenerateRequest;
  /**
   * The tools the judged answer called (`generation.toolCalls`), when judged inside a run and it called any.
   * The output a rubric judges stays the answer's text; rules over the calls read them here
   * (`validToolCalls`, or a `predicate`).
   */
  toolCalls?: readonly ToolCall[];
  /** Aborts long checks (LLM judges). */
  signal?: AbortSignal;
  /** The model that produced the output. */
  modelId?: string;
  /** The run's shared budget: rules that call models (LLM judges) draw on it like every other call. */
  budget?: Budget;
  /** The run's event sink and the judged attempt's event path, for rules that call models. */
  events?: RungsEvents;
  /** The judged attempt's event path; a rule that calls a model reports under it (`…/judge[<id>]`). */
  path?: string;
}

/**
 * One check of a rubric, on outputs of type `O`. `V` is the type of the `value` a passing check gives
 * (`structured` gives the schema's output); `unknown`, the default, is a rule that gives none, or one whose
 * value is not typed.
 */
export interface Rule<O = string, V = unknown> {
  /** Stable id, used in feedback and stats (e.g. `"no-unwrap"`). */
  id: string;
  /** The rule in words; feedback tells the model this when the rule fails. */
  description?: string;
  /** Relative weight in the score. @default 1 */
  weight?: number;
  /** A required rule must pass whatever the score. @default false */
  required?: boolean;
  /** Time limit for this rule in ms; past it the rule fails with a timeout message. */
  timeoutMs?: number;
  /**
   * Judges one output: pass or fail, optionally with a message, a partial score and a value. May be async; a
   * throw is a `rubric-error`.
   */
  check(output: O, ctx: RuleContext): RuleOutcome<V> | Promise<RuleOutcome<V>>;
  /**
   * Optional: judges a prefix of a streamed output, so an attempt that can no longer pass is stopped early
   * (its provider's stream cancelled) and the next one starts. Return a failing outcome only when *every*
   * output that starts with `prefix` fails this rule (a `TODO` already written, a length already past its
   * max, text no JSON value can start with); return `true` or `undefined` otherwise. Synchronous: it runs
   * on prefixes of growing length while the stream goes on (the engine spaces the checks so their total
   * work stays linear in the output's length). A throw counts as "cannot tell yet". The whole output is still
   * judged by `check` at its end.
   */
  checkPrefix?(prefix: O, ctx: RuleContext): PrefixOutcome | undefined;
}

/** What {@link Rule.checkPrefix} may return: a boolean, or a pass flag with a message (fed back as feedback). */
export type PrefixOutcome =
  | boolean
  | {
      /** False when every output starting with the prefix fails the rule. */
      pass: boolean;
      /** Why (fed back to the model as the failed rule's message). */
      message?: string;
    };

/**
 * Something that judges outputs of type `O`. Build one with `defineRubric`. `V` is the type of its verdicts'
 * `value` (the value-giving rule's, e.g. `structured`'s schema output); `retryWithContext` and
 * `escalateAcross` type their generations' `value` with it. `unknown`, the default, means untyped.
 */
export interface Rubric<O = string, V = unknown> {
  /** Stable id, used in verdicts, feedback and stats. */
  readonly id: string;
  /** The rules, in order. */
  readonly rules: readonly Rule<O>[];
  /** Score needed to accept, 0..1. 1 means every rule. */
  readonly threshold: number;
  /**
   * Judges an output with every rule. A rule that throws or times out is a failed result, not a throw;
   * only the caller's abort (`ctx.signal`) rejects, with `signal.reason`.
   */
  evaluate(output: O, ctx?: RuleContext): Promise<Verdict<V>>;
  /**
   * Optional: the same judgement as `evaluate`, returned directly when it needs no waiting (every rule
   * synchronous) and as a promise otherwise; it may throw where `evaluate` rejects. The attempt engine
   * calls it when present, so a rubric of synchronous rules costs no promise per attempt. `defineRubric`
   * provides it; a hand-written rubric may leave it out.
   */
  evaluateNow?(output: O, ctx?: RuleContext): Verdict<V> | Promise<Verdict<V>>;
  /**
   * Optional: judges a prefix of a streamed output with the rules that can ({@link Rule.checkPrefix}).
   * Returns a rejecting verdict (its violations are the failed prefix checks) only when the prefix already
   * fails a rule whose failure rejects any output (a `required` rule, or any rule at threshold 1); otherwise
   * `undefined`: the stream goes on and the whole output is judged at its end. `defineRubric` provides it.
   */
  evaluatePrefix?(prefix: O, ctx?: RuleContext): Verdict<V> | undefined;
}
