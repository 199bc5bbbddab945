import { RateLimiterRedis } from "rate-limiter-flexible";
import { parseOptions, schemas } from "../options.js";
import type { RateGate } from "../providers/transport-retry.js";
import { object } from "../validate/check.js";
import type { RedisClient, RedisLink } from "./link.js";
import { partShape, type RedisPartOptions, resolvePart } from "./options.js";

/** Options of {@link redisRateGate}. */
export interface RedisRateGateOptions extends Omit<RedisPartOptions, "clock"> {
  /** Names the limited resource (e.g. one API key); its key is `<prefix>rate-gate:<name>`. */
  name: string;
  /** Requests allowed per window, fleet-wide. */
  limit: number;
  /** The window, in whole seconds (e.g. 60 for requests per minute). @default 60 */
  windowSeconds?: number;
}

const schema = object({
  ...partShape,
  name: schemas.nonEmptyString,
  limit: schemas.positiveInt,
  windowSeconds: schemas.positiveInt.optional(),
});

/**
 * A fleet-wide request-rate limit on Redis (rate-limiter-flexible's `RateLimiterRedis`, an atomic fixed
 * window): at most `limit` requests per `windowSeconds` across every worker that uses the same name.
 * Pass it as a provider's `retry.gate`: each request (first try and retries) takes a slot, waiting for
 * one up to `maxRetryAfterMs`, else the call fails at once as `rate-limited` and a ladder climbs.
 *
 * When Redis cannot be reached (`whenUnavailable`): `"fail-open"` (default) lets the request go;
 * `"fail-closed"` refuses it (the call fails as `rate-limited`). An `unavailable` event either way.
 *
 * @throws InvalidArgumentError for a bad option.
 * @example
 * const gate = redisRateGate({ redis, name: "ollama-cloud-key", limit: 60 }); // 60 requests a minute
 * const cloud = ollamaModel({ model: "gpt-oss:120b", host: "https://ollama.com", retry: { gate } });
 */
export class RedisRateGate implements RateGate {
  /** Requests allowed per window, fleet-wide. */
  readonly limit: number;
  /** The window's length, in seconds. */
  readonly windowSeconds: number;
  readonly #link: RedisLink;
  readonly #limiter: RateLimiterRedis;
  readonly #name: string;

  constructor(options: RedisRateGateOptions) {
    const parsed = parseOptions("redisRateGate", schema, options);
    const { link, prefix } = resolvePart("rate-gate", parsed as typeof parsed & { redis: RedisClient });
    this.#link = link;
    this.#name = parsed.name;
    this.limit = parsed.limit;
    this.windowSeconds = parsed.windowSeconds ?? 60;
    this.#limiter = new RateLimiterRedis({
      storeClient: parsed.redis,
      keyPrefix: `${prefix}rate-gate`,
      points: this.limit,
      duration: this.windowSeconds,
    });
  }

  /** Takes one request slot: 0 to go now, else the ms until the window frees one (Infinity: unreachable). */
  async take(): Promise<number> {
    const outcome = await this.#link.run("take", async () => {
      try {
        await this.#limiter.consume(this.#name, 1);
        return 0;
      } catch (refusal) {
        // Over the limit the library rejects with a RateLimiterRes (checked by shape: a bundler may load the
        // library twice); an Error is a Redis failure.
        const msBeforeNext = (refusal as { msBeforeNext?: unknown } | null)?.msBeforeNext;
        if (refusal instanceof Error || typeof msBeforeNext !== "number") throw refusal;
        return Math.max(1, msBeforeNext);
      }
    });
    if (outcome.ok) return outcome.value;
    return this.#link.mode === "fail-open" ? 0 : Number.POSITIVE_INFINITY;
  }
}

/** A fleet-wide rate gate on Redis: `new RedisRateGate(options)`. */
export function redisRateGate(options: RedisRateGateOptions): RedisRateGate {
  return new RedisRateGate(options);
}
