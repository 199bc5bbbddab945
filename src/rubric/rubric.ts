import { childController, raceAbort, throwIfAborted } from "../abort.js";
import { BudgetExhaustedError } from "../budget.js";
import { type Clock, systemClock } from "../clock.js";
import { CallerCodeError, isCallerBug } from "../errors/caller-code-error.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { parseOptions, schemas } from "../options.js";
import { redactText } from "../redact.js";
import { capText } from "../text/cap.js";
import { describeValue } from "../text/describe.js";
import { array, object } from "../validate/check.js";
import { ruleOptionsShape } from "./rules.js";
import type { PrefixOutcome, Rubric, Rule, RuleContext, RuleOutcome, RuleResult, Verdict } from "./types.js";

/** Options of {@link defineRubric}. */
export interface RubricOptions<O = string> {
  /** Stable id, used in verdicts, feedback and stats (e.g. `"rust-async-fn"`). */
  id: string;
  /** The checks, in the order results and violations are reported. Rule ids must be unique. */
  rules: readonly Rule<O>[];
  /**
   * Weighted score needed to accept, 0..1. `1` means every rule must pass. Whatever the threshold,
   * every `required` rule must pass. @default 1
   */
  threshold?: number;
  /**
   * Most characters (UTF-16 units) of a string output the rules see; a longer output is judged on its
   * first `maxOutputChars` and the verdict says so in `cappedAt`. Bounds the work of every rule.
   * @default 1_000_000
   */
  maxOutputChars?: number;
  /** Time limit in ms for a rule that sets no `timeoutMs` of its own. @default 60_000 */
  ruleTimeoutMs?: number;
  /** Time source for rule time limits and durations. @default systemClock */
  clock?: Clock;
}

/** The `V` a rule gives, or `never` for one that gives no typed value (`V` is `unknown`). */
type RuleValue<R> = R extends Rule<infer _O, infer V> ? (unknown extends V ? never : V) : never;

/**
 * The type of the `value` a rubric built from the rules `R` gives: the value types of its value-giving rules
 * (`structured`, a `predicate` returning `{ pass, value }`), or `unknown` when none is typed.
 */
export type RubricValue<R extends readonly unknown[]> = [RuleValue<R[number]>] extends [never]
  ? unknown
  : RuleValue<R[number]>;

/** Defaults of {@link defineRubric}. */
export const rubricDefaults = {
  threshold: 1,
  maxOutputChars: 1_000_000,
  ruleTimeoutMs: 60_000,
} as const;

// Float sums of weights (0.1 + 0.2) must not reject an output that meets the threshold exactly.
const scoreEpsilon = 1e-9;
const maxMessageChars = 2_000;

// A rule may carry more keys (a builder's own fields), so unknown keys are allowed on rules only.
const ruleSchema = object(
  { id: schemas.nonEmptyString, ...ruleOptionsShape, check: schemas.fn, checkPrefix: schemas.fn.optional() },
  { unknownKeys: "allow", message: "must be a rule ({ id, check })" },
);

const optionsSchema = object({
  id: schemas.nonEmptyString,
  rules: array(ruleSchema, {
    min: 1,
    message: "must be an array of rules",
    minMessage: "must hold at least one rule (a rubric with none would accept anything)",
  }),
  threshold: schemas.unitInterval.optional(),
  maxOutputChars: schemas.positiveInt.optional(),
  ruleTimeoutMs: schemas.durationMs.optional(),
  clock: schemas.timerClock.optional(),
});

/**
 * Builds a rubric: the scorer that decides whether an output is accepted (docs/architecture.md).
 *
 * `evaluate(output, ctx?)` runs every rule (concurrently; results in rule order) and computes the
 * verdict in code: `score` is the weighted mean of rule scores (weights default to 1), `passed/total`
 * counts rules, and the output is accepted when every `required` rule passes and either every rule
 * passes or `score >= threshold`. A rule that throws, returns something other than a boolean or
 * `{ pass, score? }`, returns a NaN or out-of-range score, or runs past its time limit is a failed rule
 * with `errored: true` and the reason in its `message`; the other rules still run. Only the caller's
 * abort (`ctx.signal`) stops an evaluation: it rejects with `signal.reason`.
 *
 * @throws InvalidArgumentError naming the option: empty id, no rules, duplicate rule ids, a weight
 *   that is negative or not finite, a threshold outside 0..1, all weights 0.
 * @example
 * const rubric = defineRubric({
 *   id: "answer",
 *   rules: [nonEmpty(), notMatches("no-todo", /TODO/), length("short", { max: 200, unit: "words" })],
 * });
 * const verdict = await rubric.evaluate("The answer is 42.");
 * verdict.accepted; // true
 */
export function defineRubric<O = string, const R extends readonly Rule<O>[] = readonly Rule<O>[]>(
  options: RubricOptions<O> & { rules: R },
): Rubric<O, RubricValue<R>> {
  const parsed = parseOptions("defineRubric", optionsSchema, options);
  const rules = Object.freeze([...options.rules]);
  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    if (seen.has(rule.id)) {
      throw new InvalidArgumentError({
        parameter: `rules[${index}].id`,
        value: rule.id,
        message: `defineRubric: rule id "${rule.id}" appears twice; ids name rules in feedback and stats, so each must be unique.`,
      });
    }
    seen.add(rule.id);
  });
  rules.forEach((rule, index) => {
    if (rule.checkPrefix?.constructor?.name === "AsyncFunction") {
      throw new InvalidArgumentError({
        parameter: `rules[${index}].checkPrefix`,
        value: "an async function",
        message: `defineRubric: checkPrefix of rule "${rule.id}" is async; it must be synchronous (it runs between the parts of a stream). Do async work in check, which judges the whole output.`,
      });
    }
  });
  if (rules.every((rule) => (rule.weight ?? 1) === 0)) {
    throw new InvalidArgumentError({
      parameter: "rules",
      value: rules.length,
      message: "defineRubric: every rule has weight 0, so no score can be computed; give one a weight > 0.",
    });
  }
  const threshold = parsed.threshold ?? rubricDefaults.threshold;
  const maxOutputChars = parsed.maxOutputChars ?? rubricDefaults.maxOutputChars;
  const ruleTimeoutMs = parsed.ruleTimeoutMs ?? rubricDefaults.ruleTimeoutMs;
  const clock = parsed.clock ?? systemClock;
  const id = parsed.id;

  // Synchronous rules (regex, length, predicates: the common case) are judged in one pass, with no promise
  // per rule and none for the verdict; a rule returning a promise switches to waiting.
  const judge = (
    output: O,
    ctx: RuleContext = {},
  ): Verdict<RubricValue<R>> | Promise<Verdict<RubricValue<R>>> => {
    throwIfAborted(ctx.signal);
    let judged = output;
    let cappedAt: number | undefined;
    if (typeof output === "string" && output.length > maxOutputChars) {
      let end = maxOutputChars;
      const code = output.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end -= 1; // never split a surrogate pair
      judged = output.slice(0, end) as O;
      cappedAt = maxOutputChars;
    }
    // The values passing rules gave, by rule index: the first, in rule order, becomes the verdict's.
    let values: Map<number, unknown> | undefined;
    const results: (RuleResult | Promise<RuleResult>)[] = [];
    let pending = false;
    for (let index = 0; index < rules.length; index += 1) {
      const rule = rules[index]!;
      const result = runRule(rule, judged, ctx, rule.timeoutMs ?? ruleTimeoutMs, clock, (value) => {
        values ??= new Map();
        values.set(index, value);
      });
      if (result instanceof Promise) pending = true;
      results.push(result);
    }
    const finish = (settled: RuleResult[]): Verdict<RubricValue<R>> => {
      throwIfAborted(ctx.signal);
      const verdict = verdictOf(id, threshold, settled, cappedAt) as Verdict<RubricValue<R>>;
      if (values !== undefined) {
        const first = Math.min(...values.keys());
        // Not enumerable: verdicts are data in records, events and errors; the value stays out of them.
        Object.defineProperty(verdict, "value", { value: values.get(first), enumerable: false });
      }
      return verdict;
    };
    return pending ? Promise.all(results).then(finish) : finish(results as RuleResult[]);
  };
  const evaluate = (output: O, ctx: RuleContext = {}): Promise<Verdict<RubricValue<R>>> => {
    try {
      return Promise.resolve(judge(output, ctx));
    } catch (error) {
      return Promise.reject(error);
    }
  };

  // Only a rule whose failure rejects any output may stop a stream early: a required rule, or any rule when
  // every rule must pass. A failing prefix of another rule could still be outweighed at the end.
  const prefixRules = rules.filter(
    (rule) => typeof rule.checkPrefix === "function" && (threshold >= 1 || rule.required === true),
  );
  const evaluatePrefix = (prefix: O, ctx: RuleContext = {}): Verdict<RubricValue<R>> | undefined => {
    let judged = prefix;
    let cappedAt: number | undefined;
    if (typeof prefix === "string" && prefix.length > maxOutputChars) {
      // The rules judge the whole output capped the same way: a prefix past the cap is that capped text.
      judged = prefix.slice(0, maxOutputChars) as O;
      cappedAt = maxOutputChars;
    }
    let failed: RuleResult[] | undefined;
    for (const rule of prefixRules) {
      let outcome: PrefixOutcome | undefined;
      try {
        outcome = rule.checkPrefix?.(judged, ctx);
      } catch {
        continue; // cannot tell yet: the whole output is judged at its end
      }
      if (isPromiseLike(outcome)) {
        // An async checkPrefix (from JavaScript; TypeScript refuses it): its judgement would come too late,
        // and a rejection would go unhandled. A bug in the rule: the run stops and says so.
        Promise.resolve(outcome).catch(() => {});
        throw new CallerCodeError({
          origin: "rule",
          ruleId: rule.id,
          cause: new TypeError(
            `checkPrefix of rule "${rule.id}" returned a promise: it must be synchronous (return a boolean or { pass, message }); do async work in check, which judges the whole output.`,
          ),
        });
      }
      const pass =
        outcome === undefined || outcome === true || (typeof outcome === "object" && outcome?.pass !== false);
      if (pass) continue;
      const said = typeof outcome === "object" && outcome !== null ? outcome.message : undefined;
      failed ??= [];
      failed.push({
        ...resultBase(rule),
        pass: false,
        score: 0,
        message: capText(
          `${said ?? rule.description ?? "failed"} (judged on the ${typeof judged === "string" ? `first ${judged.length} chars` : "part"} streamed; the stream was stopped there)`,
          maxMessageChars,
        ),
        durationMs: 0,
      });
    }
    return failed === undefined
      ? undefined
      : (verdictOf(id, threshold, failed, cappedAt) as Verdict<RubricValue<R>>);
  };

  return Object.freeze({
    id,
    rules,
    threshold,
    evaluate,
    evaluateNow: judge,
    ...(prefixRules.length > 0 ? { evaluatePrefix } : {}),
  });
}

/** Computes the verdict from rule results (exported for the attempt engine and tests). */
export function verdictOf(
  rubricId: string,
  threshold: number,
  results: readonly RuleResult[],
  cappedAt?: number,
): Verdict {
  const totalWeight = results.reduce((sum, r) => sum + r.weight, 0);
  const weighted = results.reduce((sum, r) => sum + r.weight * r.score, 0);
  const score = totalWeight > 0 ? Math.min(1, Math.max(0, weighted / totalWeight)) : 0;
  const violations = results.filter((r) => !r.pass);
  const requiredOk = results.every((r) => r.pass || !r.required);
  // Threshold 1 means every rule, even when a failed rule reports a partial score of 1.
  const accepted =
    requiredOk && (violations.length === 0 || (threshold < 1 && score >= threshold - scoreEpsilon));
  const verdict: Verdict = {
    rubricId,
    accepted,
    score,
    passed: results.length - violations.length,
    total: results.length,
    results,
    violations,
  };
  if (cappedAt !== undefined) verdict.cappedAt = cappedAt;
  return verdict;
}

class RuleTimeout extends Error {}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * Runs one rule. A rule whose `check` returns a value is settled at once, without a promise; one that
 * returns a promise gets its time limit and the caller's abort, and the result is a promise.
 */
function runRule<O>(
  rule: Rule<O>,
  output: O,
  ctx: RuleContext,
  timeoutMs: number,
  clock: Clock,
  onValue: (value: unknown) => void,
): RuleResult | Promise<RuleResult> {
  const started = clock.now();
  // The rule gets its own signal: it fires on the caller's abort and at the rule's time limit, so an
  // LLM judge stops its call when its time is up. It is made only when a rule reads it or returns a
  // promise: synchronous rules (regex, length, predicates) are the common case and the hot path of every
  // attempt, and a timer cannot interrupt them anyway (the JS regex opt-in bounds itself with a vm timeout).
  let child: ReturnType<typeof childController> | undefined;
  const signalOf = () => {
    child ??= childController(ctx.signal);
    return child.controller.signal;
  };
  // A getter in a literal: much cheaper than Object.defineProperty on this per-rule hot path.
  const ruleCtx: RuleContext = {
    ...ctx,
    get signal() {
      return signalOf();
    },
  };
  let outcome: unknown;
  try {
    outcome = rule.check(output, ruleCtx);
  } catch (error) {
    child?.dispose();
    return ruleError(rule, error, ctx, timeoutMs, started, clock);
  }
  if (!isPromiseLike(outcome)) {
    child?.dispose();
    return settle(rule, outcome, started, clock, onValue);
  }
  const pending = outcome;
  return (async () => {
    const signal = signalOf();
    const timer = clock.setTimeout(() => child?.controller.abort(new RuleTimeout()), timeoutMs);
    try {
      return settle(rule, await raceAbort(Promise.resolve(pending), signal), started, clock, onValue);
    } catch (error) {
      return ruleError(rule, error, ctx, timeoutMs, started, clock);
    } finally {
      clock.clearTimeout(timer);
      child?.dispose();
    }
  })();
}

/** A rule that threw or timed out fails as errored; the caller's abort and a spent budget propagate. */
function ruleError<O>(
  rule: Rule<O>,
  error: unknown,
  ctx: RuleContext,
  timeoutMs: number,
  started: number,
  clock: Clock,
): RuleResult {
  if (ctx.signal?.aborted) throw ctx.signal.reason;
  // A spent shared budget ends the run; it says nothing about the output.
  if (BudgetExhaustedError.isInstance(error) || CallerCodeError.isInstance(error)) throw error;
  // A TypeError (or ReferenceError, ...) in a rule is a bug in the rule, not a verdict on the output.
  if (isCallerBug(error)) throw new CallerCodeError({ origin: "rule", ruleId: rule.id, cause: error });
  return failedResult(
    rule,
    error instanceof RuleTimeout
      ? `rule timed out after ${timeoutMs} ms (rubric timeout)`
      : `rule threw: ${errorText(error)}`,
    started,
    clock,
  );
}

/** The result fields every rule result starts with. */
function resultBase<O>(rule: Rule<O>): Pick<RuleResult, "ruleId" | "weight" | "required" | "description"> {
  const base: Pick<RuleResult, "ruleId" | "weight" | "required" | "description"> = {
    ruleId: rule.id,
    weight: rule.weight ?? 1,
    required: rule.required ?? false,
  };
  if (rule.description !== undefined) base.description = rule.description;
  return base;
}

function failedResult<O>(rule: Rule<O>, message: string, started: number, clock: Clock): RuleResult {
  return {
    ...resultBase(rule),
    pass: false,
    score: 0,
    message: cap(message),
    errored: true,
    durationMs: clock.now() - started,
  };
}

/** The result of a rule's outcome (a boolean or `{ pass, score?, message? }`). */
function settle<O>(
  rule: Rule<O>,
  outcome: unknown,
  started: number,
  clock: Clock,
  onValue: (value: unknown) => void,
): RuleResult {
  // Read defensively: an outcome is caller code too (a getter that throws, a message whose toString does).
  let normalized: ReturnType<typeof normalizeOutcome>;
  try {
    normalized = normalizeOutcome(outcome);
  } catch (error) {
    return failedResult(
      rule,
      `rule returned an outcome that could not be read: ${errorText(error)} (rubric error)`,
      started,
      clock,
    );
  }
  if (typeof normalized === "string") return failedResult(rule, normalized, started, clock);
  const result: RuleResult = {
    ...resultBase(rule),
    pass: normalized.pass,
    score: normalized.score,
    durationMs: clock.now() - started,
  };
  if (normalized.message !== undefined) result.message = cap(normalized.message);
  else if (!normalized.pass && rule.description !== undefined) result.message = rule.description;
  if (normalized.pass && typeof outcome === "object" && outcome !== null && "value" in outcome) {
    onValue((outcome as { value?: unknown }).value);
  }
  return result;
}

/** The outcome as `{ pass, score, message? }`, or the reason it is not a valid outcome. */
function normalizeOutcome(outcome: unknown): { pass: boolean; score: number; message?: string } | string {
  if (typeof outcome === "boolean") return { pass: outcome, score: outcome ? 1 : 0 };
  if (
    typeof outcome !== "object" ||
    outcome === null ||
    typeof (outcome as RuleOutcome & object).pass !== "boolean"
  ) {
    return `rule returned ${describe(outcome)}; a rule returns a boolean or { pass: boolean, message?, score? } (rubric error)`;
  }
  const { pass, message, score } = outcome as { pass: boolean; message?: unknown; score?: unknown };
  if (score !== undefined && (typeof score !== "number" || Number.isNaN(score) || score < 0 || score > 1)) {
    return `rule returned score ${describe(score)}; a score is a number in 0..1 (rubric error)`;
  }
  const out: { pass: boolean; score: number; message?: string } = {
    pass,
    score: typeof score === "number" ? score : pass ? 1 : 0,
  };
  if (message !== undefined) out.message = typeof message === "string" ? message : String(message);
  return out;
}

function describe(value: unknown): string {
  // An object here is one without a boolean `pass`: say so after the one describer's words.
  const plainObject = typeof value === "object" && value !== null && !Array.isArray(value);
  return plainObject ? `${describeValue(value)} without a boolean \`pass\`` : describeValue(value);
}

/** What a rule threw, as text, whatever it threw (a null-prototype object has no toString). */
function errorText(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return `a ${error === null ? "null" : typeof error} that cannot be shown as text`;
  }
}

function cap(message: string): string {
  const clean = redactText(message);
  return capText(clean, maxMessageChars);
}
