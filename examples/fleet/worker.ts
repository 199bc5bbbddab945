/**
 * One fleet worker (a separate process, started by examples/fleet/main.ts). It loads the IFEval data, warms
 * up (runs the replay ladder once in process, so the rubrics' one-time costs are not measured), prints
 * `ready <pid>`, then takes commands on stdin, one a line:
 *   `work <queue> <prefix>`: a BullMQ worker on that queue runs the demo's replay ladder on each job's IFEval
 *     prompt, with shared Redis stats and breakers under that key prefix; answers `working`.
 *   `idle`: closes that BullMQ worker (after its jobs in flight); answers `idle`.
 * Each rung's call waits a fixed latency first, so the fleet is bound by waiting (as with real model
 * calls), not by CPU.
 *
 *   node --import tsx examples/fleet/worker.ts <redis-url> <latency-ms> <concurrency>
 */
import { createInterface } from "node:readline";
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { ladderModels, loadIfeval } from "../../demo/data.js";
import { replayRung, requestOf, rubricOf, runReplayLadder } from "../../demo/ladder.js";
import { sleep } from "../../src/clock.js";
import { BlockedTaskError, ExhaustedError, escalateAcross, type Model } from "../../src/index.js";
import { redisCircuitBreakers, redisStatsStore } from "../../src/redis/index.js";

const [url, latencyArg, concurrencyArg] = process.argv.slice(2);
if (url === undefined) throw new Error("usage: worker.ts <redis-url> <latency-ms> <concurrency>");
const latencyMs = Number(latencyArg ?? 100);
const concurrency = Number(concurrencyArg ?? 8);

const data = loadIfeval();
const byKey = new Map(data.prompts.map((p) => [p.key, p]));
const names = ladderModels.map((m) => m.name);
/** A replayed rung that answers after `latencyMs`, as a remote model would. */
const withLatency = (model: Model): Model => ({
  id: model.id,
  generate: async (request, options) => {
    await sleep(latencyMs, { signal: options?.signal });
    return model.generate(request, options);
  },
});
const rungs = names.map((name) => withLatency(replayRung(name, data, data.prompts)));
// One rubric per prompt, built once per worker and reused by every job on that prompt.
const rubrics = new Map(data.prompts.map((p) => [p.key, rubricOf(p)]));

// rungs' own connection: fail fast when Redis is gone. BullMQ's wants maxRetriesPerRequest: null.
const redis = new Redis(url, { maxRetriesPerRequest: 1 });
const connection = new Redis(url, { maxRetriesPerRequest: null });

function work(queue: string, prefix: string): Worker<{ key: number }> {
  const store = redisStatsStore({ redis, prefix });
  const breakers = redisCircuitBreakers({ redis, prefix });
  return new Worker<{ key: number }>(
    queue,
    async (job) => {
      const prompt = byKey.get(job.data.key);
      if (prompt === undefined) throw new Error(`no IFEval prompt with key ${job.data.key}`);
      await redis.hset(`${prefix}started`, String(prompt.key), String(process.pid));
      const ladder = escalateAcross(rungs, {
        rubric: rubrics.get(prompt.key)!,
        maxAttempts: rungs.length,
        store,
        breakers,
      });
      let outcome: { answeredBy?: string; referenceAccepted: boolean; calls: number; blocked?: boolean };
      try {
        const answer = await ladder.generate(requestOf(prompt, { taskId: true }));
        const name = answer.modelId.replace(/^replay:/, "");
        outcome = {
          answeredBy: name,
          referenceAccepted: data.reference.get(name)?.get(prompt.key) === true,
          calls: answer.trace?.attempts?.length ?? 1,
        };
      } catch (error) {
        if (BlockedTaskError.isInstance(error))
          outcome = { referenceAccepted: false, calls: 0, blocked: true };
        else if (ExhaustedError.isInstance(error)) {
          outcome = { referenceAccepted: false, calls: error.attempts.length };
        } else throw error;
      }
      // The result is written once (HSETNX); `completions` counts every finished run, so a job processed
      // twice would show as a count of 2.
      await redis
        .multi()
        .hsetnx(`${prefix}results`, String(prompt.key), JSON.stringify({ ...outcome, pid: process.pid }))
        .hincrby(`${prefix}completions`, String(prompt.key), 1)
        .hset(`${prefix}finishedAt`, String(prompt.key), String(Date.now()))
        .exec();
    },
    // A killed worker's jobs count as stalled once their lock (renewed every 5 s) lapses, and go back to the
    // queue for another worker.
    { connection, concurrency, lockDuration: 10_000, stalledInterval: 2_000 },
  );
}

// Warm up: the first pass over the rubrics costs several times a later one (regex compilation, JIT).
await runReplayLadder({ data, singles: false });
process.stdout.write(`ready ${process.pid}\n`);

let current: Worker<{ key: number }> | undefined;
createInterface({ input: process.stdin }).on("line", (line) => {
  const [command, queue, prefix] = line.split(" ");
  if (command === "work" && queue !== undefined && prefix !== undefined) {
    current = work(queue, prefix);
    void current.waitUntilReady().then(() => process.stdout.write("working\n"));
  } else if (command === "idle") {
    const closing = current;
    current = undefined;
    void (closing?.close() ?? Promise.resolve()).then(() => process.stdout.write("idle\n"));
  }
});

const stop = async () => {
  await current?.close();
  await Promise.all([redis.quit(), connection.quit()]);
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
