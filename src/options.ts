import { z } from "zod";
import { InvalidArgumentError } from "./errors/invalid-argument-error.js";
import { redactValue } from "./redact.js";

/**
 * Validates `value` against `schema` once, at construction. On failure throws
 * {@link InvalidArgumentError} naming the option's path, what it accepts, and what it got.
 */
export function parseOptions<S extends z.ZodType>(fn: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const parameter = issue.path.map(String).join(".") || "options";
  // The refused value is kept for diagnostics, redacted: an unknown key may hold a secret (an `apiKey`
  // passed to the wrong function), and the error is printed whole by util.inspect. A secret-named option is
  // masked in the message too, whatever its type (a numeric key is still a key).
  // An unknown option's value is never kept, only its name: it may be a key under any name (`token`,
  // `bearer`, `X-Auth-Token`), and a name-based mask cannot know them all.
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys?: readonly string[] }).keys ?? [];
    throw new InvalidArgumentError({
      parameter,
      value: { unknownKeys: [...keys] },
      message: `${fn}: ${issue.message} in "${parameter}"; remove ${keys.length === 1 ? "it" : "them"} (values not shown).`,
    });
  }
  const secret = secretOption.test(parameter) || issue.path[0] === "headers";
  const got = secret ? "***" : redactValue(valueAt(value, issue.path));
  throw new InvalidArgumentError({
    parameter,
    value: got,
    message: `${fn}: option "${parameter}" ${issue.message} (got ${secret ? "***" : describe(got)}).`,
  });
}

/** Option names (or header names) that may hold a credential: their refused values are never shown. */
const secretOption =
  /key|secret|token|password|passwd|authori[sz]ation|bearer|cookie|credential|session|signature|\bsig\b|auth/i;

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}

/**
 * The longest delay a Node or browser timer keeps: 2³¹−1 ms (about 24.8 days). A longer one fires after
 * about 1 ms (with a TimeoutOverflowWarning), so every time limit rungs takes is refused past it.
 */
export const maxTimerMs = 2_147_483_647;

function timerLimitMessage(): string {
  return "must be at most 2147483647 ms (about 24.8 days, the longest timer Node keeps; a longer one would fire at once)";
}

/** Reusable option schemas with messages that say what is accepted. */
export const schemas = {
  /** A whole number ≥ 1 (attempt caps, concurrency). */
  positiveInt: z
    .number({ error: "must be a finite number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" }),
  /** A whole number ≥ 0 (continuation caps). */
  nonNegativeInt: z
    .number({ error: "must be a finite number" })
    .int({ error: "must be a whole number" })
    .min(0, { error: "must be 0 or more" }),
  /** A finite number > 0 (sizes in chars). */
  positiveNumber: z
    .number({ error: "must be a finite number" })
    .positive({ error: "must be greater than 0" }),
  /** A duration in ms: > 0 and at most {@link maxTimerMs} (a Node timer past it fires at once). */
  durationMs: z
    .number({ error: "must be a finite number" })
    .positive({ error: "must be greater than 0" })
    .max(2_147_483_647, { error: timerLimitMessage() }),
  /** A delay in ms: ≥ 0 and at most {@link maxTimerMs}. */
  delayMs: z
    .number({ error: "must be a finite number" })
    .min(0, { error: "must be 0 or more" })
    .max(2_147_483_647, { error: timerLimitMessage() }),
  /** A number in 0..1 (thresholds, rates). */
  unitInterval: z
    .number({ error: "must be a finite number" })
    .min(0, { error: "must be between 0 and 1" })
    .max(1, { error: "must be between 0 and 1" }),
  nonEmptyString: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }),
  /** `ModelCapabilities`: what a model can do beyond generate. */
  capabilities: z
    .object({
      continueAssistant: z.boolean({ error: "must be true or false" }).optional(),
      contextWindowTokens: z.number().int().min(1, { error: "must be at least 1" }).optional(),
    })
    .strict(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, { error: "must be an AbortSignal" }),
  fn: z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", {
    error: "must be a function",
  }),
};
