// `rungs stats`, `rungs blocked` and `rungs unblock` on a Redis store (--store redis://..., --prefix), against
// the project's redis-server, as an operator of a fleet runs them.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer } from "../../scripts/redis-server.js";
import { redisStatsStore } from "../../src/redis/index.js";
import { cli } from "../cli/helpers.js";
import { client, dropPrefix, freshPrefix, redisUrl } from "./support.js";

const redis = client();
const prefix = freshPrefix();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rungs-cli-redis-"));
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe("the store commands on a Redis store", () => {
  it("stats, blocked and unblock read and change what the workers share", async () => {
    const store = redisStatsStore({ redis, prefix });
    await store.record({ taskClass: "sql", modelId: "ollama:a", accepted: true });
    await store.record({ taskClass: "sql", modelId: "ollama:a", accepted: false });
    const failure = { attempts: [1], modelId: "ollama:b", kind: "rejected" as const };
    await store.recordTaskFailure("t-blocked", { rung: 1, modelId: "ollama:b", failure, at: 1_000, keep: 8 });
    await store.block("t-blocked", 2_000);
    await store.recordTaskFailure("t-escalated", {
      rung: 0,
      modelId: "ollama:a",
      failure,
      at: 3_000,
      keep: 8,
    });
    const at = ["--store", redisUrl(), "--prefix", prefix];

    const stats = await cli(["stats", ...at], { cwd: dir });
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toMatch(/sql +ollama:a +1 +1 +0\.50/);
    expect(stats.stdout).toMatch(
      /Blocked tasks \(1\)[\s\S]*t-blocked +1970-01-01T00:00:02\.000Z +ollama:b \(rung 1\)/,
    );
    expect(stats.stdout).toMatch(/Escalated tasks \(1\)[\s\S]*t-escalated +1 +ollama:a \(rung 0\)/);
    expect(JSON.parse((await cli(["stats", ...at, "--json"], { cwd: dir })).stdout)).toMatchObject({
      version: 1,
      stats: { sql: { "ollama:a": { accepted: 1, failed: 1 } } },
      blocked: { "t-blocked": 2_000 },
      tasks: { "t-escalated": { failures: 1, rung: 0, modelId: "ollama:a" } },
    });
    expect(JSON.parse((await cli(["blocked", ...at, "--json"], { cwd: dir })).stdout)).toEqual({
      "t-blocked": 2_000,
    });

    const unblock = await cli(["unblock", "t-blocked", ...at], { cwd: dir });
    expect(unblock.code, unblock.stderr).toBe(0);
    expect(unblock.stdout).toContain('its next run starts above "ollama:b"');
    expect(await store.blockedAt("t-blocked")).toBeUndefined();
    await cli(["unblock", "t-escalated", ...at, "--reset"], { cwd: dir });
    expect(await store.getTaskState("t-escalated")).toBeUndefined();
    expect((await cli(["blocked", ...at], { cwd: dir })).stdout).toBe("No blocked tasks.\n");
    // Another prefix is another fleet: nothing there.
    expect((await cli(["blocked", "--store", redisUrl(), "--prefix", "other:"], { cwd: dir })).stdout).toBe(
      "No blocked tasks.\n",
    );
  });

  it("a Redis that cannot be reached is an error (exit 4) naming the URL without its password, never an empty list", async () => {
    const server = await startRedisServer();
    await server.stop(); // nothing listens on this port now
    const url = server.url.replace("redis://", "redis://:s3cret-pw@");
    for (const command of [["stats"], ["blocked"], ["unblock", "t"]]) {
      const result = await cli([...command, "--store", url], { cwd: dir });
      expect(result.code, command.join(" ")).toBe(4);
      expect(result.stderr).toMatch(/Cannot read the Redis store at redis:\/\/.*127\.0\.0\.1/);
      expect(result.stderr).not.toContain("s3cret-pw");
      expect(result.stdout).toBe("");
    }
  });
});
