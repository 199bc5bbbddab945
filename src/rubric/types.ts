import type { Budget } from "../budget.js";
import type { RungsEvents } from "../events.js";
import type { GenerateRequest } from "../model.js";

/** What a rule's check may return: a boolean, or a pass flag with a message and a partial score. */
export type RuleOutcome =
  | boolean
  | {
      /** True when the output passes the rule. */
      pass: boolean;
      /** Why (fed back to the model when the rule failed). */
      message?: string;
      /** A partial score, 0..1. @default 1 when passed, 0 when failed */
      score?: number;
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

/** One check of a rubric. */
export interface Rule<O = string> {
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
   * Judges one output: pass or fail, optionally with a message and a partial score. May be async; a throw is
   * a `rubric-error`.
   */
  check(output: O, ctx: RuleContext): RuleOutcome | Promise<RuleOutcome>;
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

/** A rubric's judgement of one output. Computed in code, never read from model-written text. */
export interface Verdict {
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
}

/** Something that judges outputs. Build one with `defineRubric`. */
export interface Rubric<O = string> {
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
  evaluate(output: O, ctx?: RuleContext): Promise<Verdict>;
}
