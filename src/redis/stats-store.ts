import { parseOptions, schemas } from "../options.js";
import type { Failure } from "../prompt.js";
import { reportDamaged, storedCount } from "../record/damaged.js";
import type {
  RungStats,
  StatsSnapshot,
  StatsStore,
  TaskAttemptStart,
  TaskFailureEntry,
  TaskState,
} from "../record/stats-store.js";
import { object } from "../validate/check.js";
import type { RedisClient } from "./link.js";
import { partShape, type RedisPartOptions, resolvePart } from "./options.js";

/** Options of {@link redisStatsStore}. */
export interface RedisStatsStoreOptions extends Omit<RedisPartOptions, "clock"> {
  /**
   * How long accept counts of a task class, and a task's escalation state, live after their last update, in
   * ms (each update restarts it). @default no expiry
   */
  ttlMs?: number;
  /** How long a blocked task stays blocked unless unblocked first, in ms. @default until unblocked */
  blockedTtlMs?: number;
}

/** A {@link StatsStore} on Redis, shared by every process and machine that uses the same Redis and prefix. */
export interface RedisStatsStore extends StatsStore {
  record(entry: { taskClass: string; modelId: string; accepted: boolean }): Promise<void>;
  stats(taskClass: string, modelId: string): Promise<RungStats>;
  block(taskId: string, at: number): Promise<void>;
  blockedAt(taskId: string): Promise<number | undefined>;
  unblock(taskId: string): Promise<boolean>;
  recordTaskFailure(taskId: string, entry: TaskFailureEntry): Promise<void>;
  getTaskState(taskId: string): Promise<TaskState | undefined>;
  resetTask(taskId: string): Promise<void>;
  startTaskAttempt(taskId: string, attempt: TaskAttemptStart): Promise<void>;
  endTaskAttempt(taskId: string): Promise<void>;
  /** Every blocked task with when it was blocked (SCAN over this prefix: for operators, not hot paths). */
  blocked(): Promise<Record<string, number>>;
  /**
   * The whole store as plain data, in the JSON stats file's shape (counts, given-up tasks, escalation
   * states); SCANs over this prefix, for operators (`rungs stats --store redis://...`), not hot paths.
   */
  snapshot(): Promise<StatsSnapshot>;
}

/** Every key matching `pattern` (a glob), in SCAN steps of 500. */
async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  return [...new Set(keys)];
}

/** A plain record that takes any key (`__proto__` included) as an own property. */
function put<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const schema = object({
  ...partShape,
  ttlMs: schemas.positiveInt.optional(),
  blockedTtlMs: schemas.positiveInt.optional(),
});

/**
 * A {@link StatsStore} on Redis for a fleet of workers: accept counts per task class and model, blocked
 * tasks, and each task's escalation state, shared by every process that uses the same Redis and `prefix`.
 * Every update is one atomic Redis command or one MULTI transaction, so no update is lost under any number
 * of writers.
 *
 * Keys (with the default prefix): `rungs:stats:<taskClass>` (a hash: `accepted:<modelId>`,
 * `failed:<modelId>`), `rungs:blocked:<taskId>` (when it was blocked, ms since the epoch),
 * `rungs:task:<taskId>` (a hash: failures, rung, modelId, updatedAt, and startedRung, startedModelId, startedAt while an attempt is in flight) and `rungs:task-feedback:<taskId>`
 * (a list of the newest failures as JSON). A task's two keys are written in one MULTI: use one Redis
 * (with replicas), not Redis Cluster.
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
  const givenUpPrefix = `${prefix}blocked:`;
  const taskKey = (taskId: string) => `${prefix}task:${taskId}`;
  const feedbackKey = (taskId: string) => `${prefix}task-feedback:${taskId}`;
  const { ttlMs, blockedTtlMs } = parsed;
  // State read back from Redis is untrusted: a damaged value is skipped with a warning naming its key.
  const damaged = (entries: string[]) => reportDamaged(`redisStatsStore (prefix "${prefix}")`, entries);
  const count = (raw: string | null | undefined, where: string): number => {
    if (raw === null || raw === undefined) return 0;
    const value = storedCount(raw);
    if (value === undefined) damaged([`${where} = ${JSON.stringify(raw.slice(0, 40))}`]);
    return value ?? 0;
  };

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
          await exec(redis.multi().hincrby(key, field, 1).pexpire(key, ttlMs));
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
          return {
            accepted: count(accepted, `${statsKey(taskClass)} accepted:${modelId}`),
            failed: count(failed, `${statsKey(taskClass)} failed:${modelId}`),
          };
        },
        () => ({ accepted: 0, failed: 0 }),
      );
    },
    async block(taskId, at) {
      await link.value(
        "block",
        async (redis) => {
          const key = givenUpPrefix + taskId;
          if (blockedTtlMs === undefined) await redis.set(key, String(at));
          else await redis.set(key, String(at), "PX", blockedTtlMs);
        },
        () => undefined,
      );
    },
    async blockedAt(taskId) {
      return link.value(
        "blockedAt",
        async (redis) => {
          const at = await redis.get(givenUpPrefix + taskId);
          if (at === null) return undefined;
          const when = storedCount(at);
          if (when === undefined) damaged([`${givenUpPrefix}${taskId} = ${JSON.stringify(at.slice(0, 40))}`]);
          return when;
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
    async recordTaskFailure(taskId, { rung, modelId, failure, at, keep }) {
      await link.value(
        "recordTaskFailure",
        async (redis) => {
          const state = taskKey(taskId);
          const feedback = feedbackKey(taskId);
          const kept = Math.max(0, Math.floor(keep));
          const tx = redis
            .multi()
            .hincrby(state, "failures", 1)
            .hset(state, "rung", rung, "modelId", modelId, "updatedAt", at)
            .hdel(state, ...startedFields)
            .rpush(feedback, JSON.stringify(failure));
          // LTRIM with -0 would keep everything: keep 0 means no feedback at all.
          if (kept === 0) tx.del(feedback);
          else tx.ltrim(feedback, -kept, -1);
          if (ttlMs !== undefined) tx.pexpire(state, ttlMs).pexpire(feedback, ttlMs);
          await exec(tx);
        },
        () => undefined,
      );
    },
    async getTaskState(taskId) {
      return link.value(
        "getTaskState",
        async (redis) => {
          const [hash, list] = (await exec(
            redis.multi().hgetall(taskKey(taskId)).lrange(feedbackKey(taskId), 0, -1),
          )) as [Record<string, string>, string[]];
          if (hash.failures === undefined) return undefined;
          const failures = storedCount(hash.failures);
          const rung = storedCount(hash.rung ?? "0");
          const updatedAt = storedCount(hash.updatedAt ?? "0");
          if (failures === undefined || rung === undefined || updatedAt === undefined) {
            damaged([`${taskKey(taskId)} (failures, rung or updatedAt is not a whole number ≥ 0)`]);
            return undefined;
          }
          const feedback = list.flatMap((entry) => parseFailure(entry));
          if (feedback.length < list.length)
            damaged([
              `${feedbackKey(taskId)}: ${list.length - feedback.length} entr${list.length - feedback.length === 1 ? "y is" : "ies are"} not a failure`,
            ]);
          const state: TaskState = { failures, rung, modelId: hash.modelId ?? "", feedback, updatedAt };
          if (hash.startedAt !== undefined) {
            const startedRung = storedCount(hash.startedRung);
            const startedAt = storedCount(hash.startedAt);
            if (startedRung === undefined || startedAt === undefined || hash.startedModelId === undefined)
              damaged([`${taskKey(taskId)} (startedRung, startedModelId or startedAt is damaged)`]);
            else state.started = { rung: startedRung, modelId: hash.startedModelId, at: startedAt };
          }
          return state;
        },
        () => undefined,
      );
    },
    async startTaskAttempt(taskId, { rung, modelId, at }) {
      await link.value(
        "startTaskAttempt",
        async (redis) => {
          const state = taskKey(taskId);
          // A task with no state gets one (failures 0); one with a state keeps it and gains the mark.
          const tx = redis
            .multi()
            .hsetnx(state, "failures", 0)
            .hsetnx(state, "rung", rung)
            .hsetnx(state, "modelId", modelId)
            .hsetnx(state, "updatedAt", at)
            .hset(state, "startedRung", rung, "startedModelId", modelId, "startedAt", at);
          if (ttlMs !== undefined) tx.pexpire(state, ttlMs);
          await exec(tx);
        },
        () => undefined,
      );
    },
    async endTaskAttempt(taskId) {
      await link.value(
        "endTaskAttempt",
        async (redis) => {
          await redis.hdel(taskKey(taskId), ...startedFields);
        },
        () => undefined,
      );
    },
    async resetTask(taskId) {
      await link.value(
        "resetTask",
        async (redis) => {
          await redis.del(taskKey(taskId), feedbackKey(taskId));
        },
        () => undefined,
      );
    },
    async snapshot() {
      const snapshot: StatsSnapshot = { version: 1, stats: {}, blocked: await this.blocked(), tasks: {} };
      const stats = await link.value(
        "snapshot",
        async (redis) => {
          const out: StatsSnapshot["stats"] = {};
          for (const key of await scanKeys(redis, `${escapeGlob(prefix)}stats:*`)) {
            const byModel: Record<string, RungStats> = {};
            for (const [field, raw] of Object.entries(await redis.hgetall(key))) {
              const colon = field.indexOf(":");
              const side = field.slice(0, colon);
              if (colon < 0 || (side !== "accepted" && side !== "failed")) continue;
              const modelId = field.slice(colon + 1);
              const counts = Object.hasOwn(byModel, modelId) ? byModel[modelId]! : { accepted: 0, failed: 0 };
              counts[side] = count(raw, `${key} ${field}`);
              put(byModel, modelId, counts);
            }
            put(out, key.slice(`${prefix}stats:`.length), byModel);
          }
          return out;
        },
        () => ({}),
      );
      snapshot.stats = stats;
      const taskIds = await link.value(
        "snapshot",
        async (redis) =>
          (await scanKeys(redis, `${escapeGlob(prefix)}task:*`)).map((key) =>
            key.slice(`${prefix}task:`.length),
          ),
        () => [] as string[],
      );
      for (const taskId of taskIds) {
        const state = await this.getTaskState(taskId);
        if (state !== undefined) put(snapshot.tasks!, taskId, state);
      }
      return snapshot;
    },
    async blocked() {
      return link.value(
        "blocked",
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
              const when = value === null || value === undefined ? undefined : storedCount(value);
              if (value !== null && value !== undefined && when === undefined)
                damaged([`${key} = ${JSON.stringify(value.slice(0, 40))}`]);
              if (when !== undefined) {
                Object.defineProperty(out, key.slice(givenUpPrefix.length), {
                  value: when,
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

/** The task hash's fields of the attempt in flight (`TaskState.started`). */
const startedFields = ["startedRung", "startedModelId", "startedAt"] as const;

/** Runs a MULTI transaction; the first failed command's error is thrown. Returns the replies. */
async function exec(tx: ReturnType<RedisClient["multi"]>): Promise<unknown[]> {
  const replies = await tx.exec();
  if (replies === null) throw new Error("the transaction was aborted");
  const failed = replies.find(([error]) => error !== null);
  if (failed !== undefined) throw failed[0];
  return replies.map(([, value]) => value);
}

/** One stored failure, or nothing when the entry is not a failure (a foreign or damaged value is skipped). */
function parseFailure(entry: string): Failure[] {
  try {
    const value = JSON.parse(entry) as Partial<Failure> | null;
    if (
      typeof value !== "object" ||
      value === null ||
      typeof value.modelId !== "string" ||
      typeof value.kind !== "string" ||
      !Array.isArray(value.attempts)
    ) {
      return [];
    }
    return [value as Failure];
  } catch {
    return [];
  }
}

/** Escapes Redis glob characters so a prefix matches literally. @internal */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
