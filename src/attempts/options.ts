import type { Clock } from "../clock.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { schemas } from "../options.js";
import type { StatsStore } from "../record/stats-store.js";
import type { Rubric } from "../rubric/types.js";
import { custom, object, oneOf, union } from "../validate/check.js";
import {
  type BreakerRegistry,
  CircuitBreakers,
  type CircuitBreakersOptions,
  isBreakerRegistry,
} from "./breaker-registry.js";
import type { EngineConfig } from "./engine-config.js";
import { breakerGate } from "./gates/breaker.js";
import { escalatedGate } from "./gates/escalated.js";
import type { Gate } from "./gates/gate.js";
import { learnedGate } from "./gates/learned.js";
import { notRetryableGate } from "./gates/not-retryable.js";
import { routingGate } from "./gates/routing.js";
import { skipIfGate } from "./gates/skip-if.js";
import type { NormalizedRung } from "./ladder.js";
import type { RoutingPolicy } from "./routing/policy.js";
import { taskFeedbackKept } from "./task-memory.js";

/** Options shared by `retryWithContext` and `escalateAcross`; `V` is the rubric's value type. */
export interface AttemptEngineOptions<V = unknown> {
  /**
   * Judges each output; without one, any non-empty, complete output is accepted. A rubric with a
   * value-giving rule (`structured`) types the returned model's `generation.value` as `V`.
   */
  rubric?: Rubric<string, V>;
  /** Most attempts in one run, over all rungs. @default 6 */
  maxAttempts?: number;
  /**
   * Most characters the earlier failures may add to the rendered prompt (measured with `renderedChars`): the
   * prompt of any attempt is at most the first prompt plus this. Entries beyond it are condensed, then the
   * oldest dropped. @default 2_000 (about 500 tokens: room for several failures with their rule messages)
   */
  maxFeedbackChars?: number;
  /**
   * When no attempt is accepted: `"throw"` an `ExhaustedError`, or return the `"best"`-scoring judged attempt
   * (its `verdict.accepted` is false; with no judged attempt it throws anyway). @default "throw"
   */
  onExhausted?: "throw" | "best";
  /**
   * Per-model circuit breakers: a shared {@link CircuitBreakers} (recommended: one for the whole app), a
   * fleet-wide registry (rungs/redis `redisCircuitBreakers`), or options to build one for this model alone.
   * @default no breakers
   */
  breakers?: BreakerRegistry | CircuitBreakersOptions;
  /**
   * Where accept/fail counts per `metadata.taskClass` and model, blocked `metadata.taskId`s, and each
   * task's escalation state are kept. With a `metadata.taskId`, each failed attempt is recorded for the
   * task, so its next run (a new process included) starts on the rung above the one that last failed (the
   * top rung stays the top) with those failures as feedback, within `maxFeedbackChars`; an accepted answer
   * resets it. A run that tried the top rung (or had no rung left) and found no accepted answer marks the
   * task blocked: later runs throw `BlockedTaskError` until `unblock`. Give it to the outermost engine
   * only: an inner engine would track the task for its own rung.
   */
  store?: StatsStore;
  /**
   * With a `store`, skip a rung (never the top one) whose acceptance rate on this `taskClass` is below this,
   * 0..1. @default learning off
   */
  minAcceptRate?: number;
  /** Judged attempts a rung needs on a task class before its rate can skip it. @default 5 */
  minSamples?: number;
  /**
   * With learning on, let every `exploreEvery`-th learned skip of a rung (per task class, counted by this
   * composed model) through anyway, so a rung whose rate was low can show that it improved. Without it, a
   * skipped rung gathers no new samples. @default never explores
   */
  exploreEvery?: number;
  /**
   * What a `store` that cannot be read (`blockedAt`, `getTaskState`, `stats` throw) does: `"fail-open"`
   * reports it (`RUNGS_STATS_STORE_ERROR` warning) and runs as if the store knew nothing, so a blocked task
   * may run again and learned skips are off; `"fail-closed"` stops the run before any further call with a
   * `StatsStoreError` (its `cause` the store's error), so a blocked task stays blocked.
   * @default "fail-open": the store is an optimisation (learning, blocking); a corrupt stats file or a
   * database that is down must not stop every answer. Choose "fail-closed" when running a blocked task
   * again costs more than not answering (paid calls on a task known to fail, a task that must not repeat).
   */
  whenUnavailable?: "fail-open" | "fail-closed";
  /**
   * With a `store` and a `metadata.taskId`: how many attempts on one rung may never end (the process running
   * them died: killed, out of memory, the machine lost) before the task's next run starts above that rung.
   * Each attempt is marked started in the store before its call; a mark the next run finds counts as an
   * `unfinished` failure on its rung. Below this many in a row on the rung, the next run tries the rung
   * again (a crash may be the machine's fault, not the model's); at this many it climbs, so a worker that a
   * dispatcher restarts after every crash escalates like one that failed. 1 to 8 (the failures a store keeps
   * per task). Needs a store with `startTaskAttempt` (every built-in store has it). @default 1
   */
  maxUnfinishedAttempts?: number;
  /**
   * Most milliseconds one attempt's call may take (a rung's `attemptTimeoutMs` wins for that rung). Past it
   * the call is aborted and the attempt fails as `timeout`, so the run goes on (retry or climb) instead of
   * waiting on a model that never settles; a nested ladder or a continued answer beneath one attempt shares
   * its limit. Runs on the engine's clock. At most 2_147_483_647 (the largest timer delay).
   * @default 600_000 (10 minutes: the request timeout the OpenAI and Anthropic SDKs default to)
   */
  attemptTimeoutMs?: number;
  /**
   * With a `store`, a policy choosing which rungs to try from what the store learned, e.g.
   * `costAwareRouting({ prices, value })`; it may also count attempts under feature keys of the request.
   * Works beside `minAcceptRate` (a rung either passes over is skipped). @default none
   */
  routing?: RoutingPolicy;
  /** Time source for timings and breakers; `CallOptions.clock` wins. @default systemClock */
  clock?: Clock;
  /** The composed model's id. @default "retry(<model id>)" or "ladder(<rungs>)" */
  id?: string;
}

const storeMethods = [
  "record",
  "stats",
  "block",
  "blockedAt",
  "unblock",
  "recordTaskFailure",
  "getTaskState",
  "resetTask",
];

/** A time limit in ms that a timer can hold (setTimeout fires at once past 2^31 - 1). @internal */
export const attemptTimeoutSchema = schemas.durationMs;

/** The default of `attemptTimeoutMs`: 10 minutes, as the OpenAI and Anthropic SDKs time out a request. */
export const defaultAttemptTimeoutMs = 600_000;

/** A store's optional methods: both or neither (the attempt in flight is marked by one, ended by the other). */
const attemptMethods = ["startTaskAttempt", "endTaskAttempt"];

const isStore = (v: unknown): v is StatsStore => {
  if (typeof v !== "object" || v === null) return false;
  const method = (name: string) => typeof (v as Record<string, unknown>)[name] === "function";
  const absent = (name: string) => (v as Record<string, unknown>)[name] === undefined;
  return storeMethods.every(method) && (attemptMethods.every(method) || attemptMethods.every(absent));
};

/** The option checks of {@link AttemptEngineOptions}. @internal */
export const engineOptionsShape = {
  rubric: custom<Rubric>(
    (v) => typeof v === "object" && v !== null && typeof (v as Rubric).evaluate === "function",
    "must be a Rubric (an object with evaluate(output, ctx))",
  ).optional(),
  maxAttempts: schemas.positiveInt.optional(),
  attemptTimeoutMs: attemptTimeoutSchema.optional(),
  whenUnavailable: oneOf(["fail-open", "fail-closed"]).optional(),
  maxFeedbackChars: schemas.positiveInt.optional(),
  onExhausted: oneOf(["throw", "best"]).optional(),
  breakers: union(
    [
      custom<BreakerRegistry>((v) => isBreakerRegistry(v), "must be a CircuitBreakers"),
      object({}, { unknownKeys: "allow", message: "must be an object" }),
    ],
    "must be a CircuitBreakers or its options",
  ).optional(),
  store: custom<StatsStore>(
    isStore,
    `must be a StatsStore (${storeMethods.join(", ")}; and ${attemptMethods.join(" with ")}, or neither)`,
  ).optional(),
  maxUnfinishedAttempts: custom<number>(
    (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= taskFeedbackKept,
    `must be a whole number from 1 to ${taskFeedbackKept} (the failures a store keeps per task)`,
  ).optional(),
  minAcceptRate: schemas.unitInterval.optional(),
  minSamples: schemas.positiveInt.optional(),
  exploreEvery: schemas.positiveInt.optional(),
  routing: custom<RoutingPolicy>(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      typeof (v as RoutingPolicy).keys === "function" &&
      typeof (v as RoutingPolicy).skip === "function",
    "must be a RoutingPolicy (keys, skip), e.g. costAwareRouting({ prices, value })",
  ).optional(),
  clock: schemas.clock.optional(),
  id: schemas.nonEmptyString.optional(),
};

/** Resolves validated options into an engine's settings. @internal */
export function resolveEngine(
  parsed: AttemptEngineOptions,
  segment: string,
  id: string,
  rungs: readonly NormalizedRung[],
): EngineConfig {
  const breakers =
    parsed.breakers === undefined || isBreakerRegistry(parsed.breakers)
      ? parsed.breakers
      : new CircuitBreakers(
          parsed.clock === undefined ? parsed.breakers : { clock: parsed.clock, ...parsed.breakers },
        );
  if (parsed.routing !== undefined) {
    if (parsed.store === undefined) {
      throw new InvalidArgumentError({
        parameter: "routing",
        value: "a RoutingPolicy",
        message: `${segment === "retry" ? "retryWithContext" : "escalateAcross"}: option "routing" learns from a stats store; give a store too (e.g. memoryStatsStore()).`,
      });
    }
    parsed.routing.check?.(rungs.map((rung) => rung.model.id));
  }
  const whenUnavailable = parsed.whenUnavailable ?? "fail-open";
  const { store, routing } = parsed;
  // The order gates are asked in: the cheap, certain reasons first; store reads after; the breaker last,
  // before every attempt (it hands out a permit).
  const gates: Gate[] = [escalatedGate, notRetryableGate, skipIfGate];
  if (store !== undefined && parsed.minAcceptRate !== undefined) {
    gates.push(
      learnedGate({
        store,
        minAcceptRate: parsed.minAcceptRate,
        minSamples: parsed.minSamples ?? 5,
        exploreEvery: parsed.exploreEvery,
        failClosed: whenUnavailable === "fail-closed",
      }),
    );
  }
  if (store !== undefined && routing !== undefined) {
    gates.push(
      routingGate(
        routing,
        store,
        rungs.map((rung) => rung.model.id),
      ),
    );
  }
  if (breakers !== undefined) gates.push(breakerGate(breakers));
  return {
    segment,
    id: parsed.id ?? id,
    rungs,
    rubric: parsed.rubric,
    maxAttempts: parsed.maxAttempts ?? 6,
    attemptTimeoutMs: parsed.attemptTimeoutMs ?? defaultAttemptTimeoutMs,
    whenUnavailable,
    maxFeedbackChars: parsed.maxFeedbackChars ?? 2_000,
    maxUnfinishedAttempts: parsed.maxUnfinishedAttempts ?? 1,
    onExhausted: parsed.onExhausted ?? "throw",
    store,
    routing,
    gates,
    clock: parsed.clock,
  };
}
