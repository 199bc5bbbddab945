/**
 * `npm run example:fleet`: the demo's replay ladder run by a fleet of BullMQ workers (separate processes)
 * over shared Redis stats and breakers (rungs/redis). For each worker count it queues the 541 IFEval
 * prompts, starts the workers, and prints prompts per second, calls per prompt, accuracy against the
 * single-process demo's, and jobs processed twice. `--kill-one` kills a worker mid-job and shows BullMQ
 * handing its jobs to another worker, with nothing lost and nothing recorded twice.
 *
 *   npm run example:fleet -- --workers 1,2,4
 *   npm run example:fleet -- --workers 2 --kill-one
 *   npm run example:fleet -- --redis redis://127.0.0.1:6379   (default: a throwaway redis-server)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { loadIfeval } from "../../demo/data.js";
import { runReplayLadder } from "../../demo/ladder.js";
import { type RedisServer, startRedisServer } from "../../scripts/redis-server.js";

const usage = `Usage: npm run example:fleet -- [options]

  --workers 1,2,4     worker counts to run, one fleet each (default: 1,2,4)
  --kill-one          also run once with the largest count and kill one worker mid-job
  --latency-ms N      fixed wait before each model call, in ms (default: 200)
  --concurrency N     jobs one worker runs at once (default: 4)
  --redis URL         use this Redis (default: start a throwaway redis-server)
  -h, --help          this help`;

interface Outcome {
  answeredBy?: string;
  referenceAccepted: boolean;
  calls: number;
  blocked?: boolean;
  pid: number;
}

interface FleetRun {
  workers: number;
  seconds: number;
  promptsPerSecond: number;
  callsPerPrompt: number;
  accuracy: number;
  lost: number;
  processedTwice: number;
  /** With --kill-one: the killed worker's pid, and the jobs it had started but not finished. */
  killed?: { pid: number; interrupted: number[]; finishedElsewhere: number };
}

/** A worker process: its pid, and a way to send a command and wait for its answer line. */
interface FleetWorker {
  child: ChildProcess;
  pid: number;
  send(command: string, answer: string): Promise<void>;
}

function startWorker(args: string[]): Promise<FleetWorker> {
  const child = spawn(process.execPath, ["--import", "tsx", "examples/fleet/worker.ts", ...args], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const waiting: { answer: string; resolve: () => void }[] = [];
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`worker exited (${code ?? signal}) before it was ready`)),
    );
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("ready ")) {
        resolve({
          child,
          pid: Number(line.slice(6)),
          send(command, answer) {
            return new Promise<void>((done) => {
              waiting.push({ answer, resolve: done });
              child.stdin!.write(`${command}\n`);
            });
          },
        });
        return;
      }
      const next = waiting[0];
      if (next !== undefined && line === next.answer) {
        waiting.shift();
        next.resolve();
      }
    });
  });
}

function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

async function runFleet(
  url: string,
  workers: readonly FleetWorker[],
  options: { killOne: boolean; keys: readonly number[] },
): Promise<FleetRun> {
  const workerCount = workers.length;
  const tag = `${workerCount}${options.killOne ? "-kill" : ""}-${Date.now()}`;
  const prefix = `fleet:${tag}:`;
  const queueName = `ifeval-${tag}`;
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection: redis });
  await Promise.all(workers.map((w) => w.send(`work ${queueName} ${prefix}`, "working")));
  try {
    const started = Date.now();
    // jobId = the prompt: BullMQ refuses a second job with the same id.
    await queue.addBulk(
      options.keys.map((key) => ({
        name: "ifeval",
        data: { key },
        opts: { jobId: `ifeval-${key}`, removeOnComplete: true, attempts: 1 },
      })),
    );
    let killed: FleetRun["killed"];
    for (;;) {
      const done = await redis.hlen(`${prefix}results`);
      if (options.killOne && killed === undefined && done >= options.keys.length / 3) {
        const victim = workers[0]!;
        victim.child.kill("SIGKILL");
        await new Promise((resolve) => victim.child.once("exit", resolve));
        const started = await redis.hgetall(`${prefix}started`);
        const results = await redis.hgetall(`${prefix}results`);
        const interrupted = Object.entries(started)
          .filter(([key, pid]) => Number(pid) === victim.pid && results[key] === undefined)
          .map(([key]) => Number(key));
        killed = { pid: victim.pid, interrupted, finishedElsewhere: 0 };
        process.stdout.write(
          `  killed worker ${victim.pid} (SIGKILL) with ${interrupted.length} job(s) in flight: ${interrupted.join(", ")}\n`,
        );
      }
      if (done >= options.keys.length) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const finishedAt = Object.values(await redis.hgetall(`${prefix}finishedAt`)).map(Number);
    const seconds = (Math.max(...finishedAt) - started) / 1000;
    const results = Object.fromEntries(
      Object.entries(await redis.hgetall(`${prefix}results`)).map(([k, v]) => [k, JSON.parse(v) as Outcome]),
    );
    const completions = Object.values(await redis.hgetall(`${prefix}completions`)).map(Number);
    const outcomes = Object.values(results);
    if (killed !== undefined) {
      killed.finishedElsewhere = killed.interrupted.filter((key) => {
        const outcome = results[String(key)];
        return outcome !== undefined && outcome.pid !== killed!.pid;
      }).length;
    }
    const run: FleetRun = {
      workers: workerCount,
      seconds,
      promptsPerSecond: options.keys.length / seconds,
      callsPerPrompt: outcomes.reduce((sum, o) => sum + o.calls, 0) / options.keys.length,
      accuracy: outcomes.filter((o) => o.referenceAccepted).length / options.keys.length,
      lost: options.keys.length - outcomes.length,
      processedTwice: completions.filter((n) => n > 1).length,
    };
    if (killed !== undefined) run.killed = killed;
    return run;
  } finally {
    await Promise.all(
      workers
        .filter((w) => w.child.exitCode === null && w.child.signalCode === null)
        .map((w) => w.send("idle", "idle")),
    );
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    // Leave nothing behind in a shared Redis: this run's keys go.
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
    await redis.quit();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      workers: { type: "string" },
      "kill-one": { type: "boolean" },
      "latency-ms": { type: "string" },
      concurrency: { type: "string" },
      redis: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const counts = (values.workers ?? "1,2,4").split(",").map((s) => Number(s.trim()));
  const whole = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`--${name} must be whole numbers of at least 1.\n\n${usage}`);
    return v;
  };
  for (const n of counts) whole("workers", n);
  const latencyMs = Number(values["latency-ms"] ?? 200);
  if (!Number.isFinite(latencyMs) || latencyMs < 0)
    throw new Error(`--latency-ms must be 0 or more.\n\n${usage}`);
  const concurrency = whole("concurrency", Number(values.concurrency ?? 4));

  // The single-process demo (no store, no latency): the accuracy and calls every fleet must match.
  const data = loadIfeval();
  const demo = await runReplayLadder({ data, singles: false });
  const keys = data.prompts.map((p) => p.key);
  process.stdout.write(
    `Single-process demo: ${keys.length} prompts, accuracy ${pct(demo.ladder.referenceAccuracy)}, ` +
      `${demo.ladder.callsPerPrompt.toFixed(2)} calls per prompt.\n` +
      `Fleet: ${latencyMs} ms per model call, ${concurrency} jobs per worker at once, shared Redis stats and breakers.\n\n`,
  );

  const server: RedisServer | undefined = values.redis === undefined ? await startRedisServer() : undefined;
  const url = values.redis ?? server!.url;
  const size = Math.max(...counts, values["kill-one"] === true ? 2 : 1);
  process.stdout.write(`starting ${size} worker process(es); each warms up with one pass of the ladder...\n`);
  const workers = await Promise.all(
    Array.from({ length: size }, () => startWorker([url, String(latencyMs), String(concurrency)])),
  );
  try {
    const runs: FleetRun[] = [];
    for (const n of counts) {
      process.stdout.write(`running ${n} worker(s)...\n`);
      runs.push(await runFleet(url, workers.slice(0, n), { killOne: false, keys }));
    }
    const base = runs[0]!;
    const same = (r: FleetRun) =>
      r.accuracy === demo.ladder.referenceAccuracy && r.callsPerPrompt === demo.ladder.callsPerPrompt;
    const lines = [
      "| workers | seconds | prompts/s | speed-up | calls per prompt | accuracy | same as demo | lost | processed twice |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: |",
      ...runs.map(
        (r) =>
          `| ${r.workers} | ${r.seconds.toFixed(2)} | ${r.promptsPerSecond.toFixed(1)} | ${(r.promptsPerSecond / base.promptsPerSecond).toFixed(2)}× | ${r.callsPerPrompt.toFixed(2)} | ${pct(r.accuracy)} | ${same(r) ? "yes" : "NO"} | ${r.lost} | ${r.processedTwice} |`,
      ),
    ];
    process.stdout.write(`\n${lines.join("\n")}\n`);
    let failed = runs.some((r) => r.lost > 0 || r.processedTwice > 0 || !same(r));

    if (values["kill-one"] === true) {
      process.stdout.write(
        `\n--kill-one: ${size} workers, one killed mid-job once a third of the prompts are done\n`,
      );
      const r = await runFleet(url, workers, { killOne: true, keys });
      const k = r.killed!;
      process.stdout.write(
        `  BullMQ moved the ${k.interrupted.length} stalled job(s) back to the queue; the other workers finished ` +
          `${k.finishedElsewhere} of them.\n` +
          `  lost: ${r.lost}, processed twice: ${r.processedTwice}, accuracy ${pct(r.accuracy)} ` +
          `(${r.accuracy === demo.ladder.referenceAccuracy ? "same as the demo" : "DIFFERENT from the demo"}), ` +
          `${r.callsPerPrompt.toFixed(2)} calls per prompt, ${r.seconds.toFixed(2)} s.\n`,
      );
      failed ||= r.lost > 0 || r.processedTwice > 0 || k.finishedElsewhere !== k.interrupted.length;
    }
    return failed ? 1 : 0;
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w.child)));
    await server?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
