import { z } from "zod";
import { parseOptions, schemas } from "../options.js";
import type { RungStats, StatsStore } from "../record/stats-store.js";
import type { RedisClient } from "./link.js";
import { partShape, type RedisPartOptions, resolvePart } from "./options.js";

/** Options of {@link redisStatsStore}. */
export interface RedisStatsStoreOptions extends Omit<RedisPartOptions, "clock"> {
  /**
   * How long accept counts of a task class live after their last update, in ms (each update restarts it).
   * @default no expiry
   */
  ttlMs?: number;
  /** How long a given-up task stays blocked unless unblocked first, in ms. @default until unblocked */
  givenUpTtlMs?: number;
}

/** A {@link StatsStore} on Redis, shared by every process and machine that uses the same Redis and prefix. */
export interface RedisStatsStore extends StatsStore {
  record(entry: { taskClass: string; modelId: string; accepted: boolean }): Promise<void>;
  stats(taskClass: string, modelId: string): Promise<RungStats>;
  giveUp(taskId: string, at: number): Promise<void>;
  givenUpAt(taskId: string): Promise<number | undefined>;
  unblock(taskId: string): Promise<boolean>;
  /** Every given-up task with when it was given up (SCAN over this prefix: for operators, not hot paths). */
  givenUp(): Promise<Record<string, number>>;
}

const schema = z
  .object({
    ...partShape,
    ttlMs: schemas.positiveInt.optional(),
    givenUpTtlMs: schemas.positiveInt.optional(),
  })
  .strict();

/**
 * A {@link StatsStore} on Redis for a fleet of workers: accept counts per task class and model, and given-up
 * tasks, shared by every process that uses the same Redis and `prefix`. Every update is one atomic Redis
 * command (HINCRBY, SET, DEL), so no update is lost under any number of writers.
 *
 * Keys (with the default prefix): `rungs:stats:<taskClass>` (a hash: `accepted:<modelId>`,
 * `failed:<modelId>`), `rungs:given-up:<taskId>` (when it was given up, ms since the epoch).
 *
 * When Redis cannot be reached (`whenUnavailable`): `"fail-open"` (default) answers as an empty store
 * would (not blocked, zero counts) and drops writes; `"fail-closed"` throws `RedisUnavailableError`. Either
 * way an `unavailable` event goes to `events`.
 *
 * @throws InvalidArgumentError for a bad option.
 * @example
 * import { Redis } from "ioredis";
 * import { redisStatsStore } from "rungs/redis";
 * const store = redisStatsStore({ redis: new Redis(process.env.REDIS_URL!) });
 * const model = escalateAcross([small, large], { rubric, store, minAcceptRate: 0.3 });
 */
export function redisStatsStore(options: RedisStatsStoreOptions): RedisStatsStore {
  const parsed = parseOptions("redisStatsStore", schema, options);
  const { link, prefix } = resolvePart("stats-store", parsed as typeof parsed & { redis: RedisClient });
  const statsKey = (taskClass: string) => `${prefix}stats:${taskClass}`;
  const givenUpPrefix = `${prefix}given-up:`;
  const { ttlMs, givenUpTtlMs } = parsed;

  return {
    async record({ taskClass, modelId, accepted }) {
      const key = statsKey(taskClass);
      const field = `${accepted ? "accepted" : "failed"}:${modelId}`;
      await link.value(
        "record",
        async (redis) => {
          if (ttlMs === undefined) {
            await redis.hincrby(key, field, 1);
            return;
          }
          const replies = await redis.multi().hincrby(key, field, 1).pexpire(key, ttlMs).exec();
          const failed = replies?.find(([error]) => error !== null);
          if (failed !== undefined) throw failed[0];
        },
        () => undefined,
      );
    },
    async stats(taskClass, modelId) {
      return link.value(
        "stats",
        async (redis) => {
          const [accepted, failed] = await redis.hmget(
            statsKey(taskClass),
            `accepted:${modelId}`,
            `failed:${modelId}`,
          );
          return { accepted: Number(accepted ?? 0), failed: Number(failed ?? 0) };
        },
        () => ({ accepted: 0, failed: 0 }),
      );
    },
    async giveUp(taskId, at) {
      await link.value(
        "giveUp",
        async (redis) => {
          const key = givenUpPrefix + taskId;
          if (givenUpTtlMs === undefined) await redis.set(key, String(at));
          else await redis.set(key, String(at), "PX", givenUpTtlMs);
        },
        () => undefined,
      );
    },
    async givenUpAt(taskId) {
      return link.value(
        "givenUpAt",
        async (redis) => {
          const at = await redis.get(givenUpPrefix + taskId);
          return at === null ? undefined : Number(at);
        },
        () => undefined,
      );
    },
    async unblock(taskId) {
      return link.value(
        "unblock",
        async (redis) => (await redis.del(givenUpPrefix + taskId)) > 0,
        () => false,
      );
    },
    async givenUp() {
      return link.value(
        "givenUp",
        async (redis) => {
          const out: Record<string, number> = {};
          let cursor = "0";
          // SCAN walks the keyspace in bounded steps; the loop ends when the cursor comes back to 0.
          do {
            const [next, keys] = await redis.scan(
              cursor,
              "MATCH",
              `${escapeGlob(givenUpPrefix)}*`,
              "COUNT",
              500,
            );
            cursor = next;
            if (keys.length === 0) continue;
            const values = await redis.mget(...keys);
            keys.forEach((key, i) => {
              const value = values[i];
              if (value !== null && value !== undefined) {
                Object.defineProperty(out, key.slice(givenUpPrefix.length), {
                  value: Number(value),
                  enumerable: true,
                  writable: true,
                  configurable: true,
                });
              }
            });
          } while (cursor !== "0");
          return out;
        },
        () => ({}),
      );
    },
  };
}

/** Escapes Redis glob characters so a prefix matches literally. @internal */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
