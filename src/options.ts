import type { Clock } from "./clock.js";
import { InvalidArgumentError } from "./errors/invalid-argument-error.js";
import { redactValue } from "./redact.js";
import { describeValue } from "./text/describe.js";
import {
  array,
  type Check,
  custom,
  number,
  object,
  oneOf,
  type PathSegment,
  string,
  boolean as trueOrFalse,
} from "./validate/check.js";
import { closestKey } from "./validate/suggest.js";

/**
 * Validates `value` against `check` once, at construction, and returns it. On failure throws
 * {@link InvalidArgumentError} naming the option's path, what it accepts, and what it got; a key the options
 * do not take is named with the closest one it may have meant ("did you mean") and the keys accepted.
 */
export function parseOptions<T>(fn: string, check: Check<T>, value: unknown): T {
  const problem = check.problem(value);
  if (problem === undefined) return value as T;
  const parameter = problem.path.map(String).join(".") || "options";
  // The refused value is kept for diagnostics, redacted: an unknown key may hold a secret (an `apiKey`
  // passed to the wrong function), and the error is printed whole by util.inspect. A secret-named option is
  // masked in the message too, whatever its type (a numeric key is still a key).
  const secret = secretOption.test(parameter) || problem.path[0] === "headers";
  const got = secret ? "***" : redactValue(valueAt(value, problem.path));
  // An unknown option's value is never kept, only its name: it may be a key under any name (`token`,
  // `bearer`, `X-Auth-Token`), and a name-based mask cannot know them all.
  if (problem.unknownKey !== undefined) {
    const key = String(problem.path.at(-1));
    const parent = problem.path.slice(0, -1).map(String);
    const near = closestKey(key, problem.unknownKey.known);
    const meant = near === undefined ? "" : ` Did you mean "${[...parent, near].join(".")}"?`;
    const where = parent.length === 0 ? fn : `${fn} "${parent.join(".")}"`;
    throw new InvalidArgumentError({
      parameter,
      value: { unknownKeys: [key] },
      message: `${fn}: unknown option "${parameter}".${meant} ${where} takes ${problem.unknownKey.known.join(", ")}.`,
    });
  }
  if (problem.path.length === 0 && !(typeof value === "object" && value !== null)) {
    throw new InvalidArgumentError({
      parameter,
      value: got,
      message: `${fn}: options ${problem.message} (got ${describeValue(got)}).`,
    });
  }
  const message = problem.missing
    ? `${fn}: option "${parameter}" is missing; it ${problem.message}.`
    : `${fn}: option "${parameter}" ${problem.message} (got ${secret ? "***" : describeValue(got)}).`;
  throw new InvalidArgumentError({ parameter, value: got, message });
}

/** Option names (or header names) that may hold a credential: their refused values are never shown. */
const secretOption =
  /key|secret|token|password|passwd|authori[sz]ation|bearer|cookie|credential|session|signature|\bsig\b|auth/i;

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

const isClock = (v: unknown) => typeof v === "object" && v !== null && "now" in v;

/**
 * The longest delay a Node or browser timer keeps: 2³¹−1 ms (about 24.8 days). A longer one fires after
 * about 1 ms (with a TimeoutOverflowWarning), so every time limit rungs takes is refused past it.
 */
export const maxTimerMs = 2_147_483_647;

const timerLimit =
  "at most 2147483647 ms (about 24.8 days, the longest timer Node keeps; a longer one would fire at once)";

/** Reusable option checks with messages that say what is accepted. */
export const schemas = {
  /** A whole number ≥ 1 (attempt caps, concurrency). */
  positiveInt: number({ int: true, min: 1 }),
  /** A whole number ≥ 0 (continuation caps). */
  nonNegativeInt: number({ int: true, min: 0 }),
  /** A finite number > 0 (sizes in chars). */
  positiveNumber: number({ greaterThan: 0 }),
  /** A finite number ≥ 0 (weights). */
  nonNegativeNumber: number({ min: 0 }),
  /** A duration in ms: > 0 and at most {@link maxTimerMs} (a Node timer past it fires at once). */
  durationMs: number({
    greaterThan: 0,
    max: maxTimerMs,
    rangeMessage: `must be greater than 0 and ${timerLimit}`,
  }),
  /** A delay in ms: ≥ 0 and at most {@link maxTimerMs}. */
  delayMs: number({ min: 0, max: maxTimerMs, rangeMessage: `must be 0 or more and ${timerLimit}` }),
  /** A number in 0..1 (thresholds, rates). */
  unitInterval: number({ min: 0, max: 1, rangeMessage: "must be between 0 and 1" }),
  nonEmptyString: string({ nonEmpty: true }),
  /** `ModelCapabilities`: what a model can do beyond generate. */
  capabilities: object({
    continueAssistant: trueOrFalse().optional(),
    contextWindowTokens: number({ int: true, min: 1 }).optional(),
    inputParts: array(oneOf(["image", "file"])).optional(),
  }),
  signal: custom<AbortSignal>((v) => v instanceof AbortSignal, "must be an AbortSignal"),
  fn: custom<(...args: never[]) => unknown>((v) => typeof v === "function", "must be a function"),
  /** A `Clock` (an object with `now()`; sleeps need `setTimeout` too, see `timerClock`). */
  clock: custom<Clock>(isClock, "must be a Clock (an object with now())"),
  /** A `Clock` that can also schedule (`now` and `setTimeout`). */
  timerClock: custom<Clock>(
    (v) => isClock(v) && "setTimeout" in (v as object),
    "must be a Clock (an object with now() and setTimeout())",
  ),
};
