// Redis stopped mid-run: each part does what its `whenUnavailable` says, reports it, and recovers.
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { type RedisServer, startRedisServer } from "../../scripts/redis-server.js";
import { escalateAcross } from "../../src/index.js";
import {
  RedisEvents,
  RedisUnavailableError,
  type RedisUnavailableEvent,
  redisCircuitBreakers,
  redisRateGate,
  redisRetryQuota,
  redisStatsStore,
} from "../../src/redis/index.js";
import { scriptedModel } from "../../src/testing/index.js";
import { ask, containsOk } from "../attempts/helpers.js";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A server of this test's own (so stopping it disturbs no other test) and a client that fails fast. */
async function ownServer(): Promise<{ server: RedisServer; redis: Redis }> {
  const server = await startRedisServer();
  cleanup.push(() => server.stop());
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  redis.on("error", () => undefined); // reconnect errors are expected here: the server is stopped on purpose
  cleanup.push(async () => redis.disconnect());
  await redis.ping();
  return { server, redis };
}

function collect(events: RedisEvents): RedisUnavailableEvent[] {
  const seen: RedisUnavailableEvent[] = [];
  events.on("unavailable", (event) => seen.push(event));
  return seen;
}

describe("Redis stopped mid-run", () => {
  it("fail-open (default): the run finishes as if nothing were shared, and every miss is reported", async () => {
    const { server, redis } = await ownServer();
    const events = new RedisEvents();
    const seen = collect(events);
    const store = redisStatsStore({ redis, events, timeoutMs: 500 });
    const breakers = redisCircuitBreakers({ redis, events, timeoutMs: 500 });
    // The first rung's call stops Redis; everything after it runs against a dead server.
    const first = scriptedModel("first", [
      async () => {
        await server.stop();
        return "no";
      },
    ]);
    const second = scriptedModel("second", ["ok"]);
    const started = Date.now();
    const answer = await escalateAcross([first, second], { rubric: containsOk, store, breakers }).generate(
      ask("t", { taskId: "job-1", taskClass: "cls" }),
    );
    expect(answer.modelId).toBe("second");
    expect(Date.now() - started).toBeLessThan(5_000);
    // The first rung's release and record, the second rung's admit, release and record all missed Redis.
    expect(seen.map((e) => `${e.source}:${e.operation}`)).toEqual(
      expect.arrayContaining(["breakers:release", "stats-store:record", "breakers:admit"]),
    );
    expect(seen.every((e) => e.mode === "fail-open" && e.message.length > 0)).toBe(true);
    expect(await store.blockedAt("job-1")).toBeUndefined();
    expect(await store.stats("cls", "first")).toEqual({ accepted: 0, failed: 0 });
  });

  it("fail-closed: the store throws RedisUnavailableError within timeoutMs; breakers refuse the rung", async () => {
    const { server, redis } = await ownServer();
    const events = new RedisEvents();
    const seen = collect(events);
    const store = redisStatsStore({ redis, events, whenUnavailable: "fail-closed", timeoutMs: 300 });
    const breakers = redisCircuitBreakers({ redis, events, whenUnavailable: "fail-closed", timeoutMs: 300 });
    await store.block("job-2", 7);
    await server.stop();

    const started = Date.now();
    const error = await store.blockedAt("job-2").catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(RedisUnavailableError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ source: "stats-store", operation: "blockedAt" });
    expect((error as Error).message).toMatch(/fail-closed/);

    const model = scriptedModel("m", ["ok"]);
    const backup = scriptedModel("backup", ["ok"]);
    const skips: string[] = [];
    const failed = await escalateAcross([model, backup], { rubric: containsOk, breakers })
      .generate(ask("t"))
      .catch((e: unknown) => e);
    expect(model.calls).toHaveLength(0);
    expect(backup.calls).toHaveLength(0);
    expect((failed as Error).message).toMatch(/no rung could be tried/);
    skips.push(...seen.map((e) => `${e.source}:${e.operation}:${e.mode}`));
    expect(skips).toEqual(
      expect.arrayContaining(["stats-store:blockedAt:fail-closed", "breakers:admit:fail-closed"]),
    );
  });

  it("reports restored once Redis answers again, and shared state works from then on", async () => {
    const { server, redis } = await ownServer();
    const events = new RedisEvents();
    const seen = collect(events);
    const restored: string[] = [];
    events.on("restored", (event) => restored.push(event.source));
    const store = redisStatsStore({ redis, events, timeoutMs: 300 });
    await server.stop();
    expect(await store.stats("c", "m")).toEqual({ accepted: 0, failed: 0 });
    expect(seen).toHaveLength(1);
    const again = await startRedisServer({ port: server.port });
    cleanup.push(() => again.stop());
    await new Promise<void>((resolve) => {
      if (redis.status === "ready") resolve();
      else redis.once("ready", () => resolve());
    });
    await store.record({ taskClass: "c", modelId: "m", accepted: true });
    expect(await store.stats("c", "m")).toEqual({ accepted: 1, failed: 0 });
    expect(restored).toEqual(["stats-store"]);
  });

  it("the rate gate and the retry quota: fail-open lets requests and retries go, fail-closed refuses them", async () => {
    const { server, redis } = await ownServer();
    const events = new RedisEvents();
    const seen = collect(events);
    const part = { redis, events, timeoutMs: 300, name: "key" };
    const openGate = redisRateGate({ ...part, limit: 1 });
    const closedGate = redisRateGate({ ...part, limit: 1, whenUnavailable: "fail-closed" });
    const openQuota = redisRetryQuota(part);
    const closedQuota = redisRetryQuota({ ...part, whenUnavailable: "fail-closed" });
    await server.stop();
    expect(await openGate.take()).toBe(0);
    expect(await closedGate.take()).toBe(Number.POSITIVE_INFINITY);
    expect(await openQuota.tryDebit()).toBe(true);
    expect(await closedQuota.tryDebit()).toBe(false);
    await openQuota.refund(); // never rejects
    expect(seen.map((e) => `${e.source}:${e.operation}:${e.mode}`)).toEqual([
      "rate-gate:take:fail-open",
      "rate-gate:take:fail-closed",
      "retry-quota:tryDebit:fail-open",
      "retry-quota:tryDebit:fail-closed",
      "retry-quota:refund:fail-open",
    ]);
  });
});
