import { z } from "zod";

// The config is plain data (JSON or YAML): every schema here exports to JSON Schema, so no transforms and
// no custom checks; rules JSON Schema cannot say (cycles, unknown aliases) are checked in expand.ts.

const positiveInt = z.number().int().min(1);
/** A time limit in ms: a Node timer past 2³¹−1 ms fires at once, so a longer one is refused. */
const durationMs = z.number().positive().max(2_147_483_647);

/**
 * A model reference: `"<provider>:<model>"` (split at the first colon, e.g. `"ollama:qwen2.5:7b"`), or the
 * name of an entry in `models`.
 */
export const modelRefSchema = z
  .string()
  .min(1)
  .describe('A model reference "<provider>:<model>" (e.g. "ollama:qwen2.5:7b") or a name from `models`.');

/** Skips a rung when the request's metadata matches. */
export const skipConditionSchema = z
  .object({
    /** Matches when every key equals the request's metadata value (an array: any of its values). */
    metadata: z
      .record(
        z.string(),
        z.union([
          z.string(),
          z.number(),
          z.boolean(),
          z.array(z.union([z.string(), z.number(), z.boolean()])),
        ]),
      )
      .describe("Matches when every key equals the request's metadata value (an array: any of its values)."),
    /** Recorded with the skip. @default the condition, as JSON */
    reason: z.string().min(1).optional().describe("Recorded with the skip. Default: the condition, as JSON."),
  })
  .strict();

/** A rung's own settings. */
export const rungSettingsSchema = z
  .object({
    /** The rung's model: `"<provider>:<model>"` or a name from `models`. */
    model: modelRefSchema,
    /** Most attempts on this rung before climbing. @default 1 */
    maxAttempts: positiveInt.optional().describe("Most attempts on this rung before climbing. Default 1."),
    /** What this rung is told of earlier failures. @default "full" */
    feedbackMode: z
      .enum(["full", "brief", "none"])
      .optional()
      .describe('What this rung is told of earlier failures. Default "full".'),
    /** Most milliseconds one attempt on this rung may take. @default no limit */
    attemptTimeoutMs: durationMs
      .optional()
      .describe("Most milliseconds one attempt on this rung may take. Default: no limit."),
    /** Skip the rung when any condition matches the request's metadata. */
    skipIf: z
      .array(skipConditionSchema)
      .optional()
      .describe("Skip the rung when any condition matches the request's metadata."),
    /** Passed to the provider factory as its settings (e.g. host, temperature). */
    options: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Passed to the provider factory as its settings (e.g. host, temperature)."),
  })
  .strict();

/** A ladder entry: a model reference (one attempt, full feedback) or a rung with settings. */
export const rungEntrySchema = z.union([modelRefSchema, rungSettingsSchema]);

/** Per-model circuit breakers of a config (`breakers`). */
export const breakersSchema = z
  .object({
    /** Consecutive provider failures that open a breaker. @default 5 */
    failureThreshold: positiveInt.optional().describe("Consecutive provider failures that open. Default 5."),
    /** How long a breaker stays open, in ms. @default 30000 */
    openMs: durationMs.optional().describe("How long a breaker stays open. Default 30000."),
    /** How long a half-open probe may run, in ms. @default 60000 */
    probeTimeoutMs: durationMs.optional().describe("How long a half-open probe may run. Default 60000."),
  })
  .strict();

/** Learned ladders of a config (`learning`, needs `store`). */
export const learningSchema = z
  .object({
    /** Skip a rung whose accept rate on the task class is below this (0..1). */
    minAcceptRate: z
      .number()
      .min(0)
      .max(1)
      .describe("Skip a rung whose rate on the task class is below this."),
    /** Judged attempts needed before a rate counts. @default 5 */
    minSamples: positiveInt.optional().describe("Judged attempts needed before a rate counts. Default 5."),
    /** Let every n-th learned skip through. @default never */
    exploreEvery: positiveInt.optional().describe("Let every n-th learned skip through. Default never."),
  })
  .strict();

/** Tree-split of a config (`split`): a request over `chars` is answered through a map-reduce tree. */
export const splitSchema = z
  .object({
    /** Most characters of any one call's rendered prompt; a longer request (its `context`) is split. */
    chars: positiveInt.describe(
      "Most characters of any one call's rendered prompt; a longer request is split.",
    ),
    /** Most map or reduce calls in flight at once. @default 4 */
    concurrency: positiveInt.optional().describe("Most map or reduce calls in flight at once. Default 4."),
    /** Most reduce levels. @default 4 */
    maxDepth: positiveInt.optional().describe("Most reduce levels. Default 4."),
    /** A failed map or reduce call fails the whole call, or leaves a recorded gap. @default "fail" */
    onShardError: z
      .enum(["fail", "skip"])
      .optional()
      .describe(
        'A failed map or reduce call fails the whole call, or leaves a recorded gap. Default "fail".',
      ),
    /** Share of `chars` kept free in each request for feedback and continuations (0 to 0.9). @default 0.25 */
    reserve: z
      .number()
      .min(0)
      .max(0.9)
      .optional()
      .describe("Share of `chars` kept free in each request for feedback and continuations. Default 0.25."),
  })
  .strict();

/** The whole config: a `ladder`, or an `escalation` map with its `start`, plus the engine's options. */
export const ladderConfigSchema = z
  .object({
    /** The JSON Schema this file follows (for editors). */
    $schema: z.string().optional().describe("The JSON Schema this file follows (for editors)."),
    /** The ladder's model id. @default "ladder(<rungs>)" */
    id: z.string().min(1).optional().describe('The ladder\'s model id. Default "ladder(<rungs>)".'),
    /** Named rungs, referred to by name from `ladder`, `start` and `escalation`. */
    models: z
      .record(z.string(), rungEntrySchema)
      .optional()
      .describe("Named rungs, referred to by name from `ladder`, `start` and `escalation`."),
    /** The rungs, cheapest first. */
    ladder: z.array(rungEntrySchema).min(1).optional().describe("The rungs, cheapest first."),
    /** With `escalation`: the rung a task's first run uses. */
    start: modelRefSchema.optional().describe("With `escalation`: the rung a task's first run uses."),
    /** Which model a task moves to after it failed: `{ from: to }`. Expanded from `start`. */
    escalation: z
      .record(z.string(), modelRefSchema)
      .optional()
      .describe("Which model a task moves to after it failed: { from: to }. Expanded from `start`."),
    /** A rubric name from the registry the caller passes. */
    rubric: z.string().min(1).optional().describe("A rubric name from the registry the caller passes."),
    /** Most attempts in one run. @default 6 */
    maxAttempts: positiveInt.optional().describe("Most attempts in one run. Default 6."),
    /** Most characters earlier failures add to the prompt. @default 2000 */
    maxFeedbackChars: positiveInt
      .optional()
      .describe("Most characters earlier failures add to the prompt. Default 2000."),
    /** Attempts on one rung that may never end (a killed worker) before a task's next run climbs. @default 1 */
    maxUnfinishedAttempts: z
      .number()
      .int()
      .min(1)
      .max(8)
      .optional()
      .describe(
        "With a store: attempts on one rung that may never end (the worker died) before a task's next run starts above it, 1 to 8. Default 1.",
      ),
    /** When nothing is accepted: throw, or return the best judged answer. @default "throw" */
    onExhausted: z.enum(["throw", "best"]).optional().describe('When nothing is accepted. Default "throw".'),
    /** Per-model circuit breakers. @default none */
    breakers: breakersSchema.optional().describe("Per-model circuit breakers. Default none."),
    /** Path of a JSON stats file (relative to the config file). @default none */
    store: z
      .string()
      .min(1)
      .optional()
      .describe("Path of a JSON stats file (relative to the config file). Default none."),
    /** What a failed read of the store does: go on as if it knew nothing, or stop the run. @default "fail-open" */
    whenUnavailable: z
      .enum(["fail-open", "fail-closed"])
      .optional()
      .describe(
        'What a failed read of the store does: go on as if it knew nothing, or stop the run. Default "fail-open".',
      ),
    /** Most milliseconds one whole run may take, every attempt included. @default none */
    deadlineMs: z
      .number()
      .int()
      .positive()
      .max(2_147_483_647)
      .optional()
      .describe("Most milliseconds one whole run may take, every attempt included. Default: none."),
    /** Answer a request over `split.chars` through a map-reduce tree (treeSplit). @default off */
    split: splitSchema
      .optional()
      .describe("Answer a request over `split.chars` through a map-reduce tree. Default off."),
    /** Learned ladders (needs `store`). @default off */
    learning: learningSchema.optional().describe("Learned ladders (needs `store`). Default off."),
  })
  .strict();

/** A model reference: `"<provider>:<model>"` or the name of an entry in `models`. */
export type ModelRef = z.infer<typeof modelRefSchema>;
/** Skips a rung when the request's metadata matches. */
export type SkipCondition = z.infer<typeof skipConditionSchema>;
/** A rung's own settings: its model, attempts, feedback, time limit, skip conditions and provider options. */
export type RungSettings = z.infer<typeof rungSettingsSchema>;
/** A ladder entry: a model reference (one attempt, full feedback) or a rung with settings. */
export type RungEntryConfig = z.infer<typeof rungEntrySchema>;
/** Tree-split settings of a config. */
export type SplitConfig = z.infer<typeof splitSchema>;
/** A validated ladder config (see docs/config.md). */
export type LadderConfig = z.infer<typeof ladderConfigSchema>;

/**
 * The config's JSON Schema (draft 2020-12), for editors and other tools; also shipped as
 * `rungs/config.schema.json`.
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ladderConfigSchema, { target: "draft-2020-12", io: "input" }),
    title: "rungs ladder config",
  };
}
