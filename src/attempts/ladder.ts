import type { GenerateRequest, Model } from "../model.js";
import { schemas } from "../options.js";
import type { Attempt } from "../trace.js";
import { type Check, checkWith, custom, object, oneOf } from "../validate/check.js";

/**
 * How much of the earlier failures a rung is shown:
 * - `"full"`: each failure's kind, message, violated rules with their messages, and the start of the output;
 * - `"brief"`: the same without the output excerpt (cheaper for a strong rung that needs no reminder);
 * - `"none"`: no feedback at all (a fresh start, e.g. for a rung that should not be anchored on bad drafts).
 */
export type FeedbackMode = "full" | "brief" | "none";

/** What a rung's `skip` function sees. */
export interface RungSkipContext {
  /** The caller's request (without the engine's feedback). */
  request: GenerateRequest;
  /** 0-based ladder position. */
  rung: number;
  modelId: string;
  /** Attempts made so far in this run. */
  attempts: readonly Attempt[];
}

/** One rung of a ladder: a model with its own attempt allowance and feedback mode. */
export interface LadderRung {
  model: Model;
  /** Most attempts on this rung before climbing. @default 1 */
  maxAttempts?: number;
  /** What this rung is told of earlier failures. @default "full" */
  feedbackMode?: FeedbackMode;
  /** Most ms one attempt on this rung may take (see the engine's `attemptTimeoutMs`). @default the engine's */
  attemptTimeoutMs?: number;
  /**
   * Return a reason (a non-empty string) to skip this rung for a request, `false` to try it. The skip is
   * recorded (`reason: "disabled"`, `detail`: the string). A function that throws fails the run.
   */
  skip?: (context: RungSkipContext) => false | string;
}

/** A ladder entry: a bare model (one attempt, full feedback) or a {@link LadderRung}. */
export type LadderEntry = Model | LadderRung;

/** A ladder entry with every default filled in. @internal */
export interface NormalizedRung {
  index: number;
  model: Model;
  maxAttempts: number;
  feedbackMode: FeedbackMode;
  skip: ((context: RungSkipContext) => false | string) | undefined;
  /** The rung's own attempt time limit, when it has one. */
  attemptTimeoutMs: number | undefined;
}

const isModel = (value: unknown): value is Model =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Model).id === "string" &&
  (value as Model).id.length > 0 &&
  typeof (value as Model).generate === "function";

export const modelSchema = custom<Model>(
  isModel,
  "must be a Model ({ id: non-empty string, generate(request, options) })",
);

export const feedbackModeSchema = oneOf<FeedbackMode>(["full", "brief", "none"]);

const rungSchema = object({
  model: modelSchema,
  maxAttempts: schemas.positiveInt.optional(),
  feedbackMode: feedbackModeSchema.optional(),
  skip: schemas.fn.optional(),
  attemptTimeoutMs: schemas.durationMs.optional(),
});

/**
 * A ladder entry: a model, or a rung object. An object with a `model` key is checked as a rung, so a bad
 * `attempts` is reported as `ladder.2.attempts` rather than as "not a model".
 */
export const ladderEntrySchema: Check<LadderEntry> = checkWith<LadderEntry>((value) => {
  if (isModel(value)) return undefined;
  if (typeof value === "object" && value !== null && "model" in value) return rungSchema.problem(value);
  return {
    path: [],
    message: "must be a Model or { model, maxAttempts?, feedbackMode?, skip?, attemptTimeoutMs? }",
  };
});

/** Fills a validated entry's defaults: `maxAttempts` 1, `feedbackMode` `"full"`. @internal */
export function normalizeRung(entry: LadderEntry, index: number): NormalizedRung {
  if (isModel(entry)) {
    return {
      index,
      model: entry,
      maxAttempts: 1,
      feedbackMode: "full",
      skip: undefined,
      attemptTimeoutMs: undefined,
    };
  }
  return {
    index,
    model: entry.model,
    maxAttempts: entry.maxAttempts ?? 1,
    feedbackMode: entry.feedbackMode ?? "full",
    skip: entry.skip,
    attemptTimeoutMs: entry.attemptTimeoutMs,
  };
}
