import { parseOptions, schemas } from "../options.js";
import type { RetryQuotaLike } from "../providers/transport-retry.js";
import { object } from "../validate/check.js";
import { evalScript, lua, type RedisClient, type RedisLink } from "./link.js";
import { partShape, type RedisPartOptions, resolvePart } from "./options.js";

/** Options of {@link redisRetryQuota}: `RetryQuota`'s, plus where the tokens live. */
export interface RedisRetryQuotaOptions extends Omit<RedisPartOptions, "clock"> {
  /** Names this budget (e.g. one per API key); its key is `<prefix>retry-quota:<name>`. */
  name: string;
  /** Most tokens held. @default 500 */
  capacity?: number;
  /** Tokens one retry costs. @default 5 */
  retryCost?: number;
  /** Tokens a successful call gives back (never above `capacity`). @default 1 */
  successRefund?: number;
}

const schema = object({
  ...partShape,
  name: schemas.nonEmptyString,
  capacity: schemas.positiveInt.optional(),
  retryCost: schemas.nonNegativeInt.optional(),
  successRefund: schemas.nonNegativeInt.optional(),
});

// KEYS: tokens. ARGV: capacity, amount. A missing key is a full bucket.
const debitScript = lua(`
local available = tonumber(redis.call('GET', KEYS[1])) or tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
if available < cost then return 0 end
redis.call('SET', KEYS[1], available - cost)
return 1
`);
const refundScript = lua(`
local capacity = tonumber(ARGV[1])
local available = tonumber(redis.call('GET', KEYS[1])) or capacity
redis.call('SET', KEYS[1], math.min(capacity, available + tonumber(ARGV[2])))
return 1
`);

const quotaMarker = Symbol.for("rungs.retryQuota");

/**
 * The transport retries' `RetryQuota` (the AWS SDK's retry token bucket) shared by a fleet through Redis:
 * each retry of any worker costs `retryCost` tokens, each successful call refunds `successRefund`, and
 * when the tokens run out every worker's calls stop retrying. Debit and refund are Lua scripts, atomic on
 * the server. Pass it as a provider's `retry.quota`.
 *
 * When Redis cannot be reached (`whenUnavailable`): `"fail-open"` (default) lets the retry happen;
 * `"fail-closed"` refuses it. An `unavailable` event either way.
 *
 * @throws InvalidArgumentError for a bad option.
 * @example
 * const quota = redisRetryQuota({ redis, name: "openai-main-key", capacity: 200 });
 * const cloud = ollamaModel({ model: "gpt-oss:120b", host: "https://ollama.com", retry: { quota } });
 */
export class RedisRetryQuota implements RetryQuotaLike {
  /** @internal Recognised as a retry quota by providers' option checks, across loaded copies. */
  readonly [quotaMarker] = true;
  /** Most tokens held. */
  readonly capacity: number;
  /** Tokens one retry costs. */
  readonly retryCost: number;
  /** Tokens a successful call gives back (never above `capacity`). */
  readonly successRefund: number;
  readonly #link: RedisLink;
  readonly #key: string;

  constructor(options: RedisRetryQuotaOptions) {
    const parsed = parseOptions("redisRetryQuota", schema, options);
    const { link, prefix } = resolvePart("retry-quota", parsed as typeof parsed & { redis: RedisClient });
    this.#link = link;
    this.#key = `${prefix}retry-quota:${parsed.name}`;
    this.capacity = parsed.capacity ?? 500;
    this.retryCost = parsed.retryCost ?? 5;
    this.successRefund = parsed.successRefund ?? 1;
  }

  /** Tokens left now, fleet-wide (`capacity` when Redis cannot be read in fail-open mode). */
  async available(): Promise<number> {
    const value = await this.#link.run("available", (redis) => redis.get(this.#key));
    if (!value.ok) return this.#link.mode === "fail-open" ? this.capacity : 0;
    return value.value === null ? this.capacity : Number(value.value);
  }

  async tryDebit(): Promise<boolean> {
    const outcome = await this.#link.run("tryDebit", (redis) =>
      evalScript(redis, debitScript, [this.#key], [this.capacity, this.retryCost]),
    );
    if (!outcome.ok) return this.#link.mode === "fail-open";
    return outcome.value === 1;
  }

  async refund(): Promise<void> {
    if (this.successRefund === 0) return;
    await this.#link.run("refund", (redis) =>
      evalScript(redis, refundScript, [this.#key], [this.capacity, this.successRefund]),
    );
  }
}

/** A fleet-wide retry quota on Redis: `new RedisRetryQuota(options)`. */
export function redisRetryQuota(options: RedisRetryQuotaOptions): RedisRetryQuota {
  return new RedisRetryQuota(options);
}
