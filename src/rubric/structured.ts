import type { StandardSchemaV1 } from "@standard-schema/spec";
import { parseOptions, schemas } from "../options.js";
import { capText } from "../text/cap.js";
import { boolean, number, object } from "../validate/check.js";
import { findJsonCandidates, nestsDeeperThan } from "./json-candidates.js";
import { jsonPrefixError } from "./json-prefix.js";
import { buildRule, type RuleOptions, ruleOptionsShape } from "./rules.js";
import { issuesText, standardOf } from "./standard-schema.js";
import type { Rule, RuleContext, RuleOutcome } from "./types.js";

/** Options of {@link structured}. */
export interface StructuredRuleOptions extends RuleOptions {
  /**
   * Must pass whatever the score: the caller reads the value, so by default an answer without one is never
   * accepted. @default true
   */
  required?: boolean;
  /** Look for the JSON in Markdown code fences (```json first, then other fences). @default true */
  allowCodeFence?: boolean;
  /** Look for balanced `{...}` / `[...]` spans in prose ("Here you go: {...}"). @default true */
  allowProse?: boolean;
  /**
   * Most candidate JSON texts tried per answer (1 to 100): the whole answer, then fences, then the longest
   * prose spans. Each is parsed at most once, so the parse work is at most this times `maxJsonChars`.
   * @default 8
   */
  maxCandidates?: number;
  /** Longest candidate parsed, in characters (UTF-16 units); longer ones are skipped. @default 1_000_000 */
  maxJsonChars?: number;
  /** Deepest nesting of `{`/`[` parsed; deeper candidates are skipped (deep nesting slows `JSON.parse`). @default 1_000 */
  maxDepth?: number;
  /** Most schema issues quoted in the failure message (and so in the retry's feedback). @default 5 */
  maxIssues?: number;
}

/** Defaults of {@link structured}. */
export const structuredDefaults = {
  required: true,
  allowCodeFence: true,
  allowProse: true,
  maxCandidates: 8,
  maxJsonChars: 1_000_000,
  maxDepth: 1_000,
  maxIssues: 5,
} as const;

const optionsSchema = object({
  ...ruleOptionsShape,
  allowCodeFence: boolean().optional(),
  allowProse: boolean().optional(),
  maxCandidates: number({ int: true, min: 1, max: 100 }).optional(),
  maxJsonChars: schemas.positiveInt.optional(),
  maxDepth: schemas.positiveInt.optional(),
  maxIssues: schemas.positiveInt.optional(),
});

const defaultDescription = "The output must hold JSON that matches the expected schema.";

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * A rule that finds the JSON in an answer, validates it with any Standard Schema (zod 4, valibot, arktype...)
 * and gives the parsed value, typed as the schema's output (`StandardSchemaV1.InferOutput<S>`).
 *
 * - Where: the whole answer, then Markdown code fences (```json first), then balanced `{...}` / `[...]`
 *   spans in prose, longest first: at most `maxCandidates`, found in one linear pass whatever the answer
 *   holds. Candidates longer than `maxJsonChars` or nested deeper than `maxDepth` are skipped.
 * - Passes with the first candidate that parses and that the schema accepts; its `value` is the schema's
 *   output (transforms and defaults applied). In a rubric the verdict carries it (`verdict.value`), and
 *   `retryWithContext` / `escalateAcross` set it on the accepted generation: `generation.value`, typed
 *   through the wrappers above them (docs/rubrics.md, "Structured output").
 * - Fails with the schema's issues of the first candidate that parsed (`path: message`, at most
 *   `maxIssues`), or why nothing parsed; retries carry that message to the model as feedback.
 * - `validate` may be async: the rule is then raced against its time limit and the caller's abort, like
 *   every async rule. A `validate` that throws fails the rule (`errored`), or, for a `TypeError`, stops the
 *   run as the caller's bug (`CallerCodeError`).
 * - `required` defaults to `true`: an answer without a value is never accepted whatever the score.
 * - Judges streamed prefixes (`checkPrefix`) only with `allowProse: false` and `allowCodeFence: false`,
 *   when the whole answer must be the JSON: text no JSON can start with stops the attempt. Otherwise JSON
 *   may still come later in the answer, so no prefix can fail.
 *
 * Put checks on the value into the schema (zod's `.refine`, valibot's `check`) so their messages are fed back
 * as issues too.
 *
 * @throws InvalidArgumentError when the id is empty, `schema` is not a Standard Schema, or an option is
 *   invalid (naming it).
 * @example
 * const rubric = defineRubric({
 *   id: "answer",
 *   rules: [structured("answer-shape", z.object({ answer: z.string(), confidence: z.number().min(0).max(1) }))],
 * });
 * const model = retryWithContext(local, { rubric });
 * const { value } = await model.generate({ prompt: "..." }); // { answer: string; confidence: number } | undefined
 */
export function structured<S extends StandardSchemaV1>(
  id: string,
  schema: S,
  options: StructuredRuleOptions = {},
): Rule<string, StandardSchemaV1.InferOutput<S>> {
  type Value = StandardSchemaV1.InferOutput<S>;
  const standard = standardOf("structured", schema);
  parseOptions("structured", optionsSchema, options);
  const {
    allowCodeFence = structuredDefaults.allowCodeFence,
    allowProse = structuredDefaults.allowProse,
    maxCandidates = structuredDefaults.maxCandidates,
    maxJsonChars = structuredDefaults.maxJsonChars,
    maxDepth = structuredDefaults.maxDepth,
    maxIssues = structuredDefaults.maxIssues,
    ...ruleOptions
  } = options;
  const find = { fences: allowCodeFence, prose: allowProse, maxCandidates };

  const check = (output: string, ctx: RuleContext): RuleOutcome<Value> | Promise<RuleOutcome<Value>> => {
    const candidates = findJsonCandidates(output, find);
    let parseError: string | undefined;
    let skipped: string | undefined;
    let issues: string | undefined;
    const judge = (result: StandardSchemaV1.Result<Value>): RuleOutcome<Value> | undefined => {
      if (result.issues === undefined) return { pass: true, value: result.value };
      issues ??= issuesText(result.issues, maxIssues);
      return undefined;
    };
    const failure = (): RuleOutcome<Value> => {
      const message =
        issues !== undefined
          ? `Schema issues: ${issues}.`
          : parseError !== undefined
            ? `It is not valid JSON: ${parseError}.`
            : (skipped ?? "No JSON found in the output.");
      return { pass: false, message };
    };
    // Tries candidates from `from` on: synchronously while `validate` answers synchronously (the common
    // case, and no timer is needed), asynchronously from the first promise on.
    const tryFrom = (from: number): RuleOutcome<Value> | Promise<RuleOutcome<Value>> => {
      for (let i = from; i < candidates.length; i += 1) {
        const { start, end } = candidates[i]!;
        if (end - start > maxJsonChars) {
          skipped ??= `The JSON is longer than ${maxJsonChars} characters.`;
          continue;
        }
        if (nestsDeeperThan(output, start, end, maxDepth)) {
          skipped ??= `The JSON nests deeper than ${maxDepth} levels.`;
          continue;
        }
        let value: unknown;
        try {
          value = JSON.parse(output.slice(start, end));
        } catch (error) {
          parseError ??= capText(error instanceof Error ? error.message : String(error), 120);
          continue;
        }
        const result = standard.validate(value);
        if (isPromiseLike(result)) {
          return Promise.resolve(result).then((settled) => {
            const outcome = judge(settled);
            if (outcome !== undefined) return outcome;
            // The rule's time limit or the caller's abort fired: the verdict is decided; stop working.
            if (ctx.signal?.aborted) return failure();
            return tryFrom(i + 1);
          });
        }
        const outcome = judge(result);
        if (outcome !== undefined) return outcome;
      }
      return failure();
    };
    return tryFrom(0);
  };

  // Judging a prefix needs every passing output to start where the prefix does: the whole answer as the
  // JSON. With prose spans or fences allowed, text still to come can hold the JSON whatever came before.
  const checkPrefix =
    allowProse || allowCodeFence
      ? undefined
      : (prefix: string) => {
          const why = wholeJsonPrefixError(prefix, maxJsonChars, maxDepth);
          return why === undefined ? undefined : { pass: false, message: why };
        };
  return buildRule<string, Value>(
    "structured",
    id,
    { required: structuredDefaults.required, ...ruleOptions },
    ruleOptions.description ?? defaultDescription,
    check,
    checkPrefix,
  );
}

/**
 * Why no answer starting with `prefix` has a whole-answer candidate that parses, or undefined. The
 * candidate is the answer less surrounding whitespace, so the prefix less its own starts it: too long, too
 * deep or no JSON start already stays so.
 */
function wholeJsonPrefixError(prefix: string, maxJsonChars: number, maxDepth: number): string | undefined {
  const span = findJsonCandidates(prefix, { fences: false, prose: false, maxCandidates: 1 })[0];
  if (span === undefined) return undefined;
  if (span.end - span.start > maxJsonChars) return `The JSON is longer than ${maxJsonChars} characters.`;
  if (nestsDeeperThan(prefix, span.start, span.end, maxDepth)) {
    return `The JSON nests deeper than ${maxDepth} levels.`;
  }
  const why = jsonPrefixError(prefix.slice(span.start, span.end));
  return why === undefined ? undefined : `What was streamed cannot start JSON (${why}).`;
}
