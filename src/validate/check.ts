/**
 * Option checks: a small declarative validator for options objects, with messages in rungs' own words.
 *
 * Why not zod here: importing zod costs about 60 ms of CPU, three quarters of `import("rungs")`, to check a
 * handful of flat options objects whose every message rungs overrides anyway. These checks are plain
 * functions (nothing compiled at import), accept exactly what the former zod schemas accepted, and report
 * the first problem with its path; `parseOptions` (options.ts) turns it into an `InvalidArgumentError`.
 */

export type PathSegment = string | number;

/** The first thing wrong with a value, at `path` relative to the value checked. */
export interface Problem {
  path: PathSegment[];
  /** What the value at `path` must be, e.g. "must be at least 1". */
  message: string;
  /** A required key that is absent. */
  missing?: boolean;
  /** A key the object does not take; `known` lists the keys it does (for "did you mean"). */
  unknownKey?: { known: readonly string[] };
}

/** A check of values of type `T`. */
export interface Check<T> {
  /** True when `undefined` is accepted (an optional key may then be absent). */
  readonly isOptional: boolean;
  /** The first problem with `value`, or `undefined` when it is accepted. */
  problem(value: unknown): Problem | undefined;
  /** This check, also accepting `undefined`. */
  optional(): OptionalCheck<T>;
  /** Type only: what a value that passed is. */
  readonly __output?: T;
}

/** A check that accepts `undefined`. */
export interface OptionalCheck<T> extends Check<T | undefined> {
  readonly isOptional: true;
}

/** What a check accepts. */
export type Output<C> = C extends Check<infer T> ? T : never;

type Shape = Readonly<Record<string, Check<unknown>>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalCheck<unknown> ? K : never;
}[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] } & {};
/** What an object check with shape `S` accepts. */
export type ShapeOutput<S extends Shape> = Flatten<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Output<S[K]> } & {
    [K in OptionalKeys<S>]?: Output<S[K]>;
  }
>;

const at = (message: string): Problem => ({ path: [], message });

function within(segment: PathSegment, problem: Problem): Problem {
  problem.path.unshift(segment);
  return problem;
}

/** A check from a function returning the first problem (with its path) or undefined. */
export function checkWith<T>(problem: (value: unknown) => Problem | undefined): Check<T> {
  const check: Check<T> = {
    isOptional: false,
    problem,
    optional: () => ({
      isOptional: true,
      problem: (value) => (value === undefined ? undefined : problem(value)),
      optional() {
        return this;
      },
    }),
  };
  return check;
}

/** Any value passing `test`; otherwise `message` (e.g. "must be a Clock"). */
export function custom<T>(test: (value: unknown) => boolean, message: string): Check<T> {
  return checkWith<T>((value) => (test(value) ? undefined : at(message)));
}

/** Any value at all. */
export function unknown(): Check<unknown> {
  return checkWith<unknown>(() => undefined);
}

export interface NumberRule {
  /** A whole number. */
  int?: boolean;
  min?: number;
  max?: number;
  /** Strictly greater than this. */
  greaterThan?: number;
  /** Replaces the range message (e.g. "must be −2, −1 or more"). */
  rangeMessage?: string;
}

/** A finite number within the rule; messages: "must be a finite number", "must be a whole number", the range. */
export function number(rule: NumberRule = {}): Check<number> {
  const { int = false, min, max, greaterThan, rangeMessage } = rule;
  // With both bounds the message names both ("must be at least 1 and at most 100").
  const lower =
    greaterThan !== undefined
      ? `greater than ${greaterThan}`
      : min === 0 && max === undefined
        ? "0 or more"
        : `at least ${min}`;
  const range =
    rangeMessage ??
    (min === undefined && greaterThan === undefined
      ? `must be at most ${max}`
      : max === undefined
        ? `must be ${lower}`
        : `must be ${lower} and at most ${max}`);
  return checkWith<number>((value) => {
    if (typeof value !== "number" || !Number.isFinite(value)) return at("must be a finite number");
    if (int && !Number.isInteger(value)) return at("must be a whole number");
    // Past 2^53 a count no longer counts (n + 1 === n): a huge "count" is refused like a fraction.
    if (int && !Number.isSafeInteger(value)) return at("must be a whole number of at most 9007199254740991");
    if (
      (min !== undefined && value < min) ||
      (greaterThan !== undefined && value <= greaterThan) ||
      (max !== undefined && value > max)
    ) {
      return at(range);
    }
    return undefined;
  });
}

export interface StringRule {
  nonEmpty?: boolean;
  maxLength?: number;
  /** Replaces "must be a string". */
  message?: string;
}

/** A string; optionally non-empty or at most `maxLength` characters. */
export function string(rule: StringRule = {}): Check<string> {
  return checkWith<string>((value) => {
    if (typeof value !== "string")
      return at(rule.message ?? (rule.nonEmpty ? "must be a non-empty string" : "must be a string"));
    if (rule.nonEmpty && value.length === 0) return at("must not be empty");
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
      return at(`must be at most ${rule.maxLength} characters`);
    }
    return undefined;
  });
}

/** `true` or `false`. */
export function boolean(): Check<boolean> {
  return checkWith<boolean>((value) =>
    typeof value === "boolean" ? undefined : at("must be true or false"),
  );
}

/** Exactly `expected`. */
export function literal<const T extends string | number | boolean>(expected: T): Check<T> {
  return checkWith<T>((value) =>
    value === expected ? undefined : at(`must be ${JSON.stringify(expected)}`),
  );
}

/** `"a" or "b"`, `"a", "b" or "c"`. */
export function orList(values: readonly unknown[]): string {
  const shown = values.map((v) => JSON.stringify(v));
  return shown.length <= 1 ? (shown[0] ?? "") : `${shown.slice(0, -1).join(", ")} or ${shown.at(-1)}`;
}

/** One of `values`; message: `must be "a", "b" or "c"`. */
export function oneOf<const T extends string>(values: readonly T[]): Check<T> {
  const message = `must be ${orList(values)}`;
  return checkWith<T>((value) => (values.includes(value as T) ? undefined : at(message)));
}

/**
 * Accepts what any of `checks` accepts. When none does: the problem of the one alternative the value was
 * plainly meant for (it has that alternative's keys and fails deeper down, e.g. `budget.chars`), else
 * `message`.
 */
export function union<C extends readonly Check<unknown>[]>(
  checks: C,
  message: string,
): Check<Output<C[number]>> {
  return checkWith<Output<C[number]>>((value) => {
    const deeper: Problem[] = [];
    for (const check of checks) {
      const problem = check.problem(value);
      if (problem === undefined) return undefined;
      if (problem.path.length > 0 && problem.unknownKey === undefined && !problem.missing)
        deeper.push(problem);
    }
    return deeper.length === 1 ? deeper[0] : at(message);
  });
}

export interface ArrayRule {
  /** Fewest items. */
  min?: number;
  /** When the value is not an array. @default "must be an array" */
  message?: string;
  /** When there are fewer than `min` items. */
  minMessage?: string;
}

/** An array whose every item passes `item` (the first bad item is reported as `<index>`). */
export function array<T>(item: Check<T>, rule: ArrayRule = {}): Check<T[]> {
  return checkWith<T[]>((value) => {
    if (!Array.isArray(value)) return at(rule.message ?? "must be an array");
    if (rule.min !== undefined && value.length < rule.min) {
      return at(rule.minMessage ?? `must hold at least ${rule.min} item${rule.min === 1 ? "" : "s"}`);
    }
    for (let i = 0; i < value.length; i += 1) {
      const problem = item.problem(value[i]);
      if (problem !== undefined) return within(i, problem);
    }
    return undefined;
  });
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** An object whose every own value passes `item` (a bad one is reported under its key). */
export function record<T>(item: Check<T>, message = "must be an object"): Check<Record<string, T>> {
  return checkWith<Record<string, T>>((value) => {
    if (!isPlainObject(value)) return at(message);
    for (const key of Object.keys(value)) {
      const problem = item.problem(value[key]);
      if (problem !== undefined) return within(key, problem);
    }
    return undefined;
  });
}

export interface ObjectRule<S extends Shape> {
  /** `"reject"` keys outside the shape (reported with the known keys), or `"allow"` them. @default "reject" */
  unknownKeys?: "reject" | "allow";
  /** When the value is not an object. @default "must be an object" */
  message?: string;
  /** Checks across keys, run once every key passed; each returns a problem or undefined. */
  refine?: readonly ((value: ShapeOutput<S>) => Problem | undefined)[];
}

/**
 * An object with the keys of `shape`. Unknown keys are reported first (a misspelt key usually explains a
 * missing one), then each key in shape order, then the `refine` checks.
 */
export function object<S extends Shape>(shape: S, rule: ObjectRule<S> = {}): Check<ShapeOutput<S>> {
  const keys = Object.keys(shape);
  const known = new Set(keys);
  const reject = (rule.unknownKeys ?? "reject") === "reject";
  return checkWith<ShapeOutput<S>>((value) => {
    if (!isPlainObject(value)) return at(rule.message ?? "must be an object");
    if (reject) {
      for (const key of Object.keys(value)) {
        if (!known.has(key)) return { path: [key], message: "is not an option", unknownKey: { known: keys } };
      }
    }
    for (const key of keys) {
      const check = shape[key] as Check<unknown>;
      const item = value[key];
      const problem = check.problem(item);
      if (problem !== undefined) {
        if (item === undefined) problem.missing = true;
        return within(key, problem);
      }
    }
    for (const refine of rule.refine ?? []) {
      const problem = refine(value as ShapeOutput<S>);
      if (problem !== undefined) return problem;
    }
    return undefined;
  });
}
