/**
 * The replay ladder: for each IFEval prompt, eight rungs — qwen2.5 0.5b → 1.5b → 3b → 7b → 14b → 32b →
 * gpt-4o → claude-3.5-sonnet — each a replayed model serving that model's recorded response, judged by the
 * IFEval rule pack (strict) through `escalateAcross`, with bounded concurrency. Exported for the demo and
 * for bench/cascade.
 */
import pLimit from "p-limit";
import {
  BlockedTaskError,
  ExhaustedError,
  escalateAcross,
  type FeedbackMode,
  type GenerateRequest,
  type LadderEntry,
  type Model,
  type RoutingPolicy,
  type Rubric,
  RungsEvents,
  type RunSummary,
  recordRun,
  type StatsStore,
  taskDirFromPath,
} from "../src/index.js";
import { ifevalRubric } from "../src/rubric/ifeval/index.js";
import { replayModel } from "../src/testing/index.js";
import type { Attempt } from "../src/trace.js";
import { dollars, priceOf, requestTokens, tokens } from "./cost.js";
import { type IfevalData, type IfevalPrompt, ladderModels, loadIfeval, taskClassOf } from "./data.js";

/** Options of {@link runReplayLadder}. */
export interface ReplayLadderOptions {
  /** Only the first `limit` prompts (file order). @default all 541 */
  limit?: number;
  /** These prompts instead (e.g. one cross-validation fold); `limit` is then ignored. */
  prompts?: readonly IfevalPrompt[];
  /** Prompts judged at once. @default 8 */
  concurrency?: number;
  /** A stats store: rungs learn per `taskClass`, and a task that exhausts the ladder is blocked next time. */
  store?: StatsStore;
  /** With a store: skip a rung whose learned accept rate is below this. @default 0.15, or off with `routing` */
  minAcceptRate?: number;
  /** With a store: samples before a rate can skip a rung. @default 4 */
  minSamples?: number;
  /** With a store: the engine's `exploreEvery`. @default never */
  exploreEvery?: number;
  /** With a store: the engine's routing policy, built from the rungs' model ids. @default none */
  routing?: (modelIds: readonly string[]) => RoutingPolicy;
  /** What the two frontier rungs are told of earlier failures. @default "full" */
  frontierFeedback?: FeedbackMode;
  /** Ladder models (by name) always passed over (`skip`, reason `disabled`): a static cut of the ladder. */
  without?: readonly string[];
  /** The rubric for a prompt. @default rubricOf */
  rubricFor?: (prompt: IfevalPrompt) => Rubric;
  /** Where `recordRun` writes the attempt records (one subdirectory per prompt). @default no records */
  recordDir?: string;
  /** Judge every model's response on every prompt too, for the single-model columns. @default true */
  singles?: boolean;
  /** Called after each prompt. */
  onProgress?: (done: number, total: number) => void;
  /** The data, when the caller already loaded it (bench/cascade reuses one load). @default loadIfeval() */
  data?: IfevalData;
}

/** What happened to one prompt. */
export interface PromptOutcome {
  key: number;
  taskClass: string;
  /** The model whose answer the rubric accepted; absent when the ladder was exhausted or the task blocked. */
  answeredBy?: string;
  /** Its 0-based rung. */
  rung?: number;
  /** The reference evaluator's verdict on that answer (false when there is no answer). */
  referenceAccepted: boolean;
  /** Model calls made (attempts). */
  calls: number;
  /** Rungs skipped (learned, or otherwise), with the engine's reasons. */
  skips: number;
  blocked: boolean;
  /** The attempts, for per-rung accounting. */
  attempts: readonly Pick<Attempt, "rung" | "modelId" | "accepted" | "usage">[];
}

/** One rung's line. */
export interface RungLine {
  model: string;
  calls: number;
  /** Prompts whose accepted answer came from this rung. */
  acceptedHere: number;
  /** Of those, the ones the reference also accepts. */
  correctHere: number;
  /** Prompts answered at this rung or below, over all prompts (0..1), rubric-judged and reference-judged. */
  cumulativeRubric: number;
  cumulativeReference: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** A single model's accuracy on the same prompts. */
export interface SingleLine {
  model: string;
  /** Prompts whose response the reference accepts (0..1). */
  reference: number;
  /** Prompts whose response the rubric accepts (0..1); absent with `singles: false`. */
  rubric?: number;
}

/** The whole result, written as JSON beside the run records. */
export interface ReplayLadderResult {
  prompts: number;
  models: string[];
  rungs: RungLine[];
  ladder: {
    /** Prompts with an accepted answer (0..1). */
    rubricAccuracy: number;
    /** Prompts whose accepted answer the reference also accepts (0..1): a false accept counts as wrong. */
    referenceAccuracy: number;
    /** Accepted by the rubric, rejected by the reference. */
    falseAccepts: number;
    exhausted: number;
    blocked: number;
    calls: number;
    callsPerPrompt: number;
    maxCallsPerPrompt: number;
    /** Calls to the top two rungs (gpt-4o, claude-3.5-sonnet). */
    topTwoCalls: number;
    skips: number;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
  };
  /** Always calling the top rung's model once per prompt. */
  topModel: { model: string; inputTokens: number; outputTokens: number; costUsd: number };
  singles: SingleLine[];
  outcomes: PromptOutcome[];
  /** The record summary, when `recordDir` was given. */
  records?: Pick<RunSummary, "dir" | "attempts" | "accepted" | "writeErrors">;
  durationMs: number;
}

/** A rung's model: replays `name`'s recorded response and reports its tokens (o200k_base) as usage. */
export function replayRung(name: string, data: IfevalData, prompts: readonly IfevalPrompt[]): Model {
  const recorded = data.responses.get(name);
  if (recorded === undefined) throw new Error(`No recorded responses for "${name}".`);
  // Keyed on the prompt and its key, not on feedback: a replayed rung serves the same recorded answer
  // whatever the earlier rungs got wrong (the demo says so; --live shows feedback for real).
  const inner = replayModel(
    prompts.map((p) => ({
      modelId: `replay:${name}`,
      request: requestOf(p),
      generation: { text: recorded.get(p.key) ?? "" },
    })),
    { match: { fields: ["messages"], metadata: ["key"] } },
  );
  return {
    id: inner.id,
    generate: async (request, options) => {
      const generation = await inner.generate(request, options);
      return {
        ...generation,
        // The demo always sends { messages } (never the { prompt } shorthand).
        usage: {
          inputTokens: requestTokens(request as GenerateRequest),
          outputTokens: tokens(generation.text),
        },
      };
    },
  };
}

/**
 * The request the ladder sends for a prompt: the prompt as the user turn, instruction kinds as taskClass,
 * and each instruction id as a task feature (for `costAwareRouting`).
 */
export function requestOf(prompt: IfevalPrompt, options: { taskId?: boolean } = {}): GenerateRequest {
  const metadata: NonNullable<GenerateRequest["metadata"]> = {
    taskClass: taskClassOf(prompt),
    taskFeatures: [...new Set(prompt.instruction_id_list)].sort(),
    key: prompt.key,
  };
  if (options.taskId === true) metadata.taskId = `ifeval-${prompt.key}`;
  return { messages: [{ role: "user", content: prompt.prompt }], metadata };
}

/** The rubric for one prompt: every instruction of the prompt, strict mode. */
export function rubricOf(prompt: IfevalPrompt): Rubric {
  return ifevalRubric(prompt, { mode: "strict" });
}

/**
 * Runs the replay ladder over the IFEval prompts and measures it: per rung, the ladder, single models, cost.
 * Deterministic without a store (replayed responses, rubric in code); with a store, the order prompts finish
 * in (bounded concurrency) decides when a rung's learned rate crosses `minAcceptRate`.
 */
export async function runReplayLadder(options: ReplayLadderOptions = {}): Promise<ReplayLadderResult> {
  const started = performance.now();
  const data = options.data ?? loadIfeval();
  const prompts =
    options.prompts ?? (options.limit === undefined ? data.prompts : data.prompts.slice(0, options.limit));
  const names = ladderModels.map((m) => m.name);
  const models = names.map((name) => replayRung(name, data, prompts));
  const frontier = options.frontierFeedback;
  const left = new Set(options.without ?? []);
  const rungs: LadderEntry[] = models.map((model, i) => {
    const feedback = frontier === undefined || i < models.length - 2 ? undefined : frontier;
    const skip = left.has(names[i]!) ? () => "left out of this ladder" : undefined;
    return feedback === undefined && skip === undefined
      ? model
      : {
          model,
          ...(feedback === undefined ? {} : { feedbackMode: feedback }),
          ...(skip === undefined ? {} : { skip }),
        };
  });
  const minAcceptRate = options.minAcceptRate ?? (options.routing === undefined ? 0.15 : undefined);
  const learning =
    options.store === undefined
      ? {}
      : {
          store: options.store,
          ...(minAcceptRate === undefined ? {} : { minAcceptRate }),
          minSamples: options.minSamples ?? 4,
          ...(options.exploreEvery === undefined ? {} : { exploreEvery: options.exploreEvery }),
          ...(options.routing === undefined ? {} : { routing: options.routing(models.map((m) => m.id)) }),
        };
  const rubricFor = options.rubricFor ?? rubricOf;
  const events = new RungsEvents();
  const recorder =
    options.recordDir === undefined
      ? undefined
      : recordRun(events, options.recordDir, { taskDir: taskDirFromPath });

  const limit = pLimit(options.concurrency ?? 8);
  let done = 0;
  const outcomes = await Promise.all(
    prompts.map((prompt) =>
      limit(async (): Promise<PromptOutcome> => {
        // One ladder per prompt: its rubric checks this prompt's instructions.
        const ladder = escalateAcross(rungs, {
          rubric: rubricFor(prompt),
          maxAttempts: rungs.length,
          ...learning,
        });
        const outcome = await climb(ladder, prompt, names, data, events, options.store !== undefined);
        done += 1;
        options.onProgress?.(done, prompts.length);
        return outcome;
      }),
    ),
  );
  const records = await recorder?.close();
  const result = measure(outcomes, names, data, prompts);
  result.singles = await judgeSingles(names, data, prompts, options.singles ?? true);
  if (records !== undefined) {
    result.records = {
      dir: records.dir,
      attempts: records.attempts,
      accepted: records.accepted,
      writeErrors: records.writeErrors,
    };
  }
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

async function climb(
  ladder: Model,
  prompt: IfevalPrompt,
  names: readonly string[],
  data: IfevalData,
  events: RungsEvents,
  withTaskId: boolean,
): Promise<PromptOutcome> {
  const base = { key: prompt.key, taskClass: taskClassOf(prompt) };
  const slim = (attempts: readonly Attempt[]) =>
    attempts.map(({ rung, modelId, accepted, usage }) => ({ rung, modelId, accepted, usage }));
  try {
    const answer = await ladder.generate(requestOf(prompt, { taskId: withTaskId }), {
      events,
      path: `ifeval[${prompt.key}]`,
    });
    const attempts = answer.trace?.attempts ?? [];
    const rung =
      attempts.find((a) => a.accepted)?.rung ?? names.indexOf(answer.modelId.replace(/^replay:/, ""));
    const name = names[rung] ?? answer.modelId;
    return {
      ...base,
      answeredBy: name,
      rung,
      referenceAccepted: data.reference.get(name)?.get(prompt.key) === true,
      calls: attempts.length,
      skips: answer.trace?.skips?.length ?? 0,
      blocked: false,
      attempts: slim(attempts),
    };
  } catch (error) {
    if (BlockedTaskError.isInstance(error)) {
      return { ...base, referenceAccepted: false, calls: 0, skips: 0, blocked: true, attempts: [] };
    }
    if (ExhaustedError.isInstance(error)) {
      return {
        ...base,
        referenceAccepted: false,
        calls: error.attempts.length,
        skips: 0,
        blocked: false,
        attempts: slim(error.attempts),
      };
    }
    throw error;
  }
}

function measure(
  outcomes: readonly PromptOutcome[],
  names: readonly string[],
  data: IfevalData,
  prompts: readonly IfevalPrompt[],
): ReplayLadderResult {
  const n = outcomes.length;
  const rungs: RungLine[] = names.map((model) => ({
    model,
    calls: 0,
    acceptedHere: 0,
    correctHere: 0,
    cumulativeRubric: 0,
    cumulativeReference: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  }));
  for (const outcome of outcomes) {
    for (const attempt of outcome.attempts) {
      const line = rungs[attempt.rung];
      if (line === undefined) continue;
      line.calls += 1;
      line.inputTokens += attempt.usage.inputTokens ?? 0;
      line.outputTokens += attempt.usage.outputTokens ?? 0;
    }
    if (outcome.rung !== undefined) {
      const line = rungs[outcome.rung];
      if (line !== undefined) {
        line.acceptedHere += 1;
        if (outcome.referenceAccepted) line.correctHere += 1;
      }
    }
  }
  let accepted = 0;
  let correct = 0;
  for (const line of rungs) {
    accepted += line.acceptedHere;
    correct += line.correctHere;
    line.cumulativeRubric = accepted / n;
    line.cumulativeReference = correct / n;
    line.costUsd = dollars(line, priceOf(line.model));
  }
  const calls = outcomes.reduce((sum, o) => sum + o.calls, 0);
  const top = names[names.length - 1]!;
  const topResponses = data.responses.get(top)!;
  const topModel = { model: top, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const prompt of prompts) {
    topModel.inputTokens += requestTokens(requestOf(prompt));
    topModel.outputTokens += tokens(topResponses.get(prompt.key) ?? "");
  }
  topModel.costUsd = dollars(topModel, priceOf(top));
  return {
    prompts: n,
    models: [...names],
    rungs,
    ladder: {
      rubricAccuracy: accepted / n,
      referenceAccuracy: correct / n,
      falseAccepts: accepted - correct,
      exhausted: outcomes.filter((o) => o.rung === undefined && !o.blocked).length,
      blocked: outcomes.filter((o) => o.blocked).length,
      calls,
      callsPerPrompt: calls / n,
      maxCallsPerPrompt: Math.max(0, ...outcomes.map((o) => o.calls)),
      topTwoCalls: rungs.slice(-2).reduce((sum, line) => sum + line.calls, 0),
      skips: outcomes.reduce((sum, o) => sum + o.skips, 0),
      inputTokens: rungs.reduce((sum, line) => sum + line.inputTokens, 0),
      outputTokens: rungs.reduce((sum, line) => sum + line.outputTokens, 0),
      costUsd: rungs.reduce((sum, line) => sum + line.costUsd, 0),
    },
    topModel,
    singles: [],
    outcomes: [...outcomes],
    durationMs: 0,
  };
}

/** Each model alone on the same prompts: the reference's accuracy, and (optionally) the rubric's. */
async function judgeSingles(
  names: readonly string[],
  data: IfevalData,
  prompts: readonly IfevalPrompt[],
  withRubric: boolean,
): Promise<SingleLine[]> {
  const rubrics = withRubric ? prompts.map(rubricOf) : [];
  const lines: SingleLine[] = [];
  for (const model of names) {
    const reference = data.reference.get(model);
    const responses = data.responses.get(model);
    const line: SingleLine = {
      model,
      reference: prompts.filter((p) => reference?.get(p.key) === true).length / prompts.length,
    };
    if (withRubric) {
      let accepted = 0;
      for (const [i, prompt] of prompts.entries()) {
        const verdict = await rubrics[i]!.evaluate(responses?.get(prompt.key) ?? "");
        if (verdict.accepted) accepted += 1;
      }
      line.rubric = accepted / prompts.length;
    }
    lines.push(line);
  }
  return lines;
}
