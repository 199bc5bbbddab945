import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escalateAcross, ProviderError } from "../../src/index.js";
import { redisCircuitBreakers } from "../../src/redis/index.js";
import { manualClock, scriptedModel } from "../../src/testing/index.js";
import { ask, containsOk } from "../attempts/helpers.js";
import { client, dropPrefix, freshPrefix } from "./support.js";

let redis: Redis;
const prefixes: string[] = [];
const prefix = () => {
  const p = freshPrefix();
  prefixes.push(p);
  return p;
};
const serverError = () => new ProviderError("HTTP 503", { kind: "server-error", providerId: "test" });

beforeAll(() => {
  redis = client();
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(redis, p);
  await redis.quit();
});

describe("redisCircuitBreakers", () => {
  it("opens after failureThreshold provider failures in a row; rejected answers and successes do not count", async () => {
    const clock = manualClock(1_000_000);
    const breakers = redisCircuitBreakers({
      redis,
      prefix: prefix(),
      failureThreshold: 3,
      openMs: 10_000,
      clock,
    });
    const fail = async () => {
      const admission = await breakers.admit("m");
      await admission.permit?.release("server-error");
    };
    await fail();
    await fail();
    const rejected = await breakers.admit("m");
    await rejected.permit?.release("rejected");
    // A success (or a rejected answer: a working provider) forgets the failures.
    expect(await breakers.state("m")).toEqual({ state: "closed", consecutiveFailures: 0 });
    await fail();
    await fail();
    await fail();
    expect(await breakers.state("m")).toEqual({ state: "open", consecutiveFailures: 3, openedAt: 1_000_000 });
    expect(await breakers.admit("m")).toEqual({ retryAt: 1_010_000 });
  });

  it("opens at once on auth / model-not-found / quota-exhausted", async () => {
    const breakers = redisCircuitBreakers({ redis, prefix: prefix(), failureThreshold: 5 });
    const admission = await breakers.admit("m");
    await admission.permit?.release("auth");
    expect((await breakers.state("m")).state).toBe("open");
  });

  it("half-open lets exactly one probe through among many concurrent callers; its success closes", async () => {
    const clock = manualClock(0);
    const options = { redis, prefix: prefix(), failureThreshold: 1, openMs: 1_000, clock };
    // Several registries on one prefix stand for several workers.
    const workers = Array.from({ length: 5 }, () => redisCircuitBreakers(options));
    await (await workers[0]!.admit("m")).permit?.release("server-error");
    expect((await workers[3]!.state("m")).state).toBe("open");
    await clock.advance(1_000);
    const admissions = await Promise.all(workers.flatMap((w) => [w.admit("m"), w.admit("m")]));
    const probes = admissions.filter((a) => a.permit !== undefined);
    expect(probes).toHaveLength(1);
    expect(probes[0]!.permit!.probe).toBe(true);
    // The others see a probe in flight (no retryAt).
    expect(admissions.filter((a) => a.permit === undefined && a.retryAt === undefined)).toHaveLength(9);
    await probes[0]!.permit!.release("success");
    expect(await workers[1]!.state("m")).toEqual({ state: "closed", consecutiveFailures: 0 });
    expect((await workers[2]!.admit("m")).permit?.probe).toBe(false);
  });

  it("a failed probe reopens; a probe silent past probeTimeoutMs frees the slot and its late report is ignored", async () => {
    const clock = manualClock(0);
    const breakers = redisCircuitBreakers({
      redis,
      prefix: prefix(),
      failureThreshold: 1,
      openMs: 1_000,
      probeTimeoutMs: 5_000,
      clock,
    });
    await (await breakers.admit("m")).permit?.release("network");
    await clock.advance(1_000);
    const probe = (await breakers.admit("m")).permit!;
    expect(probe).toMatchObject({ probe: true, deadline: 6_000 });
    await probe.release("server-error");
    expect(await breakers.state("m")).toMatchObject({ state: "open", openedAt: 1_000 });

    await clock.advance(1_000);
    const silent = (await breakers.admit("m")).permit!;
    expect(silent.probe).toBe(true);
    await clock.advance(5_000);
    // The probe timed out at 7_000: open from then, half-open again at 8_000.
    expect(await breakers.admit("m")).toEqual({ retryAt: 8_000 });
    await clock.advance(1_000);
    const next = (await breakers.admit("m")).permit!;
    expect(next.probe).toBe(true);
    await silent.release("success"); // too late: not the probe any more
    expect((await breakers.state("m")).state).toBe("half-open");
    await next.release("success");
    expect((await breakers.state("m")).state).toBe("closed");
  });

  it("the engine skips an open shared breaker and climbs; reset closes it fleet-wide", async () => {
    const p = prefix();
    const breakers = redisCircuitBreakers({ redis, prefix: p, failureThreshold: 1, openMs: 60_000 });
    const other = redisCircuitBreakers({ redis, prefix: p, failureThreshold: 1, openMs: 60_000 });
    const flaky = scriptedModel("flaky", [serverError()], { whenDone: "repeat-last" });
    const backup = scriptedModel("backup", ["ok"], { whenDone: "repeat-last" });
    const first = await escalateAcross([flaky, backup], { rubric: containsOk, breakers }).generate(ask("t"));
    expect(first.modelId).toBe("backup");
    expect(flaky.calls).toHaveLength(1);
    // Another worker's ladder (another registry on the same Redis) skips the open rung without calling it.
    const second = await escalateAcross([flaky, backup], { rubric: containsOk, breakers: other }).generate(
      ask("t"),
    );
    expect(second.trace?.skips).toEqual([
      expect.objectContaining({ modelId: "flaky", reason: "circuit-open" }),
    ]);
    expect(second.trace?.skips?.[0]?.detail).toMatch(/open until/);
    expect(flaky.calls).toHaveLength(1);
    await other.reset();
    expect((await breakers.state("flaky")).state).toBe("closed");
  });
});
