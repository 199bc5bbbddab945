// The store contract (rungs/testing) against redisStatsStore on the real redis-server the test setup starts:
// each check on a fresh key prefix, dropped afterwards.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, it } from "vitest";
import { redisStatsStore } from "../../src/redis/index.js";
import { statsStoreContract } from "../../src/testing/index.js";
import { client, dropPrefix, freshPrefix } from "./support.js";

let redis: Redis;
const prefixes: string[] = [];

beforeAll(() => {
  redis = client();
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(redis, p);
  await redis.quit();
});

describe("statsStoreContract: redisStatsStore", () => {
  const checks = statsStoreContract(() => {
    const prefix = freshPrefix();
    prefixes.push(prefix);
    return redisStatsStore({ redis, prefix, whenUnavailable: "fail-closed" });
  });
  for (const check of checks) it(check.name, check.run);
});
