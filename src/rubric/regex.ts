import { createRequire } from "node:module";
import functionTimeout, { isTimeoutError } from "function-timeout";
import type { RE2JS } from "re2js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { RungsError } from "../errors/rungs-error.js";
import { maxTimerMs } from "../options.js";

/**
 * re2js, loaded when the first pattern is compiled: loading it takes about 15 ms, which `import("rungs")`
 * need not pay before a regex rule is built (docs/benchmarks.md, cold imports).
 */
let engine: typeof RE2JS | undefined;
function re2(): typeof RE2JS {
  engine ??= (createRequire(import.meta.url)("re2js") as typeof import("re2js")).RE2JS;
  return engine;
}

/**
 * A compiled pattern a regex rule runs. Build one from a string or `RegExp` (linear-time engine, the
 * default) or with {@link jsPattern} (the JS engine, opted in, with a time limit).
 */
export interface CompiledPattern {
  /** Which engine runs it: `"re2"` (linear time, RE2 semantics) or `"js"` (backtracking, time-limited). */
  readonly engine: "re2" | "js";
  /** The pattern as written, `/source/flags`, for messages. */
  readonly display: string;
  /** True when the pattern matches anywhere in `text`. @throws RegexTimeoutError (JS engine only). */
  test(text: string): boolean;
  /** The first match and its start index (UTF-16 units), or undefined. @throws RegexTimeoutError (JS engine only). */
  find(text: string):
    | {
        /** The matched text. */
        match: string;
        /** Where it starts, in UTF-16 units. */
        index: number;
      }
    | undefined;
}

/** What a regex rule accepts: a pattern string, a `RegExp` (both compiled for the linear-time engine), or a compiled pattern. */
export type PatternInput = string | RegExp | CompiledPattern;

/** A JS-engine pattern ran past its time limit. The rule it belongs to fails with this message. */
export class RegexTimeoutError extends RungsError {
  /** The error's class name, `"RegexTimeoutError"`. */
  override name = "RegexTimeoutError" as const;
  /** The time limit that ran out, in ms. */
  readonly timeoutMs: number;
  constructor(display: string, timeoutMs: number) {
    super(`regex ${display} timed out after ${timeoutMs} ms on the JS engine (rubric timeout)`);
    this.timeoutMs = timeoutMs;
  }
}

const compiledMarker = Symbol.for("rungs.compiledPattern");

/** True when `value` is a {@link CompiledPattern} built by rungs. */
export function isCompiledPattern(value: unknown): value is CompiledPattern {
  return typeof value === "object" && value !== null && compiledMarker in value;
}

/**
 * Finds what the linear-time engine cannot run, with the reason, or undefined. re2js reports lookaround
 * with an unhelpful "invalid named capture", and its RegExp translation silently turns `\k<name>` into
 * the literal `k<name>`, so these constructs are found here first, outside character classes.
 */
export function unsupportedConstruct(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i];
    if (char === "\\") {
      const next = source[i + 1] ?? "";
      if (!inClass && /[1-9]/.test(next)) {
        return `backreference \\${next} at index ${i}: a linear-time engine cannot match backreferences`;
      }
      if (!inClass && next === "k" && source[i + 2] === "<") {
        return `named backreference \\k<…> at index ${i}: a linear-time engine cannot match backreferences`;
      }
      i += 1;
      continue;
    }
    if (inClass) {
      if (char === "]") inClass = false;
      continue;
    }
    if (char === "[") {
      inClass = true;
      // A `]` first in a class is a literal, not its end.
      if (source[i + 1] === "]") i += 1;
      else if (source[i + 1] === "^" && source[i + 2] === "]") i += 2;
      continue;
    }
    if (char === "(" && source[i + 1] === "?") {
      const head = source.slice(i, i + 4);
      const kind = head.startsWith("(?=")
        ? "lookahead (?=…)"
        : head.startsWith("(?!")
          ? "negative lookahead (?!…)"
          : head.startsWith("(?<=")
            ? "lookbehind (?<=…)"
            : head.startsWith("(?<!")
              ? "negative lookbehind (?<!…)"
              : undefined;
      if (kind !== undefined) {
        return `${kind} at index ${i}: a linear-time engine cannot match lookaround`;
      }
    }
  }
  return undefined;
}

const fix =
  "Rewrite it without that construct (a notMatches rule often replaces a negative lookahead), or opt in to the backtracking JS engine with jsPattern(regex, { timeoutMs }).";

/**
 * Compiles a pattern for the linear-time engine (re2js, a port of RE2/J: matching time grows linearly
 * with the input, so `(a+)+$` on 50 000 "a" cannot hang a rubric). `RegExp` flags `i`, `m`, `s` carry
 * over; `g`, `y`, `u`, `d` do not change whether a pattern matches and are ignored.
 *
 * @param parameter The option path named in errors (e.g. `"patterns[1]"`).
 * @throws InvalidArgumentError when the pattern uses lookaround or backreferences, or does not parse,
 *   with the reason and the fix.
 */
export function compilePattern(pattern: PatternInput, parameter = "pattern"): CompiledPattern {
  if (isCompiledPattern(pattern)) return pattern;
  if (typeof pattern !== "string" && !(pattern instanceof RegExp)) {
    throw new InvalidArgumentError({
      parameter,
      value: pattern,
      message: `"${parameter}" must be a string, a RegExp or a jsPattern(...) (got ${typeof pattern}).`,
    });
  }
  const source = typeof pattern === "string" ? pattern : pattern.source;
  const display = typeof pattern === "string" ? `/${pattern}/` : String(pattern);
  const refusal = unsupportedConstruct(source);
  const refuse = (reason: string, cause?: unknown): never => {
    throw new InvalidArgumentError({
      parameter,
      value: display,
      message: `Pattern ${display} ("${parameter}") cannot run on the linear-time regex engine: ${reason}. ${fix}`,
      cause,
    });
  };
  if (refusal !== undefined) refuse(refusal);
  let compiled: RE2JS;
  try {
    const RE2 = re2();
    let flags = 0;
    if (pattern instanceof RegExp) {
      if (pattern.flags.includes("i")) flags |= RE2.CASE_INSENSITIVE;
      if (pattern.flags.includes("m")) flags |= RE2.MULTILINE;
      if (pattern.flags.includes("s")) flags |= RE2.DOTALL;
    }
    compiled = RE2.compile(RE2.translateRegExp(source), flags);
  } catch (error) {
    return refuse(error instanceof Error ? error.message : String(error), error);
  }
  const result: CompiledPattern = Object.freeze({
    [compiledMarker]: true,
    engine: "re2" as const,
    display,
    test: (text: string) => compiled.test(text),
    find: (text: string) => {
      const match = compiled.exec(text) as (string[] & { index: number }) | null;
      return match === null ? undefined : { match: match[0] ?? "", index: match.index };
    },
  });
  prefixJudged.set(result, { endSensitive: readsPastMatchEnd(compiled) });
  return result;
}

/**
 * The re2 patterns rungs compiled, and whether each may look at where the text ends (see
 * {@link certainMatch}). A JS-engine pattern is not here: its lookahead may read any distance past a match.
 */
const prefixJudged = new WeakMap<CompiledPattern, { endSensitive: boolean }>();

// re2js program ops (its `Inst`) and empty-width flags (its `Utils.EMPTY_*`): every op below 12 consumes
// text or only routes; EMPTY_WIDTH asserts something about the position. re2js does not export them.
const emptyWidthOp = 4;
const lastPlainOp = 11;
const beginLine = 1;
const beginText = 4;

/**
 * True unless the compiled program surely asserts nothing about what follows a position: its only
 * position assertions are `^` (start of text or line), which read the characters before. `$` (either
 * kind), `\b` and `\B` read the next character or the end of the text, so a match that ends where the
 * streamed text ends may vanish once more text comes. Read from the program re2js compiled (the parsed
 * pattern, not its source); anything unexpected there (another re2js version) answers true.
 */
function readsPastMatchEnd(compiled: RE2JS): boolean {
  const program = (compiled as unknown as { re2Input?: { prog?: { inst?: unknown } } }).re2Input?.prog?.inst;
  if (!Array.isArray(program) || program.length === 0) return true;
  for (const inst of program as unknown[]) {
    const { op, arg } = (inst ?? {}) as { op?: unknown; arg?: unknown };
    if (typeof op !== "number" || op < 1 || op > lastPlainOp) return true;
    if (op === emptyWidthOp && (typeof arg !== "number" || (arg & ~(beginLine | beginText)) !== 0))
      return true;
  }
  return false;
}

/**
 * A match of `pattern` in `prefix` that every text starting with `prefix` also contains, or undefined
 * when there is none or it cannot tell (a JS-engine pattern, whose lookahead may read past the match).
 *
 * Why it is sure: a match at `[i, j)` depends only on the characters it consumes and, for each position
 * assertion inside it, on the characters next to that position and on whether it is the end. When
 * `j` is before the prefix's end, all of those are already written, so the same match is in every
 * extension. When `j` is the prefix's end, it holds only if the pattern asserts nothing about what
 * follows (no `$`, `\b`, `\B`). A prefix ending in the first half of a surrogate pair ends one unit early
 * here: the pair it starts is a different character once complete.
 */
export function certainMatch(
  pattern: CompiledPattern,
  prefix: string,
): { match: string; index: number } | undefined {
  const judged = prefixJudged.get(pattern);
  if (judged === undefined) return undefined;
  const found = pattern.find(prefix);
  if (found === undefined) return undefined;
  let stable = prefix.length;
  const last = prefix.charCodeAt(stable - 1);
  if (last >= 0xd800 && last <= 0xdbff) stable -= 1;
  const end = found.index + found.match.length;
  return end < stable || (end === stable && !judged.endSensitive) ? found : undefined;
}

/** Options of {@link jsPattern}. */
export interface JsPatternOptions {
  /** Most time one match may take, in ms; past it the rule fails with a timeout message. @default 100 */
  timeoutMs?: number;
}

/**
 * Opts one pattern in to the JS (backtracking) regex engine, for lookaround or backreferences the
 * linear-time engine refuses. Each match runs in a `node:vm` script with a timeout (function-timeout),
 * which interrupts even a catastrophic backtrack inside synchronous code; a plain timer could not, since
 * it never gets to run while the regex holds the thread. Past `timeoutMs` the match throws
 * {@link RegexTimeoutError} and its rule fails. Node only.
 *
 * @throws InvalidArgumentError when `regex` is not a RegExp or `timeoutMs` is not a positive finite number.
 * @example
 * matches("async-fn", jsPattern(/async fn (\w+)(?=\s*\()/, { timeoutMs: 50 }))
 */
export function jsPattern(regex: RegExp, options: JsPatternOptions = {}): CompiledPattern {
  if (!(regex instanceof RegExp)) {
    throw new InvalidArgumentError({
      parameter: "regex",
      value: regex,
      message: 'jsPattern: "regex" must be a RegExp.',
    });
  }
  const timeoutMs = options.timeoutMs ?? 100;
  if (
    typeof timeoutMs !== "number" ||
    !Number.isFinite(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > maxTimerMs
  ) {
    throw new InvalidArgumentError({
      parameter: "timeoutMs",
      value: timeoutMs,
      message: `jsPattern: option "timeoutMs" must be a finite number greater than 0 and at most ${maxTimerMs} (got ${String(timeoutMs)}).`,
    });
  }
  // A fresh non-global copy per match: `lastIndex` state would make repeated tests disagree.
  const flags = regex.flags.replace(/[gy]/g, "");
  const display = String(regex);
  const run = functionTimeout((text: string) => new RegExp(regex.source, flags).exec(text), {
    timeout: Math.ceil(timeoutMs),
  });
  const exec = (text: string): RegExpExecArray | null => {
    try {
      return run(text);
    } catch (error) {
      if (isTimeoutError(error)) throw new RegexTimeoutError(display, timeoutMs);
      throw error;
    }
  };
  return Object.freeze({
    [compiledMarker]: true,
    engine: "js" as const,
    display,
    test: (text: string) => exec(text) !== null,
    find: (text: string) => {
      const match = exec(text);
      return match === null ? undefined : { match: match[0], index: match.index };
    },
  });
}
