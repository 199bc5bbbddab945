import type { StandardSchemaV1 } from "@standard-schema/spec";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { parseOptions, schemas } from "../options.js";
import { capLine } from "../text/cap.js";
import { boolean, object, oneOf, string } from "../validate/check.js";
import { jsonPrefixError } from "./json-prefix.js";
import { type CompiledPattern, certainMatch, compilePattern, type PatternInput } from "./regex.js";
import { issuesText, standardOf } from "./standard-schema.js";
import type { Rule, RuleContext, RuleOutcome } from "./types.js";

/** Options every rule builder takes. */
export interface RuleOptions {
  /** The rule in words, told to the model when it fails. @default a description built from the rule */
  description?: string;
  /** Relative weight in the score. @default 1 */
  weight?: number;
  /** Must pass whatever the score. @default false */
  required?: boolean;
  /** Time limit in ms. @default the rubric's `ruleTimeoutMs` */
  timeoutMs?: number;
}

/** The options every rule shares (description, weight, required, time limit), checked by builders and rubrics. */
export const ruleOptionsShape = {
  description: string().optional(),
  weight: schemas.nonNegativeNumber.optional(),
  required: boolean().optional(),
  timeoutMs: schemas.durationMs.optional(),
};
const ruleOptionsSchema = object(ruleOptionsShape);

/** Most characters of a matched excerpt quoted in a message. */
const maxExcerptChars = 80;

/** A frozen rule from checked options and a check. @internal */
export function buildRule<O, V = unknown>(
  fn: string,
  id: unknown,
  options: RuleOptions,
  defaultDescription: string,
  check: Rule<O, V>["check"],
  checkPrefix?: Rule<O, V>["checkPrefix"],
): Rule<O, V> {
  const parsedId = parseOptions(fn, object({ id: schemas.nonEmptyString }), { id }).id;
  const parsed = parseOptions(fn, ruleOptionsSchema, options);
  const rule: Rule<O, V> = { id: parsedId, description: parsed.description ?? defaultDescription, check };
  if (checkPrefix !== undefined) rule.checkPrefix = checkPrefix;
  if (parsed.weight !== undefined) rule.weight = parsed.weight;
  if (parsed.required !== undefined) rule.required = parsed.required;
  if (parsed.timeoutMs !== undefined) rule.timeoutMs = parsed.timeoutMs;
  return Object.freeze(rule);
}

function compileAll(fn: string, patterns: PatternInput | readonly PatternInput[]): CompiledPattern[] {
  const list = Array.isArray(patterns) ? (patterns as readonly PatternInput[]) : [patterns as PatternInput];
  if (list.length === 0) {
    throw new InvalidArgumentError({
      parameter: "patterns",
      value: patterns,
      message: `${fn}: "patterns" must hold at least one pattern.`,
    });
  }
  return list.map((p, i) => compilePattern(p, Array.isArray(patterns) ? `patterns[${i}]` : "pattern"));
}

function formsText(compiled: readonly CompiledPattern[]): string {
  return compiled.map((p) => p.display).join(", ");
}

/** Line number (1-based) of a UTF-16 index in `text`. */
function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

function excerpt(text: string): string {
  return JSON.stringify(capLine(text, maxExcerptChars));
}

/**
 * Passes when ANY of the accepted forms matches somewhere in the output, so one rule can accept
 * `delay *= 2`, `delay << 1`, `.pow(` and literal constants alike. Patterns run on the linear-time
 * engine; see the rubrics guide (docs/rubrics.md) for what is refused, and `jsPattern` for the opt-in.
 *
 * @throws InvalidArgumentError when the id is empty, no pattern is given, or a pattern is refused
 *   (lookaround, backreferences, bad syntax), with the reason.
 * @example
 * matches("backoff-doubles", [/delay\s*\*=\s*2/, /<<\s*1/, /\.pow\(/, /250[\s\S]*500[\s\S]*1000/])
 */
export function matches(
  id: string,
  patterns: PatternInput | readonly PatternInput[],
  options: RuleOptions = {},
): Rule<string> {
  const compiled = compileAll("matches", patterns);
  const description =
    compiled.length === 1
      ? `The output must match ${compiled[0]!.display}.`
      : `The output must match one of: ${formsText(compiled)}.`;
  return buildRule("matches", id, options, description, (output) => {
    for (const pattern of compiled) if (pattern.test(output)) return true;
    return {
      pass: false,
      message:
        compiled.length === 1
          ? options.description === undefined
            ? `${description} It did not.`
            : `${options.description} It did not match ${compiled[0]!.display}.`
          : `${options.description ?? description} None of the ${compiled.length} accepted forms matched.`,
    };
  });
}

/**
 * Passes when NONE of the patterns matches anywhere in the output. A failure names the pattern, the
 * line and the text that matched.
 *
 * Judges streamed prefixes (`checkPrefix`): a match already streamed stops the attempt, when it is sure to
 * stay a match whatever follows. With a `$`, `\b` or `\B` in the pattern, a match is sure once at least one
 * character follows it; a `jsPattern` is never judged early (its lookahead may read past the match).
 *
 * @throws InvalidArgumentError as {@link matches}.
 * @example
 * notMatches("no-unwrap", /\.unwrap\(\)/, { description: "Handle errors with ?, never .unwrap()." })
 */
export function notMatches(
  id: string,
  patterns: PatternInput | readonly PatternInput[],
  options: RuleOptions = {},
): Rule<string> {
  const compiled = compileAll("notMatches", patterns);
  const description =
    compiled.length === 1
      ? `The output must not match ${compiled[0]!.display}.`
      : `The output must not match any of: ${formsText(compiled)}.`;
  const failure = (output: string, pattern: CompiledPattern, found: { match: string; index: number }) => ({
    pass: false,
    message: `${options.description ?? description} Found ${excerpt(found.match)} (${pattern.display}) on line ${lineOf(output, found.index)}.`,
  });
  // A match already streamed fails every longer output when it is certain to stay one (see certainMatch:
  // re2 patterns only; a match at the prefix's very end only when the pattern reads nothing past it).
  const judged = compiled.filter((pattern) => pattern.engine === "re2");
  const checkPrefix =
    judged.length === 0
      ? undefined
      : (prefix: string) => {
          for (const pattern of judged) {
            const found = certainMatch(pattern, prefix);
            if (found !== undefined) return failure(prefix, pattern, found);
          }
          return undefined;
        };
  return buildRule(
    "notMatches",
    id,
    options,
    description,
    (output) => {
      for (const pattern of compiled) {
        const found = pattern.find(output);
        if (found !== undefined) return failure(output, pattern, found);
      }
      return true;
    },
    checkPrefix,
  );
}

/** Options of {@link json}. */
export interface JsonRuleOptions extends RuleOptions {
  /**
   * Also accept the JSON wrapped in one Markdown code fence (```json … ```) that is the whole output,
   * as models often write it. @default true
   */
  allowCodeFence?: boolean;
  /** Most schema issues quoted in the message. @default 5 */
  maxIssues?: number;
}

const fence = /^```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

/**
 * Passes when the output is JSON that the schema accepts. Any Standard Schema works (zod 4, valibot,
 * arktype...). A failure quotes the parse error, or the schema's issues with their paths. A pass gives the
 * schema's output as the rule's `value`. For JSON inside prose or among several fences, use `structured`.
 * Judges streamed prefixes (`checkPrefix`): text no JSON can start with (or a fence that cannot open the
 * JSON) stops the attempt; the schema is applied to the whole output only.
 *
 * @throws InvalidArgumentError when `schema` is not a Standard Schema (no `~standard` with `validate`).
 * @example
 * json("answer-shape", z.object({ answer: z.string(), confidence: z.number().min(0).max(1) }))
 */
export function json<S extends StandardSchemaV1>(
  id: string,
  schema: S,
  options: JsonRuleOptions = {},
): Rule<string, StandardSchemaV1.InferOutput<S>> {
  const standard = standardOf("json", schema);
  const { allowCodeFence = true, maxIssues = 5, ...ruleOptions } = options;
  parseOptions("json", object({ allowCodeFence: boolean(), maxIssues: schemas.positiveInt }), {
    allowCodeFence,
    maxIssues,
  });
  const description = ruleOptions.description ?? "The output must be JSON of the expected shape.";
  type Value = StandardSchemaV1.InferOutput<S>;
  const checkPrefix = (prefix: string) => {
    const why = jsonRulePrefixError(prefix, allowCodeFence);
    return why === undefined ? undefined : { pass: false, message: `${description} ${why}` };
  };
  return buildRule<string, Value>(
    "json",
    id,
    ruleOptions,
    description,
    async (output) => {
      let text = output.trim();
      const fenced = allowCodeFence ? fence.exec(text) : null;
      if (fenced !== null) text = (fenced[1] ?? "").trim();
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return { pass: false, message: `${description} It is not valid JSON: ${reason}.` };
      }
      const result = await standard.validate(value);
      if (result.issues === undefined) return { pass: true, value: result.value };
      return {
        pass: false,
        message: `${description} Schema issues: ${issuesText(result.issues, maxIssues)}.`,
      };
    },
    checkPrefix,
  );
}

/** A fence's opening line after its backticks, or a start of one: a language tag, blanks, maybe `\r`. */
const fenceInfo = /^[A-Za-z0-9_-]*[ \t]*\r?$/;

/**
 * Why no output starting with `prefix` can pass {@link json}'s parse (the whole output, trimmed, is JSON or
 * one fence around JSON), or undefined. The trimmed prefix starts the trimmed output, so it must start a
 * JSON text; or, with fences allowed and a first backtick, the fence's opening line must be one and its
 * body so far, less the newlines and backticks that may yet be the closing fence, must start a JSON text.
 */
function jsonRulePrefixError(prefix: string, allowCodeFence: boolean): string | undefined {
  const text = prefix.trim();
  if (text === "") return undefined;
  let body = text;
  if (allowCodeFence && text.charCodeAt(0) === 96) {
    if (!text.startsWith("```".slice(0, Math.min(3, text.length)))) {
      return "It starts with a backtick that does not open a ``` code fence.";
    }
    if (text.length < 3) return undefined;
    const newline = text.indexOf("\n", 3);
    if (!fenceInfo.test(text.slice(3, newline < 0 ? text.length : newline))) {
      return "Its code fence's opening line holds more than a language name.";
    }
    if (newline < 0) return undefined;
    let end = text.length;
    for (let c = text.charCodeAt(end - 1); end > newline + 1 && (c === 10 || c === 13 || c === 96); ) {
      end -= 1;
      c = text.charCodeAt(end - 1);
    }
    body = text.slice(newline + 1, end).trim();
    if (body === "") return undefined;
  }
  const why = jsonPrefixError(body);
  return why === undefined ? undefined : `What was streamed cannot start JSON (${why}).`;
}

/** Options of {@link length}. */
export interface LengthRuleOptions extends RuleOptions {
  /** Fewest units, inclusive. */
  min?: number;
  /** Most units, inclusive. */
  max?: number;
  /**
   * What is counted: `chars` (UTF-16 units, as every other rungs size), `words` (runs of non-space)
   * or `lines` (a final newline does not start another line). @default "chars"
   */
  unit?: "chars" | "words" | "lines";
}

const nonSpaceRun = /\S+/g;

/** Counts `text` in `unit`. */
export function countUnits(text: string, unit: "chars" | "words" | "lines"): number {
  if (unit === "chars") return text.length;
  if (unit === "words") {
    // Runs of non-space, counted one by one: a split keeps every word alive at once.
    let words = 0;
    nonSpaceRun.lastIndex = 0;
    while (nonSpaceRun.exec(text) !== null) words += 1;
    return words;
  }
  // Line breaks (`\r\n`, `\r` or `\n`, each one), plus the last line when text follows the last break. A
  // count, not a split: splitting a long run of newlines makes as many strings (their GC grew faster than
  // the text in the linear-time bench).
  let breaks = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 10) breaks += 1;
    else if (code === 13) {
      breaks += 1;
      if (text.charCodeAt(i + 1) === 10) i += 1;
    }
  }
  const last = text.charCodeAt(text.length - 1);
  return text.length === 0 ? 0 : last === 10 || last === 13 ? breaks : breaks + 1;
}

const lengthSchema = object(
  {
    ...ruleOptionsShape,
    min: schemas.nonNegativeInt.optional(),
    max: schemas.nonNegativeInt.optional(),
    unit: oneOf(["chars", "words", "lines"]).optional(),
  },
  {
    refine: [
      (o) =>
        o.min === undefined && o.max === undefined
          ? { path: ["min"], message: "needs min or max (either or both)" }
          : undefined,
      (o) =>
        o.min !== undefined && o.max !== undefined && o.min > o.max
          ? { path: ["min"], message: "must not be greater than max" }
          : undefined,
    ],
  },
);

/**
 * Passes when the output's length in `unit` lies within `min..max` (both inclusive). With `max`, it judges
 * streamed prefixes (`checkPrefix`): a prefix already longer than `max` stops the attempt (no count of any
 * unit falls as text is appended); `min` is judged on the whole output only.
 *
 * @throws InvalidArgumentError when neither bound is given, a bound is not a whole number ≥ 0, or `min > max`.
 * @example
 * length("short", { max: 120, unit: "words" })
 */
export function length(id: string, options: LengthRuleOptions): Rule<string> {
  const parsed = parseOptions("length", lengthSchema, options);
  const { min, max, unit = "chars", ...ruleOptions } = options;
  const range =
    min !== undefined && max !== undefined
      ? `between ${min} and ${max}`
      : min !== undefined
        ? `at least ${min}`
        : `at most ${max}`;
  const description = parsed.description ?? `The output must be ${range} ${unit} long.`;
  // Only `max` can fail a prefix: every unit's count never falls as text is appended (chars grow; a word
  // or a line can only be extended or followed by more; a `\r` then `\n` stays one line break).
  const checkPrefix =
    max === undefined
      ? undefined
      : (prefix: string) => {
          const count = countUnits(prefix, unit);
          return count > max
            ? { pass: false, message: `${description} It is already ${count} ${unit}.` }
            : undefined;
        };
  return buildRule(
    "length",
    id,
    ruleOptions,
    description,
    (output) => {
      const count = countUnits(output, unit);
      const pass = (min === undefined || count >= min) && (max === undefined || count <= max);
      return pass ? true : { pass: false, message: `${description} It is ${count} ${unit}.` };
    },
    checkPrefix,
  );
}

/**
 * Passes when the output holds something besides whitespace.
 * @example
 * nonEmpty({ required: true })
 */
export function nonEmpty(options: RuleOptions & { id?: string } = {}): Rule<string> {
  const { id = "non-empty", ...ruleOptions } = options;
  const description = ruleOptions.description ?? "The output must not be empty.";
  return buildRule("nonEmpty", id, ruleOptions, description, (output) =>
    output.trim().length > 0
      ? true
      : { pass: false, message: `${description} It was empty or only whitespace.` },
  );
}

/**
 * A rule from any function of the output: return a boolean, or `{ pass, message?, score?, value? }` (a
 * partial `score` in 0..1, e.g. `k/n` of sub-checks; a `value` found in the output, typed, which a passing
 * rule gives the verdict). It may be async and may read `ctx.signal`. If it throws, returns NaN or runs past
 * its time limit, the rule fails with the reason; the rubric goes on.
 *
 * @example
 * predicate("three-tests", (code) => {
 *   const found = (code.match(/#\[test\]/g) ?? []).length;
 *   return { pass: found >= 3, score: Math.min(1, found / 3), message: `${found}/3 tests` };
 * })
 */
export function predicate<O = string, V = unknown>(
  id: string,
  fn: (output: O, ctx: RuleContext) => RuleOutcome<V> | Promise<RuleOutcome<V>>,
  options: RuleOptions = {},
): Rule<O, V> {
  if (typeof fn !== "function") {
    throw new InvalidArgumentError({
      parameter: "fn",
      value: fn,
      message: 'predicate: "fn" must be a function (output, ctx) => boolean | { pass, message?, score? }.',
    });
  }
  return buildRule<O, V>(
    "predicate",
    id,
    options,
    options.description ?? `The output must satisfy ${id}.`,
    fn,
  );
}
