import { dirname, resolve } from "node:path";
import { CircuitBreakers, type CircuitBreakersOptions } from "../attempts/breaker-registry.js";
import type { LadderRung, RungSkipContext } from "../attempts/ladder.js";
import { Budget } from "../budget.js";
import type { Clock } from "../clock.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type { CallOptions, Model, StreamingModel } from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { type EscalateAcrossOptions, escalateAcross } from "../primitives/escalate-across.js";
import { type TreeSplitOptions, treeSplit } from "../primitives/tree-split.js";
import { jsonFileStatsStore } from "../record/json-file-stats-store.js";
import type { StatsStore } from "../record/stats-store.js";
import { redactText } from "../redact.js";
import type { Rubric } from "../rubric/types.js";
import { streamModel } from "../stream/stream-model.js";
import { custom, object, record, union } from "../validate/check.js";
import { closestKey } from "../validate/suggest.js";
import { ConfigError, type ConfigIssue } from "./config-error.js";
import { type ExpandedRung, expandLadder } from "./expand.js";
import { checkLadderConfig, readLadderConfigFile } from "./parse.js";
import type { LadderConfig, SkipCondition } from "./schema.js";

/**
 * Makes the model for one provider: `model` is the part after the provider's colon (`"qwen2.5:7b"` in
 * `"ollama:qwen2.5:7b"`), `settings` the rung's `options` from the config (`{}` when none). It may throw
 * to refuse bad settings; the error is reported as a config problem at the rung.
 */
export type ModelFactory = (model: string, settings: Readonly<Record<string, unknown>>) => Model;

/**
 * Makes the model for a whole reference (`"openai:gpt-4o"`), e.g. through the AI SDK's provider registry:
 * `(ref) => fromAiSdk(registry.languageModel(ref))`. Returns `undefined` for a reference it does not know.
 */
export type ModelResolver = (ref: string, settings: Readonly<Record<string, unknown>>) => Model | undefined;

/** Options of {@link ladderFromConfig}. */
export interface LadderFromConfigOptions {
  /** Model factories by provider name (`{ ollama: (model, s) => ollamaModel({ model, ...s }) }`), or a resolver. */
  providers: Readonly<Record<string, ModelFactory>> | ModelResolver;
  /** Rubrics the config's `rubric` may name. @default none: a config naming a rubric is refused */
  rubrics?: Readonly<Record<string, Rubric>>;
  /** Use this store instead of the config's `store` (e.g. a Redis store shared by workers). */
  store?: StatsStore;
  /** Share these breakers instead of making some from the config's `breakers`. */
  breakers?: CircuitBreakers;
  /** Where the config's relative `store` path is resolved. @default the config file's folder, else cwd */
  baseDir?: string;
  /** Time source for the engine. @default systemClock */
  clock?: Clock;
  /** The file the config came from, named in errors. */
  file?: string;
}

/** A model built from a config, with the ladder it expanded to. */
export interface ConfiguredLadder extends StreamingModel {
  /** The rungs, in order, with their settings and the id of the model each resolved to. */
  readonly rungs: readonly (ExpandedRung & {
    /** The id of the model the provider factory made for the rung. */
    modelId: string;
  })[];
  /** The validated config. */
  readonly config: LadderConfig;
  /** The stats store in use, when there is one. */
  readonly store: StatsStore | undefined;
}

// Options are checked like every other rungs options object (src/validate); zod checks the config itself.
const optionsSchema = object(
  {
    providers: union(
      [record(schemas.fn), schemas.fn],
      "must map provider names to model factories, or be a resolver (ref, settings) => Model",
    ),
    rubrics: record(
      custom<Rubric>(
        (v) => typeof v === "object" && v !== null && typeof (v as Rubric).evaluate === "function",
        "must be a Rubric",
      ),
    ).optional(),
    store: custom<StatsStore>((v) => typeof v === "object" && v !== null, "must be a StatsStore").optional(),
    breakers: custom<CircuitBreakers>(
      (v) => CircuitBreakers.isInstance(v),
      "must be a CircuitBreakers",
    ).optional(),
    baseDir: schemas.nonEmptyString.optional(),
    clock: schemas.clock.optional(),
    file: schemas.nonEmptyString.optional(),
  },
  { unknownKeys: "allow" },
);

const matches = (condition: SkipCondition, metadata: Readonly<Record<string, unknown>> | undefined) =>
  Object.entries(condition.metadata).every(([key, expected]) => {
    const actual = metadata?.[key];
    return Array.isArray(expected) ? expected.some((v) => v === actual) : expected === actual;
  });

function skipOf(rung: ExpandedRung): LadderRung["skip"] {
  if (rung.skipIf.length === 0) return undefined;
  return ({ request }: RungSkipContext) => {
    const hit = rung.skipIf.find((condition) => matches(condition, request.metadata));
    if (hit === undefined) return false;
    return hit.reason ?? `metadata matches ${JSON.stringify(hit.metadata)}`;
  };
}

/** The config's `rubric` when the schema refused the config elsewhere but the name is still readable. */
function rubricOf(config: unknown): string | undefined {
  if (typeof config !== "object" || config === null || !Object.hasOwn(config, "rubric")) return undefined;
  const name = (config as { rubric?: unknown }).rubric;
  return typeof name === "string" && name !== "" ? name : undefined;
}

function makeModel(
  rung: ExpandedRung,
  providers: LadderFromConfigOptions["providers"],
): { model: Model } | { issue: ConfigIssue } {
  const at = { path: rung.path, value: rung.ref };
  try {
    if (typeof providers === "function") {
      const model = providers(rung.ref, rung.options);
      return model === undefined
        ? { issue: { ...at, message: `the provider resolver knows no model "${rung.ref}"` } }
        : { model };
    }
    const factory = Object.hasOwn(providers, rung.provider) ? providers[rung.provider] : undefined;
    if (factory === undefined) {
      const known = Object.keys(providers);
      const issue: ConfigIssue = {
        ...at,
        message: `no provider "${rung.provider}" is configured (known: ${known.join(", ") || "none"})`,
      };
      const suggestion = closestKey(rung.provider, known);
      if (suggestion !== undefined) issue.suggestion = `${suggestion}:${rung.model}`;
      return { issue };
    }
    return { model: factory(rung.model, rung.options) };
  } catch (error) {
    const message = redactText(error instanceof Error ? error.message : String(error));
    return { issue: { ...at, message: `the "${rung.provider}" provider refused it: ${message}` } };
  }
}

/**
 * Builds a ladder (`escalateAcross`) from a config: a `ladder` of rungs, or an `escalation` map with a
 * `start` (docs/config.md). Rungs name models by reference, resolved through the `providers` the caller
 * passes; the rubric is looked up by name in `rubrics`. Everything is checked before any model is called.
 *
 * @param config A config object (parsed JSON or YAML); validated here.
 * @throws ConfigError listing every problem: a wrong shape (path, value, "did you mean"), a cycle in the
 *   escalation map, an unknown name, provider or rubric, a factory that refused its settings.
 * @example
 * const ladder = ladderFromConfig(
 *   { ladder: ["ollama:qwen2.5:7b", { model: "ollama:gpt-oss:120b", maxAttempts: 2 }], maxAttempts: 4 },
 *   { providers: { ollama: (model, settings) => ollamaModel({ model, ...settings }) } },
 * );
 */
export function ladderFromConfig(config: unknown, options: LadderFromConfigOptions): ConfiguredLadder {
  parseOptions("ladderFromConfig", optionsSchema, options);
  const { file } = options;
  // Every problem at once: the schema's, then the names, providers and rubric of what the schema let
  // through (a misspelt key must not hide an unknown provider until it is fixed).
  const checked = checkLadderConfig(config);
  const issues: ConfigIssue[] = [...checked.issues];
  let expanded: ExpandedRung[] = [];
  if (checked.config !== undefined) {
    try {
      expanded = expandLadder(checked.config, file);
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      issues.push(...error.issues);
    }
  }
  const built = new Map<string, Model>();
  const rungs: (ExpandedRung & { modelId: string })[] = [];
  const entries: LadderRung[] = [];
  for (const rung of expanded) {
    // A name used twice is one model (one breaker, one set of stats).
    let model = built.get(rung.name);
    if (model === undefined) {
      const made = makeModel(rung, options.providers);
      if ("issue" in made) {
        issues.push(made.issue);
        continue;
      }
      model = made.model;
      built.set(rung.name, model);
    }
    rungs.push({ ...rung, modelId: model.id });
    const entry: LadderRung = { model, maxAttempts: rung.maxAttempts, feedbackMode: rung.feedbackMode };
    const skip = skipOf(rung);
    if (skip !== undefined) entry.skip = skip;
    if (rung.attemptTimeoutMs !== undefined) {
      Object.assign(entry, { attemptTimeoutMs: rung.attemptTimeoutMs });
    }
    entries.push(entry);
  }
  let rubric: Rubric | undefined;
  const rubricName = checked.config?.rubric ?? rubricOf(config);
  if (rubricName !== undefined) {
    const known = Object.keys(options.rubrics ?? {});
    rubric = Object.hasOwn(options.rubrics ?? {}, rubricName) ? options.rubrics![rubricName] : undefined;
    if (rubric === undefined) {
      const issue: ConfigIssue = {
        path: "rubric",
        value: rubricName,
        message: `no rubric "${rubricName}" in the registry (known: ${known.join(", ") || "none"})`,
      };
      const suggestion = closestKey(rubricName, known);
      if (suggestion !== undefined) issue.suggestion = suggestion;
      issues.push(issue);
    }
  }
  if (issues.length > 0 || checked.config === undefined) throw new ConfigError(issues, file);
  const parsed = checked.config;

  const baseDir = options.baseDir ?? (file === undefined ? process.cwd() : dirname(file));
  const store =
    options.store ??
    (parsed.store === undefined ? undefined : jsonFileStatsStore(resolve(baseDir, parsed.store)));
  const engine: EscalateAcrossOptions = {};
  if (rubric !== undefined) engine.rubric = rubric;
  if (parsed.maxAttempts !== undefined) engine.maxAttempts = parsed.maxAttempts;
  if (parsed.maxFeedbackChars !== undefined) engine.maxFeedbackChars = parsed.maxFeedbackChars;
  if (parsed.maxUnfinishedAttempts !== undefined) engine.maxUnfinishedAttempts = parsed.maxUnfinishedAttempts;
  if (parsed.onExhausted !== undefined) engine.onExhausted = parsed.onExhausted;
  const breakers =
    options.breakers ??
    (parsed.breakers === undefined
      ? undefined
      : new CircuitBreakers({
          ...(parsed.breakers as CircuitBreakersOptions),
          ...(options.clock === undefined ? {} : { clock: options.clock }),
        }));
  if (breakers !== undefined) engine.breakers = breakers;
  if (store !== undefined) engine.store = store;
  if (parsed.learning !== undefined) {
    engine.minAcceptRate = parsed.learning.minAcceptRate;
    if (parsed.learning.minSamples !== undefined) engine.minSamples = parsed.learning.minSamples;
    if (parsed.learning.exploreEvery !== undefined) engine.exploreEvery = parsed.learning.exploreEvery;
  }
  if (options.clock !== undefined) engine.clock = options.clock;
  if (parsed.id !== undefined) engine.id = parsed.id;
  if (parsed.whenUnavailable !== undefined) engine.whenUnavailable = parsed.whenUnavailable;
  let model: Model;
  try {
    model = escalateAcross(entries, engine);
  } catch (error) {
    // The engine's own checks (e.g. a rung setting this version of the engine does not know) are config
    // problems too: name the rung as the config does.
    if (!InvalidArgumentError.isInstance(error)) throw error;
    const rung = /^ladder\.(\d+)/.exec(error.parameter)?.[1];
    const path = rung === undefined ? error.parameter : (rungs[Number(rung)]?.path ?? error.parameter);
    throw new ConfigError(
      [{ path, value: error.value, message: `the engine refused it: ${error.message}` }],
      file,
    );
  }
  let outer: Model = model;
  if (parsed.split !== undefined) {
    const { chars, ...split } = parsed.split;
    outer = treeSplit(model, { promptLimit: { chars }, ...(split as Omit<TreeSplitOptions, "promptLimit">) });
  }
  const { deadlineMs } = parsed;
  const clock = options.clock;
  // The whole-run deadline: a Budget per run, unless the caller brings one (its limits then govern).
  const withDeadline = <O extends CallOptions>(callOptions: O | undefined): O | undefined =>
    deadlineMs === undefined || callOptions?.budget !== undefined
      ? callOptions
      : ({
          ...callOptions,
          budget: new Budget({ deadlineMs, ...(clock === undefined ? {} : { clock }) }),
        } as O);
  return {
    id: model.id,
    generate: (request, callOptions) => outer.generate(request, withDeadline(callOptions)),
    stream: (request, streamOptions) => streamModel(outer, request, withDeadline(streamOptions)),
    rungs,
    config: parsed,
    store,
  };
}

/**
 * Reads a config file (`.json`, else YAML) and builds its ladder; a relative `store` path is resolved
 * against the file's folder.
 * @throws ConfigError as {@link loadLadderConfig} and {@link ladderFromConfig} do.
 */
export async function loadLadder(
  path: string,
  options: Omit<LadderFromConfigOptions, "file">,
): Promise<ConfiguredLadder> {
  // Validated by ladderFromConfig, so a key typo and an unknown provider are reported together.
  const config = await readLadderConfigFile(path);
  return ladderFromConfig(config, { ...options, file: path });
}
