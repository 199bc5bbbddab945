import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvalidArgumentError, ProviderError } from "../../src/index.js";
import { ollamaModel } from "../../src/providers/ollama/index.js";
import { redisRateGate, redisRetryQuota } from "../../src/redis/index.js";
import { chatStream, type FakeOllama, json, ndjson, startFakeOllama } from "../e2e/fake-ollama.js";
import { client, dropPrefix, freshPrefix } from "./support.js";

let redis: Redis;
let server: FakeOllama;
const prefixes: string[] = [];
const prefix = () => {
  const p = freshPrefix();
  prefixes.push(p);
  return p;
};
const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

beforeAll(() => {
  redis = client();
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(redis, p);
  await redis.quit();
});
beforeEach(async () => {
  server = await startFakeOllama();
});
afterEach(async () => {
  await server.close();
});

describe("redisRateGate", () => {
  it("allows `limit` requests per window across every worker sharing the name", async () => {
    const p = prefix();
    const a = redisRateGate({ redis, prefix: p, name: "key-1", limit: 3, windowSeconds: 60 });
    const b = redisRateGate({ redis, prefix: p, name: "key-1", limit: 3, windowSeconds: 60 });
    const other = redisRateGate({ redis, prefix: p, name: "key-2", limit: 3, windowSeconds: 60 });
    expect(await Promise.all([a.take(), b.take(), a.take()])).toEqual([0, 0, 0]);
    const wait = await b.take();
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect(await other.take()).toBe(0);
  });

  it("gates a provider's requests: past the limit a call fails fast as rate-limited without a request", async () => {
    const gate = redisRateGate({ redis, prefix: prefix(), name: "ollama-key", limit: 2, windowSeconds: 60 });
    server.script(
      (res) => ndjson(res, chatStream(["one"])),
      (res) => ndjson(res, chatStream(["two"])),
      (res) => ndjson(res, chatStream(["three"])),
    );
    // Two workers' providers on one API key share the gate.
    const first = ollamaModel({ model: "m", host: server.url, retry: { gate, maxRetryAfterMs: 1_000 } });
    const second = ollamaModel({ model: "m", host: server.url, retry: { gate, maxRetryAfterMs: 1_000 } });
    expect((await first.generate(ask("a"))).text).toBe("one");
    expect((await second.generate(ask("b"))).text).toBe("two");
    const error = await first.generate(ask("c")).catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind: "rate-limited" });
    expect((error as Error).message).toMatch(/rate gate has no free request slot.*maxRetryAfterMs/);
    expect(server.chats).toHaveLength(2);
  });

  it("refuses bad options", () => {
    expect(() => redisRateGate({ redis, name: "k", limit: 0 })).toThrow(InvalidArgumentError);
    expect(() => redisRateGate({ redis, name: "", limit: 1 })).toThrow(/option "name"/);
    expect(() => redisRateGate({ redis, name: "k", limit: 1, windowSeconds: 0.5 })).toThrow(/windowSeconds/);
  });
});

describe("redisRetryQuota", () => {
  it("one token bucket for the fleet: concurrent debits never overdraw it; refunds stop at capacity", async () => {
    const p = prefix();
    const quotas = Array.from({ length: 4 }, () =>
      redisRetryQuota({ redis, prefix: p, name: "key", capacity: 500, retryCost: 5, successRefund: 1 }),
    );
    const debits = await Promise.all(Array.from({ length: 140 }, (_, i) => quotas[i % 4]!.tryDebit()));
    expect(debits.filter(Boolean)).toHaveLength(100);
    expect(await quotas[2]!.available()).toBe(0);
    await quotas[0]!.refund();
    expect(await quotas[3]!.available()).toBe(1);
    const fresh = redisRetryQuota({ redis, prefix: prefix(), name: "key", capacity: 3 });
    await fresh.refund();
    expect(await fresh.available()).toBe(3);
  });

  it("a provider's transport retries draw on it: a spent fleet quota stops retrying", async () => {
    const quota = redisRetryQuota({ redis, prefix: prefix(), name: "key", capacity: 5, retryCost: 5 });
    server.script(
      (res) => json(res, 503, { error: "overloaded" }),
      (res) => ndjson(res, chatStream(["ok"])),
      (res) => json(res, 503, { error: "overloaded" }),
      (res) => ndjson(res, chatStream(["never"])),
    );
    const model = ollamaModel({
      model: "m",
      host: server.url,
      retry: { quota, initialDelayMs: 0, maxRetries: 3 },
    });
    expect((await model.generate(ask("a"))).text).toBe("ok");
    expect(await quota.available()).toBe(1); // 5 - 5 for the retry + 1 back for the success
    const error = await model.generate(ask("b")).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "server-error" });
    expect(server.chats).toHaveLength(3);
  });
});
