// Several worker processes sharing one Redis: what one learns or decides, the others see.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client, dropPrefix, freshPrefix, redisUrl } from "./support.js";

interface Worker {
  child: ChildProcess;
  send(command: Record<string, unknown>): Promise<Record<string, unknown>>;
}

function startWorker(): Promise<Worker> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/redis/fixtures/worker.ts", redisUrl()], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const pending = new Map<
    number,
    { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }
  >();
  let nextId = 1;
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => {
      const error = new Error(`worker exited with code ${code}`);
      reject(error);
      for (const p of pending.values()) p.reject(error);
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const message = JSON.parse(line) as {
        ready?: true;
        id?: number;
        result?: Record<string, unknown>;
        error?: string;
      };
      if (message.ready) {
        resolve({
          child,
          send(command) {
            const id = nextId++;
            child.stdin!.write(`${JSON.stringify({ ...command, id })}\n`);
            return new Promise((res, rej) => pending.set(id, { resolve: res, reject: rej }));
          },
        });
        return;
      }
      const waiter = pending.get(message.id!);
      pending.delete(message.id!);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result!);
    });
  });
}

let redis: Redis;
let workers: Worker[] = [];
const prefixes: string[] = [];
const prefix = () => {
  const p = freshPrefix();
  prefixes.push(p);
  return p;
};

beforeAll(async () => {
  redis = client();
  workers = await Promise.all([startWorker(), startWorker(), startWorker(), startWorker()]);
}, 60_000);

afterAll(async () => {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          w.child.once("exit", () => resolve());
          w.child.stdin!.end();
        }),
    ),
  );
  for (const p of prefixes) await dropPrefix(redis, p);
  await redis.quit();
});

describe("a fleet of worker processes on one Redis", () => {
  it("4 processes × 1,000 concurrent records lose none", async () => {
    const p = prefix();
    await Promise.all(workers.map((w, worker) => w.send({ op: "record", prefix: p, n: 1_000, worker })));
    const expected: Record<string, number> = {};
    for (let worker = 0; worker < 4; worker += 1) {
      for (let i = 0; i < 1_000; i += 1) {
        const field = `${(i + worker) % 2 === 0 ? "accepted" : "failed"}:m${i % 3}`;
        expected[field] = (expected[field] ?? 0) + 1;
      }
    }
    const stored = await redis.hgetall(`${p}stats:shared`);
    expect(Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, Number(v)]))).toEqual(expected);
    expect(Object.values(stored).reduce((sum, v) => sum + Number(v), 0)).toBe(4_000);
  });

  it("a breaker opened by one process is open in the others", async () => {
    const p = prefix();
    const opened = await workers[0]!.send({ op: "run", prefix: p, first: "auth" });
    expect(opened).toMatchObject({ exhausted: true, firstCalls: 1 });
    const others = await Promise.all(
      workers.slice(1).map((w) => w.send({ op: "run", prefix: p, first: "ok" })),
    );
    for (const result of others) {
      expect(result).toMatchObject({ exhausted: true, firstCalls: 0, skips: ["first:circuit-open"] });
    }
  });

  it("after openMs exactly one process's call goes through as the probe; its success closes the breaker", async () => {
    const p = prefix();
    const openMs = 500;
    await workers[0]!.send({ op: "run", prefix: p, first: "auth", openMs });
    const openedAt = Number(await redis.hget(`${p}breaker:first`, "openedAt"));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, openedAt + openMs - Date.now()) + 50));
    // The probe answers slowly, so the other three ask while it is in flight.
    const results = await Promise.all(
      workers.map((w) => w.send({ op: "run", prefix: p, first: "ok", delayMs: 400, openMs })),
    );
    const probed = results.filter((r) => r.firstCalls === 1);
    expect(probed).toHaveLength(1);
    expect(probed[0]).toMatchObject({ answeredBy: "first" });
    for (const r of results.filter((x) => x.firstCalls === 0)) {
      expect(r).toMatchObject({ exhausted: true, skips: ["first:circuit-open"] });
    }
    expect(await redis.exists(`${p}breaker:first`)).toBe(0); // closed, failures forgotten
    const after = await Promise.all(
      workers.map((w) => w.send({ op: "run", prefix: p, first: "ok", openMs })),
    );
    expect(after.every((r) => r.answeredBy === "first")).toBe(true);
  });

  it("a task blocked in one process is blocked in another until unblocked", async () => {
    const p = prefix();
    const gaveUp = await workers[0]!.send({ op: "run", prefix: p, first: "no", taskId: "job-1" });
    expect(gaveUp).toMatchObject({ exhausted: true, firstCalls: 1 });
    expect(await workers[1]!.send({ op: "run", prefix: p, first: "ok", taskId: "job-1" })).toEqual({
      blocked: true,
      firstCalls: 0,
    });
    expect(await workers[2]!.send({ op: "unblock", prefix: p, taskId: "job-1" })).toEqual({
      unblocked: true,
    });
    // Unblocked, it runs again (from where its escalation state says: the top rung, which rejects again).
    expect(await workers[3]!.send({ op: "run", prefix: p, first: "ok", taskId: "job-1" })).toMatchObject({
      exhausted: true,
      skips: ["first:escalated"],
    });
  });

  it("a task stopped after its first rung failed starts escalated in another process", async () => {
    const p = prefix();
    const stopped = await workers[0]!.send({
      op: "run",
      prefix: p,
      first: "no",
      taskId: "job-2",
      maxAttempts: 1,
    });
    expect(stopped).toMatchObject({ exhausted: true, firstCalls: 1 });
    const resumed = await workers[1]!.send({ op: "run", prefix: p, first: "ok", taskId: "job-2" });
    expect(resumed).toMatchObject({ firstCalls: 0, skips: ["first:escalated"] });
  });
});
