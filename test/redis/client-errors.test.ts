// rungs/redis attaches an 'error' listener to the client it is given: a Redis that is down never makes
// ioredis print "[ioredis] Unhandled error event", and the outage is reported once, through a process
// warning (RUNGS_REDIS_ERROR), however many reconnects fail.
import { Redis } from "ioredis";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type RedisServer, startRedisServer } from "../../scripts/redis-server.js";
import { redisCircuitBreakers, redisStatsStore } from "../../src/redis/index.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Every process warning and console.error line while the test runs (captured, so none is printed). */
function capture() {
  const warnings: { message: string; code: string | undefined }[] = [];
  const emitWarning = vi.spyOn(process, "emitWarning").mockImplementation(((
    warning: string | Error,
    options?: { code?: string } | string,
  ) => {
    const code = typeof options === "object" ? options.code : undefined;
    warnings.push({ message: String(warning instanceof Error ? warning.message : warning), code });
  }) as typeof process.emitWarning);
  const consoleError = vi.spyOn(console, "error").mockImplementation(() => undefined);
  cleanup.push(() => {
    emitWarning.mockRestore();
    consoleError.mockRestore();
  });
  return { warnings, consoleError };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("a Redis client that cannot reach its server", () => {
  it("a stopped server: no 'Unhandled error event', one RUNGS_REDIS_ERROR warning for many failed reconnects", async () => {
    const server: RedisServer = await startRedisServer();
    cleanup.push(() => server.stop());
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 20 });
    cleanup.push(() => redis.disconnect());
    await redis.ping();
    const { warnings, consoleError } = capture();
    let reconnects = 0;
    redisStatsStore({ redis });
    redisCircuitBreakers({ redis }); // a second part on the same client adds no second report
    // Each failed reconnect emits 'error' (rungs' listener is the only one), then 'reconnecting'.
    redis.on("reconnecting", () => (reconnects += 1));
    await server.stop();
    await until(() => reconnects >= 4, "four failed reconnects");

    expect(consoleError.mock.calls.map((call) => String(call[0]))).not.toContainEqual(
      expect.stringContaining("Unhandled error event"),
    );
    const reported = warnings.filter((w) => w.code === "RUNGS_REDIS_ERROR");
    expect(reported).toHaveLength(1);
    expect(reported[0]!.message).toMatch(/rungs\/redis: .*Redis .*(ECONNREFUSED|closed|connect)/i);
  });

  it("a closed port from the start: the first error is reported, not printed by ioredis", async () => {
    const server = await startRedisServer();
    const url = server.url;
    await server.stop(); // nothing listens on this port now
    const { warnings, consoleError } = capture();
    const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    cleanup.push(() => redis.disconnect());
    redisStatsStore({ redis });
    await until(() => warnings.some((w) => w.code === "RUNGS_REDIS_ERROR"), "the warning");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(consoleError).not.toHaveBeenCalled();
    expect(warnings.filter((w) => w.code === "RUNGS_REDIS_ERROR")).toHaveLength(1);
  });
});
