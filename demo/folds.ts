/**
 * Cross-validated learned ladders: k folds of the IFEval prompts (fixed seed, stratified by task class, i.e.
 * the prompt's instruction kinds), each policy learning on k − 1 folds and running the ladder on the held-out
 * one with what it learned (the store frozen), summed over the folds. Used by `npm run demo -- --learn
 * --folds 5` and `npm run bench -- routing`; the figures are out of sample: no prompt is judged with stats
 * that counted it.
 */
import type { Rubric, StatsStore, Verdict } from "../src/index.js";
import { costAwareRouting, type FeedbackMode, memoryStatsStore, type RoutingPolicy } from "../src/index.js";
import { dollars, priceOf, requestTokens, tokens } from "./cost.js";
import { type IfevalData, type IfevalPrompt, ladderModels, taskClassOf } from "./data.js";
import { type ReplayLadderResult, requestOf, rubricOf, runReplayLadder } from "./ladder.js";

/** How a policy learns and routes; built afresh for each fold from that fold's training prompts. */
export interface LadderPolicy {
  name: string;
  /** Whether it learns (a stats store); a policy that does not runs the held-out folds only. */
  learns: boolean;
  /** The engine options it adds, given the fold's training prompts. */
  options?: (fold: TrainingFold) => PolicyOptions | Promise<PolicyOptions>;
}

/** What a policy may look at to set itself up: the training prompts only. */
export interface TrainingFold {
  train: readonly IfevalPrompt[];
  data: IfevalData;
  /** The plain ladder (no learning) run on the training prompts, once per fold. */
  plainRun(): Promise<ReplayLadderResult>;
}

/** Engine settings a policy may set (see runReplayLadder). */
export interface PolicyOptions {
  without?: readonly string[];
  minAcceptRate?: number;
  minSamples?: number;
  exploreEvery?: number;
  routing?: (modelIds: readonly string[]) => RoutingPolicy;
}

/** One policy's figures, summed over the held-out folds, with the per-fold spread. */
export interface PolicyResult {
  name: string;
  /** Whether the policy learned (a static ladder does not). */
  learns: boolean;
  prompts: number;
  /** Reference-judged accuracy over all held-out prompts (0..1). */
  referenceAccuracy: number;
  costUsd: number;
  /** Always calling the top rung on the same prompts. */
  topCostUsd: number;
  calls: number;
  /** Calls to the frontier rungs (gpt-4o, claude-3.5-sonnet). */
  frontierCalls: number;
  /** Per held-out fold: reference accuracy and cost share of always-top. */
  folds: { referenceAccuracy: number; costShare: number }[];
}

/** A small seeded PRNG (mulberry32): the folds are the same on every machine and run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * k folds, stratified by task class: prompts are grouped by class (sorted), shuffled within it with the
 * seeded PRNG, and dealt round-robin, so each fold gets its share of every class and sizes differ by at
 * most one.
 */
export function stratifiedFolds(prompts: readonly IfevalPrompt[], k: number, seed: number): IfevalPrompt[][] {
  const next = random(seed);
  const byClass = new Map<string, IfevalPrompt[]>();
  for (const prompt of prompts) {
    const key = taskClassOf(prompt);
    const list = byClass.get(key) ?? [];
    list.push(prompt);
    byClass.set(key, list);
  }
  const folds: IfevalPrompt[][] = Array.from({ length: k }, () => []);
  let dealt = 0;
  for (const key of [...byClass.keys()].sort()) {
    const group = [...byClass.get(key)!];
    for (let i = group.length - 1; i > 0; i -= 1) {
      const j = Math.floor(next() * (i + 1));
      [group[i], group[j]] = [group[j]!, group[i]!];
    }
    for (const prompt of group) {
      folds[dealt % k]!.push(prompt);
      dealt += 1;
    }
  }
  return folds;
}

/** The store as the held-out fold sees it: what training learned, read-only (no counts, no task state). */
function frozen(store: StatsStore): StatsStore {
  return {
    record: () => {},
    stats: (taskClass, modelId) => store.stats(taskClass, modelId),
    block: () => {},
    blockedAt: (taskId) => store.blockedAt(taskId),
    unblock: () => false,
    recordTaskFailure: () => {},
    getTaskState: (taskId) => store.getTaskState(taskId),
    resetTask: () => {},
  };
}

/** A rubric that judges each distinct output once: the rule pack is deterministic, and folds reuse answers. */
function memoRubric(rubric: Rubric): Rubric {
  const seen = new Map<string, Promise<Verdict>>();
  return {
    id: rubric.id,
    rules: rubric.rules,
    threshold: rubric.threshold,
    evaluate(output, ctx) {
      let verdict = seen.get(output);
      if (verdict === undefined) {
        verdict = rubric.evaluate(output, ctx);
        seen.set(output, verdict);
      }
      return verdict;
    },
  };
}

/**
 * What one call to each rung cost on average when the plain ladder ran the training prompts (its tokens,
 * feedback included, at demo/cost.ts prices), in USD by model id: the bill a caller would have seen. A rung
 * the plain ladder never reached is priced as one call on the bare prompt, averaged over those prompts.
 */
export function measuredCallPrices(run: ReplayLadderResult, fold: TrainingFold): Record<string, number> {
  const prices: Record<string, number> = {};
  for (const [i, { name }] of ladderModels.entries()) {
    const line = run.rungs[i];
    if (line !== undefined && line.calls > 0) {
      prices[`replay:${name}`] = line.costUsd / line.calls;
      continue;
    }
    const responses = fold.data.responses.get(name)!;
    let total = 0;
    for (const prompt of fold.train) {
      const usage = {
        inputTokens: requestTokens(requestOf(prompt)),
        outputTokens: tokens(responses.get(prompt.key) ?? ""),
      };
      total += dollars(usage, priceOf(name));
    }
    prices[`replay:${name}`] = fold.train.length === 0 ? 0 : total / fold.train.length;
  }
  return prices;
}

/** No learning: the plain ladder. */
export const plainPolicy: LadderPolicy = { name: "no learning (the plain ladder)", learns: false };

/** No learning, with ladder models left out: a static cut, for reference. */
export function withoutPolicy(models: readonly string[]): LadderPolicy {
  return {
    name: `no learning, ${models.join(" and ")} left out (static)`,
    learns: false,
    options: () => ({ without: models }),
  };
}

/** The demo's learned ladder as it was: skip a rung whose rate on the exact task class is below 15 %. */
export const minAcceptRatePolicy: LadderPolicy = {
  name: "minAcceptRate 0.15 (task class)",
  learns: true,
  options: () => ({ minAcceptRate: 0.15, minSamples: 4 }),
};

/** `costAwareRouting` at `value` USD per accepted answer, prices from the training prompts. */
export function costAwarePolicy(
  value: number,
  settings: {
    features?: { taskFeatures?: boolean; violatedRules?: boolean };
    prior?: number;
    exploreEvery?: number;
  } = {},
  label = "",
): LadderPolicy {
  return {
    name: `costAwareRouting value $${value}${label}`,
    learns: true,
    options: async (fold) => {
      const prices = measuredCallPrices(await fold.plainRun(), fold);
      return { routing: () => costAwareRouting({ prices, value, ...settings }) };
    },
  };
}

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions {
  data: IfevalData;
  policies: readonly LadderPolicy[];
  /** @default 5 */
  folds?: number;
  /** @default 20 */
  seed?: number;
  /** What the frontier rungs are told of earlier failures. @default "full" */
  frontierFeedback?: FeedbackMode;
  /** Called after each policy. */
  onPolicy?: (result: PolicyResult) => void;
}

/** Runs every policy over the k folds; see the file comment. Prompts run one at a time (deterministic learning). */
export async function crossValidate(options: CrossValidateOptions): Promise<PolicyResult[]> {
  const { data } = options;
  const k = options.folds ?? 5;
  const folds = stratifiedFolds(data.prompts, k, options.seed ?? 20);
  const rubrics = new Map(data.prompts.map((p) => [p.key, memoRubric(rubricOf(p))]));
  const common = {
    data,
    concurrency: 1,
    singles: false,
    rubricFor: (prompt: IfevalPrompt) => rubrics.get(prompt.key)!,
    ...(options.frontierFeedback === undefined ? {} : { frontierFeedback: options.frontierFeedback }),
  };
  const plainRuns = new Map<number, Promise<ReplayLadderResult>>();
  const results: PolicyResult[] = [];
  for (const policy of options.policies) {
    const tested: ReplayLadderResult[] = [];
    for (let f = 0; f < k; f += 1) {
      const test = folds[f]!;
      const train = folds.filter((_, i) => i !== f).flat();
      if (!policy.learns) {
        const engine =
          (await policy.options?.({ train, data, plainRun: () => Promise.reject(new Error("unused")) })) ??
          {};
        tested.push(await runReplayLadder({ ...common, ...engine, prompts: test }));
        continue;
      }
      const store = memoryStatsStore();
      const fold: TrainingFold = {
        train,
        data,
        plainRun: () => {
          let run = plainRuns.get(f);
          if (run === undefined) {
            run = runReplayLadder({ ...common, prompts: train });
            plainRuns.set(f, run);
          }
          return run;
        },
      };
      const engine = (await policy.options?.(fold)) ?? {};
      await runReplayLadder({ ...common, ...engine, prompts: train, store });
      tested.push(await runReplayLadder({ ...common, ...engine, prompts: test, store: frozen(store) }));
    }
    const result = { ...sum(policy.name, tested), learns: policy.learns };
    options.onPolicy?.(result);
    results.push(result);
  }
  return results;
}

function sum(name: string, folds: readonly ReplayLadderResult[]): Omit<PolicyResult, "learns"> {
  let prompts = 0;
  let correct = 0;
  let costUsd = 0;
  let topCostUsd = 0;
  let calls = 0;
  let frontierCalls = 0;
  for (const r of folds) {
    prompts += r.prompts;
    correct += Math.round(r.ladder.referenceAccuracy * r.prompts);
    costUsd += r.ladder.costUsd;
    topCostUsd += r.topModel.costUsd;
    calls += r.ladder.calls;
    frontierCalls += r.ladder.topTwoCalls;
  }
  return {
    name,
    prompts,
    referenceAccuracy: correct / prompts,
    costUsd,
    topCostUsd,
    calls,
    frontierCalls,
    folds: folds.map((r) => ({
      referenceAccuracy: r.ladder.referenceAccuracy,
      costShare: r.topModel.costUsd === 0 ? 0 : r.ladder.costUsd / r.topModel.costUsd,
    })),
  };
}
