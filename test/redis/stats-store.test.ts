import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlockedTaskError, ExhaustedError, escalateAcross, InvalidArgumentError } from "../../src/index.js";
import { RedisEvents, redisStatsStore } from "../../src/redis/index.js";
import { scriptedModel } from "../../src/testing/index.js";
import { ask, containsOk } from "../attempts/helpers.js";
import { captureWarnings } from "../support/warnings.js";
import { client, dropPrefix, freshPrefix } from "./support.js";

let redis: Redis;
const prefixes: string[] = [];
const prefix = () => {
  const p = freshPrefix();
  prefixes.push(p);
  return p;
};

beforeAll(() => {
  redis = client();
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(redis, p);
  await redis.quit();
});

describe("redisStatsStore", () => {
  it("counts accepts and fails per task class and model, under its prefix", async () => {
    const p = prefix();
    const store = redisStatsStore({ redis, prefix: p });
    await store.record({ taskClass: "sql", modelId: "small", accepted: true });
    await store.record({ taskClass: "sql", modelId: "small", accepted: false });
    await store.record({ taskClass: "sql", modelId: "small", accepted: false });
    await store.record({ taskClass: "prose", modelId: "small", accepted: true });
    expect(await store.stats("sql", "small")).toEqual({ accepted: 1, failed: 2 });
    expect(await store.stats("prose", "small")).toEqual({ accepted: 1, failed: 0 });
    expect(await store.stats("sql", "large")).toEqual({ accepted: 0, failed: 0 });
    // Another prefix is another store.
    expect(await redisStatsStore({ redis, prefix: prefix() }).stats("sql", "small")).toEqual({
      accepted: 0,
      failed: 0,
    });
    expect(await redis.hgetall(`${p}stats:sql`)).toEqual({ "accepted:small": "1", "failed:small": "2" });
  });

  it("loses no update under many concurrent writers", async () => {
    const store = redisStatsStore({ redis, prefix: prefix() });
    await Promise.all(
      Array.from({ length: 2_000 }, (_, i) =>
        store.record({ taskClass: "c", modelId: "m", accepted: i % 4 === 0 }),
      ),
    );
    expect(await store.stats("c", "m")).toEqual({ accepted: 500, failed: 1_500 });
  });

  it("gives up, lists and unblocks tasks; ttlMs and blockedTtlMs set expiries", async () => {
    const p = prefix();
    const store = redisStatsStore({ redis, prefix: p, ttlMs: 60_000, blockedTtlMs: 120_000 });
    await store.block("task:1", 1_700_000_000_123);
    await store.block("task*2", 5);
    expect(await store.blockedAt("task:1")).toBe(1_700_000_000_123);
    expect(await store.blockedAt("task:3")).toBeUndefined();
    expect(await store.blocked()).toEqual({ "task:1": 1_700_000_000_123, "task*2": 5 });
    expect(await store.unblock("task:1")).toBe(true);
    expect(await store.unblock("task:1")).toBe(false);
    expect(await store.blockedAt("task:1")).toBeUndefined();
    await store.record({ taskClass: "c", modelId: "m", accepted: true });
    const statsTtl = await redis.pttl(`${p}stats:c`);
    expect(statsTtl).toBeGreaterThan(50_000);
    expect(statsTtl).toBeLessThanOrEqual(60_000);
    const givenUpTtl = await redis.pttl(`${p}blocked:task*2`);
    expect(givenUpTtl).toBeGreaterThan(110_000);
    // Without blockedTtlMs a give-up never expires.
    const plain = redisStatsStore({ redis, prefix: p });
    await plain.block("forever", 1);
    expect(await redis.pttl(`${p}blocked:forever`)).toBe(-1);
  });

  it("drives the engine: a blocked task is blocked until unblocked; learned rates come from Redis", async () => {
    const store = redisStatsStore({ redis, prefix: prefix() });
    const a = scriptedModel("a", ["no"], { whenDone: "repeat-last" });
    const b = scriptedModel("b", ["no"], { whenDone: "repeat-last" });
    const ladder = escalateAcross([a, b], { rubric: containsOk, store });
    const request = ask("t", { taskId: "job-9", taskClass: "cls" });
    await expect(ladder.generate(request)).rejects.toThrow(ExhaustedError);
    expect(await store.blockedAt("job-9")).toBeTypeOf("number");
    expect(await store.stats("cls", "a")).toEqual({ accepted: 0, failed: 1 });
    const blocked = await ladder.generate(request).catch((error: unknown) => error);
    expect(BlockedTaskError.isInstance(blocked)).toBe(true);
    expect(await store.unblock("job-9")).toBe(true);
    await expect(ladder.generate(request)).rejects.toThrow(ExhaustedError);
  });

  it("keeps each task's escalation state atomically: failures counted, newest `keep` feedback kept, reset", async () => {
    const p = prefix();
    const store = redisStatsStore({ redis, prefix: p, ttlMs: 60_000 });
    const failure = (n: number) => ({
      attempts: [n],
      modelId: `m${n % 2}`,
      kind: "rejected" as const,
      message: `#${n}`,
    });
    expect(await store.getTaskState("t")).toBeUndefined();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.recordTaskFailure("t", {
          rung: i % 3,
          modelId: `m${i % 2}`,
          failure: failure(i),
          at: 1_000 + i,
          keep: 3,
        }),
      ),
    );
    const state = await store.getTaskState("t");
    expect(state?.failures).toBe(200);
    expect(state?.feedback).toHaveLength(3);
    // The last write wins for rung/modelId/updatedAt, and its failure is the newest feedback entry.
    const last = state!.feedback.at(-1)!;
    const n = Number(last.message!.slice(1));
    expect(state).toMatchObject({ rung: n % 3, modelId: `m${n % 2}`, updatedAt: 1_000 + n });
    expect(await redis.pttl(`${p}task:t`)).toBeGreaterThan(50_000);
    await store.recordTaskFailure("t", { rung: 1, modelId: "m1", failure: failure(7), at: 5, keep: 0 });
    expect((await store.getTaskState("t"))?.feedback).toEqual([]);
    // A damaged entry is skipped with a warning, not thrown.
    const warnings = captureWarnings();
    await redis.rpush(
      `${p}task-feedback:t`,
      "{not json",
      JSON.stringify({ nope: 1 }),
      JSON.stringify(failure(9)),
    );
    expect((await store.getTaskState("t"))?.feedback).toEqual([failure(9)]);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining("2 entries are not a failure")]);
    await store.resetTask("t");
    expect(await store.getTaskState("t")).toBeUndefined();
    expect(await redis.exists(`${p}task:t`, `${p}task-feedback:t`)).toBe(0);
  });

  it("refuses bad options with the option's name", () => {
    expect(() => redisStatsStore({ redis: {} as Redis })).toThrow(InvalidArgumentError);
    expect(() => redisStatsStore({ redis: {} as Redis })).toThrow(/option "redis" must be an ioredis client/);
    expect(() => redisStatsStore({ redis, ttlMs: 0 })).toThrow(/option "ttlMs" must be at least 1/);
    expect(() => redisStatsStore({ redis, whenUnavailable: "maybe" as "fail-open" })).toThrow(
      /whenUnavailable/,
    );
    expect(() => redisStatsStore({ redis, events: new RedisEvents(), extra: 1 } as never)).toThrow(
      InvalidArgumentError,
    );
  });

  it("skips a damaged stored value with a warning naming its key: never NaN counts, a NaN block or a NaN rung", async () => {
    const p = prefix();
    const store = redisStatsStore({ redis, prefix: p });
    await redis.hset(`${p}stats:c`, "accepted:m", "lots", "failed:m", "2", "accepted:n", "-3");
    await redis.set(`${p}blocked:t`, "soon");
    await redis.set(`${p}blocked:u`, "12");
    await redis.hset(`${p}task:t`, "failures", "x", "rung", "1", "modelId", "m", "updatedAt", "5");
    await redis.hset(`${p}task:v`, "failures", "2", "rung", "1", "modelId", "m", "updatedAt", "5");
    await redis.rpush(
      `${p}task-feedback:v`,
      "{not json",
      JSON.stringify({ attempts: [1], modelId: "m", kind: "rejected" }),
    );
    const warnings = captureWarnings();
    expect(await store.stats("c", "m")).toEqual({ accepted: 0, failed: 2 });
    expect(await store.stats("c", "n")).toEqual({ accepted: 0, failed: 0 });
    expect(await store.blockedAt("t")).toBeUndefined();
    expect(await store.blockedAt("u")).toBe(12);
    expect(await store.getTaskState("t")).toBeUndefined();
    expect(await store.getTaskState("v")).toMatchObject({
      failures: 2,
      rung: 1,
      feedback: [{ modelId: "m" }],
    });
    expect(await store.blocked()).toEqual({ u: 12 });
    const damage = warnings
      .filter((w) => w.code === "RUNGS_STATS_STORE_DAMAGED")
      .map((w) => w.message)
      .join("\n");
    for (const key of ["stats:c accepted:m", "stats:c accepted:n", "blocked:t", "task:t", "task-feedback:v"])
      expect(damage).toContain(`${p}${key}`);
  });
});
