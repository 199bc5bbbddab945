import { z } from "zod";
import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";
import type { GenerateRequest } from "../../model.js";
import { parseOptions, schemas } from "../../options.js";
import type { Attempt } from "../../trace.js";
import { estimateAcceptRate, worthAbove } from "./estimate.js";
import type { RoutingContext, RoutingPolicy } from "./policy.js";

/** Options of {@link costAwareRouting}. */
export interface CostAwareRoutingOptions {
  /**
   * The expected price of one call to each model, by model id, in any unit (the same as `value`): e.g. US
   * dollars for a typical request. Every rung's model needs one (checked when the ladder is built).
   */
  prices: Readonly<Record<string, number>>;
  /**
   * What one accepted answer is worth, in the unit of `prices`. A rung is tried when its learned chance of
   * an accepted answer times what an answer there saves (`value` minus the expected net worth of the rungs
   * above it) exceeds its price. Raising it buys accuracy with cost; sweeping it traces the accuracy–cost
   * frontier.
   */
  value: number;
  /** Pseudo-samples pulling each key's rate toward the rung's overall rate (see `estimateAcceptRate`). @default 1 */
  prior?: number;
  /** Judged attempts a rung needs over all requests before this policy may pass it over. @default 5 */
  minSamples?: number;
  /**
   * Learn from the request's features, not only its exact `metadata.taskClass`:
   * - `taskFeatures`: each string of `metadata.taskFeatures` (e.g. each instruction kind), so a new
   *   combination of known features is not a cold start;
   * - `violatedRules`: the rules the run's previous attempt violated (its verdict), so a rung is judged on
   *   what the rungs below it got wrong.
   * At most 32 of each are used. @default both true
   */
  features?: { taskFeatures?: boolean; violatedRules?: boolean };
  /**
   * Let every `exploreEvery`-th skip of a model (counted per model id by this policy) through anyway, so a
   * rung whose rate was low can show that it improved. @default never explores
   */
  exploreEvery?: number;
}

/** Store key of a rung's counts over every request. Reserved, as are the `feature:` and `rule:` prefixes. */
export const allRequestsKey = "*";
const maxKeysPerKind = 32;

const schema = z
  .object({
    prices: z.record(
      z.string(),
      z.number({ error: "must be a finite number" }).min(0, { error: "must be 0 or more" }),
      { error: "must be an object of prices by model id" },
    ),
    value: schemas.positiveNumber,
    prior: schemas.positiveNumber.optional(),
    minSamples: schemas.nonNegativeInt.optional(),
    features: z
      .object({
        taskFeatures: z.boolean({ error: "must be true or false" }).optional(),
        violatedRules: z.boolean({ error: "must be true or false" }).optional(),
      })
      .strict()
      .optional(),
    exploreEvery: schemas.positiveInt.optional(),
  })
  .strict();

/**
 * A {@link RoutingPolicy} that tries a rung only when it is worth its price: with `p` the rung's learned
 * chance of an accepted answer for this request (its task class and features, see `estimateAcceptRate`)
 * and `rest` the expected net worth of the rungs above it, the rung is tried when
 * `p × (value − rest) > price`, else passed over (`reason: "learned"`, the numbers in `detail`). It learns a
 * starting rung per request (cheap rungs that rarely answer are passed over), skips a rung whose rate
 * makes it not worth its price, and may pass over the top rung when no rung is worth trying: the run then
 * ends exhausted with no attempt. A rung with fewer than `minSamples` judged attempts is always tried.
 *
 * @throws InvalidArgumentError for a bad option; the ladder throws it at construction when a rung's model
 *   has no price.
 * @example
 * const store = memoryStatsStore();
 * const routing = costAwareRouting({ prices: { small: 0.0001, large: 0.005 }, value: 0.02 });
 * const model = escalateAcross([small, large], { rubric, store, routing });
 * await model.generate({ messages, metadata: { taskClass: "a+b", taskFeatures: ["a", "b"] } });
 */
export function costAwareRouting(options: CostAwareRoutingOptions): RoutingPolicy {
  const parsed = parseOptions("costAwareRouting", schema, options);
  const prices = new Map(Object.entries(parsed.prices));
  const prior = parsed.prior ?? 1;
  const minSamples = parsed.minSamples ?? 5;
  const useFeatures = parsed.features?.taskFeatures ?? true;
  const useRules = parsed.features?.violatedRules ?? true;
  const skipsSinceTry = new Map<string, number>();

  const featureKeys = (request: GenerateRequest, earlier: readonly Attempt[]): string[] => {
    const keys: string[] = [];
    const features = request.metadata?.taskFeatures;
    if (useFeatures && Array.isArray(features)) {
      for (const f of features.slice(0, maxKeysPerKind)) if (typeof f === "string") keys.push(`feature:${f}`);
    }
    const violations = earlier.at(-1)?.verdict?.violations;
    if (useRules && violations !== undefined) {
      for (const rule of violations.slice(0, maxKeysPerKind)) keys.push(`rule:${rule.ruleId}`);
    }
    return keys;
  };

  return {
    check(modelIds) {
      const missing = modelIds.find((id) => !prices.has(id));
      if (missing !== undefined) {
        throw new InvalidArgumentError({
          parameter: "routing.prices",
          value: [...prices.keys()],
          message: `costAwareRouting: no price for model "${missing}"; add it to prices (every rung's model needs one).`,
        });
      }
    },
    keys: (request, earlier) => [allRequestsKey, ...featureKeys(request, earlier)],
    async skip(context: RoutingContext) {
      const { store, request, modelIds, rung } = context;
      const modelId = modelIds[rung]!;
      const overall = await store.stats(allRequestsKey, modelId);
      if (overall.accepted + overall.failed < minSamples) return undefined;
      const taskClass = request.metadata?.taskClass;
      const keys = [
        ...(typeof taskClass === "string" ? [taskClass] : []),
        ...featureKeys(request, context.attempts),
      ];
      const chances: number[] = [];
      for (let j = 0; j < modelIds.length; j += 1) {
        if (j < rung) {
          chances.push(0);
          continue;
        }
        const id = modelIds[j]!;
        const all = j === rung ? overall : await store.stats(allRequestsKey, id);
        const byKey = await Promise.all(keys.map((key) => store.stats(key, id)));
        chances.push(estimateAcceptRate(all, byKey, prior));
      }
      const priceList = modelIds.map((id) => prices.get(id) ?? 0);
      const rest = worthAbove(rung, chances, priceList, parsed.value);
      const p = chances[rung]!;
      const gain = p * (parsed.value - rest);
      const price = priceList[rung]!;
      if (gain > price) return undefined;
      if (parsed.exploreEvery !== undefined) {
        const skipped = (skipsSinceTry.get(modelId) ?? 0) + 1;
        if (skipped >= parsed.exploreEvery) {
          skipsSinceTry.set(modelId, 0);
          return undefined;
        }
        skipsSinceTry.set(modelId, skipped);
      }
      return `not worth its price: accept chance ${p.toFixed(2)} × (value ${parsed.value} − ${rest.toPrecision(3)} expected from the rungs above) = ${gain.toPrecision(3)} ≤ price ${price}`;
    },
  };
}
