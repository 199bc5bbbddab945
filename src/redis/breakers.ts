import { randomUUID } from "node:crypto";
import { type BreakerPermit, type BreakerSnapshot, openAtOnceKinds } from "../attempts/breaker.js";
import type { BreakerAdmission, BreakerRegistry } from "../attempts/breaker-registry.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { providerFailureKinds } from "../errors/failure-kind.js";
import { parseOptions, schemas } from "../options.js";
import { object } from "../validate/check.js";
import { admitScript, releaseScript } from "./breaker-scripts.js";
import { evalScript, type RedisClient, type RedisLink } from "./link.js";
import { partShape, type RedisPartOptions, resolvePart } from "./options.js";
import { escapeGlob } from "./stats-store.js";

/** Options of {@link redisCircuitBreakers}: the settings of `CircuitBreakers`, plus where they live. */
export interface RedisCircuitBreakersOptions extends RedisPartOptions {
  /** Provider failures in a row (fleet-wide) that open a breaker. @default 5 */
  failureThreshold?: number;
  /** How long a breaker stays open before one probe is let through, in ms. @default 30_000 */
  openMs?: number;
  /** Longest a half-open probe may run; a probe that never reports back frees the slot then, in ms. @default 60_000 */
  probeTimeoutMs?: number;
}

const schema = object({
  ...partShape,
  failureThreshold: schemas.positiveInt.optional(),
  openMs: schemas.positiveNumber.optional(),
  probeTimeoutMs: schemas.positiveNumber.optional(),
});

const breakersMarker = Symbol.for("rungs.circuitBreakers");

/** A permit that reports nothing: handed out in fail-open mode while Redis is unreachable. */
const unguardedPermit: BreakerPermit = {
  probe: false,
  deadline: Number.POSITIVE_INFINITY,
  release: () => undefined,
};

/**
 * Circuit breakers shared by a fleet through Redis: the rules of `CircuitBreaker` (open after
 * `failureThreshold` provider failures in a row, or at once on `auth` / `model-not-found` /
 * `quota-exhausted`; after `openMs` exactly one probe fleet-wide; the probe's success closes, its failure
 * reopens; a probe silent past `probeTimeoutMs` counts as failed), decided by Lua scripts that run atomically
 * on the server. Pass it as the engine's `breakers`, in place of `new CircuitBreakers()`.
 *
 * Keys: `<prefix>breaker:<modelId>` (a hash; absent while closed with no failures). Times come from each
 * worker's `clock`: keep the fleet's clocks in sync (NTP), as skew shifts when a breaker half-opens.
 *
 * When Redis cannot be reached (`whenUnavailable`): `"fail-open"` (default) lets calls through unguarded;
 * `"fail-closed"` refuses them (the rung is skipped as `circuit-open`). An `unavailable` event either way.
 *
 * @throws InvalidArgumentError for a bad option.
 * @example
 * const breakers = redisCircuitBreakers({ redis: new Redis(process.env.REDIS_URL!), openMs: 60_000 });
 * const model = escalateAcross([local, cloud], { rubric, breakers });
 */
export class RedisCircuitBreakers implements BreakerRegistry {
  /** @internal Marks a breaker registry for the engine's options check, across loaded copies. */
  readonly [breakersMarker] = true;
  /** Consecutive provider failures that open a model's breaker. */
  readonly failureThreshold: number;
  /** How long a breaker stays open, in ms. */
  readonly openMs: number;
  /** How long a half-open probe may run, in ms. */
  readonly probeTimeoutMs: number;
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #clock: { now(): number };

  constructor(options: RedisCircuitBreakersOptions) {
    const parsed = parseOptions("redisCircuitBreakers", schema, options);
    const { link, prefix, clock } = resolvePart("breakers", parsed as typeof parsed & { redis: RedisClient });
    this.#link = link;
    this.#prefix = `${prefix}breaker:`;
    this.#clock = clock;
    this.failureThreshold = parsed.failureThreshold ?? 5;
    this.openMs = parsed.openMs ?? 30_000;
    this.probeTimeoutMs = parsed.probeTimeoutMs ?? 60_000;
  }

  /** Asks `modelId`'s shared breaker for one call (one round trip): a permit, or when to try again. */
  async admit(modelId: string): Promise<BreakerAdmission> {
    const key = this.#prefix + modelId;
    const token = randomUUID();
    const outcome = await this.#link.run("admit", (redis) =>
      evalScript(redis, admitScript, [key], [this.#clock.now(), this.openMs, this.probeTimeoutMs, token]),
    );
    if (!outcome.ok) {
      return this.#link.mode === "fail-open"
        ? { permit: unguardedPermit }
        : {
            retryAt: undefined,
            detail: `its shared breaker could not be read (Redis: ${outcome.message}; whenUnavailable is "fail-closed")`,
          };
    }
    const [verdict, at] = outcome.value as [string, string | undefined];
    if (verdict === "closed") return { permit: this.#permit(key, "", Number.POSITIVE_INFINITY) };
    if (verdict === "probe") return { permit: this.#permit(key, token, Number(at)) };
    if (verdict === "open") return { retryAt: Number(at) };
    return { retryAt: undefined };
  }

  /** The shared state of `modelId`'s breaker now (an open breaker past `openMs` reads as half-open). */
  async state(modelId: string): Promise<BreakerSnapshot> {
    const [state, failures, openedAt] = await this.#link.value(
      "state",
      (redis) => redis.hmget(this.#prefix + modelId, "state", "failures", "openedAt"),
      () => [null, null, null],
    );
    const consecutiveFailures = Number(failures ?? 0);
    if (state !== "open" && state !== "half-open") return { state: "closed", consecutiveFailures };
    const opened = Number(openedAt);
    const current = state === "open" && this.#clock.now() >= opened + this.openMs ? "half-open" : state;
    return { state: current, consecutiveFailures, openedAt: opened };
  }

  /** Closes `modelId`'s breaker fleet-wide, or every breaker under this prefix when no id is given. */
  async reset(modelId?: string): Promise<void> {
    await this.#link.value(
      "reset",
      async (redis) => {
        if (modelId !== undefined) {
          await redis.del(this.#prefix + modelId);
          return;
        }
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(
            cursor,
            "MATCH",
            `${escapeGlob(this.#prefix)}*`,
            "COUNT",
            500,
          );
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== "0");
      },
      () => undefined,
    );
  }

  #permit(key: string, token: string, deadline: number): BreakerPermit {
    let released = false;
    return {
      probe: token !== "",
      deadline,
      release: async (outcome) => {
        if (released) return;
        released = true;
        await this.#link.run("release", (redis) =>
          evalScript(
            redis,
            releaseScript,
            [key],
            [this.#clock.now(), this.openMs, classify(outcome), token, this.failureThreshold],
          ),
        );
      },
    };
  }
}

/** What a breaker hears from an outcome: only provider failures count, some open it at once. */
function classify(outcome: FailureKind | "success" | "ignore"): "success" | "failure" | "fatal" | "ignore" {
  if (outcome === "ignore" || outcome === "success") return outcome;
  if (!providerFailureKinds.has(outcome)) return "success";
  return openAtOnceKinds.has(outcome) ? "fatal" : "failure";
}

/** Shared circuit breakers on Redis: `new RedisCircuitBreakers(options)`. */
export function redisCircuitBreakers(options: RedisCircuitBreakersOptions): RedisCircuitBreakers {
  return new RedisCircuitBreakers(options);
}
