import type { Budget } from "../budget.js";
import type { RungsEvents } from "../events.js";
import type { GenerateRequest } from "../model.js";

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
  /** The request that produced the output, when judged inside a run. */
  request?: GenerateRequest;
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
}

/** The outcome of one rule on one output. */
export interface RuleResult {
  /** The rule's id. */
  ruleId: string;
  /** The rule's description, as the rubric has it. */
  description?: string;
  /** True when the rule passed. */
  pass: boolean;
  /** 0..1; 1 or 0 unless the rule returned a partial score. */
  score: number;
  /** The rule's weight in the score. */
  weight: number;
  /** True when the rule is required (it must pass whatever the score). */
  required: boolean;
  /** Why it failed (or the rule's own message). Rule errors and timeouts land here. */
  message?: string;
  /** True when the rule threw, returned NaN, or timed out (failure kind `rubric-error`). */
  errored?: boolean;
  /** How long the check took, in ms. */
  durationMs: number;
}

/**
 * A rubric's judgement of one output. Computed in code, never read from model-written text. `V` is the type
 * of `value`, the value its value-giving rule found (`unknown` when untyped).
 */
export interface Verdict<V = unknown> {
  /** The id of the rubric that judged. */
  rubricId: string;
  /** True when the output was accepted (the score reached the threshold and every required rule passed). */
  accepted: boolean;
  /** Weighted mean of rule scores, 0..1. */
  score: number;
  /** Rules passed, of `total` (reads as "11/15"). */
  passed: number;
  /** Rules judged. */
  total: number;
  /** Every rule's result, in rule order. */
  results: readonly RuleResult[];
  /** The failed results, in rule order. */
  violations: readonly RuleResult[];
  /** Set when the output was longer than the rubric's cap and judged on the capped text. */
  cappedAt?: number;
  /**
   * The value of the first rule, in rule order, that passed with one (e.g. `structured`'s parsed, validated
   * JSON); absent when none did. Not enumerable: records, events and `JSON.stringify` of a verdict leave it
   * out (the output text is recorded; a schema's output may hold what JSON cannot, a `Date` or a `bigint`).
   */
  readonly value?: V;
}

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
}
