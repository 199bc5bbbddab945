// Shared by the Redis tests: a client on the project's redis-server, a fresh key prefix per test, cleanup.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { inject } from "vitest";

export const redisUrl = (): string => inject("redisUrl");

/** A client that fails fast instead of retrying forever (the tests stop servers on purpose). */
export function client(url = redisUrl()): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
}

/** A key prefix no other test uses. */
export function freshPrefix(): string {
  return `test:${randomUUID()}:`;
}

/** Deletes every key under `prefix`. */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}
