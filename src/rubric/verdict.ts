// What a rubric says of one output, as data: a leaf of the contract (trace and records use it).

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
