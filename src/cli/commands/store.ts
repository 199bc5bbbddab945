import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { RungsError } from "../../errors/rungs-error.js";
import { type JsonFileStatsStore, jsonFileStatsStore } from "../../record/json-file-stats-store.js";
import { acceptRate, type StatsSnapshot, type StatsStore } from "../../record/stats-store.js";
import { redactText } from "../../redact.js";
import { terminalText } from "../../text/terminal-text.js";
import { CliExit, type CliIo, exitCodes } from "../io.js";
import { isoTime, table } from "../table.js";

export interface StoreFlags {
  store: string;
  /** With a Redis URL: the key prefix. */
  prefix?: string;
  json?: boolean;
}

/** What the store commands use of a store: a JSON stats file or a Redis store. */
interface OpenedStore {
  store: Pick<StatsStore, "unblock" | "resetTask">;
  snapshot: StatsSnapshot;
  /** Writes what is pending and lets the process exit (closes the Redis connection). */
  close(): Promise<void>;
}

const isRedisUrl = (store: string) => /^rediss?:\/\//i.test(store);

async function openStore(io: CliIo, flags: StoreFlags): Promise<OpenedStore> {
  if (isRedisUrl(flags.store)) return openRedisStore(flags);
  const path = resolve(io.cwd, flags.store);
  try {
    await access(path);
  } catch {
    throw new CliExit(
      exitCodes.usage,
      `No stats file at ${path}: check --store (a ladder config's \`store\`, or a redis:// URL).`,
    );
  }
  const store: JsonFileStatsStore = jsonFileStatsStore(path);
  try {
    return { store, snapshot: await store.toJSON(), close: () => store.flush() };
  } catch (error) {
    if (RungsError.isInstance(error)) throw new CliExit(exitCodes.failure, error.message);
    throw error;
  }
}

/** The URL as it may be shown (its password masked), and the password to mask in messages. */
function withoutPassword(url: string): { shown: string; password: string } {
  try {
    const parsed = new URL(url);
    const password = decodeURIComponent(parsed.password);
    if (parsed.password !== "") parsed.password = "***";
    return { shown: redactText(parsed.href), password };
  } catch {
    return { shown: redactText(url), password: "" };
  }
}

/**
 * A Redis store (rungs/redis, ioredis) on `flags.store`'s URL: fail-closed, so an unreachable Redis is an
 * error (exit 4), never an empty listing; one connection attempt, no retries.
 */
async function openRedisStore(flags: StoreFlags): Promise<OpenedStore> {
  let Redis: typeof import("ioredis").Redis;
  let redisStatsStore: typeof import("../../redis/index.js").redisStatsStore;
  try {
    ({ Redis } = await import("ioredis"));
    ({ redisStatsStore } = await import("../../redis/index.js"));
  } catch (error) {
    throw new CliExit(
      exitCodes.failure,
      `A redis:// store needs the ioredis package: npm install ioredis (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  const { shown, password } = withoutPassword(flags.store);
  const clean = (text: string) => redactText(password === "" ? text : text.split(password).join("***"));
  const redis = new Redis(flags.store, {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
    connectTimeout: 5_000,
  });
  redis.on("error", () => undefined); // reported below, from the command that failed
  const close = async () => {
    redis.disconnect();
  };
  try {
    await redis.connect();
    const store = redisStatsStore({
      redis,
      prefix: flags.prefix ?? "rungs:",
      whenUnavailable: "fail-closed",
    });
    return { store, snapshot: await store.snapshot(), close };
  } catch (error) {
    await close();
    throw new CliExit(
      exitCodes.failure,
      `Cannot read the Redis store at ${shown}: ${clean(error instanceof Error ? error.message : String(error))}`,
    );
  }
}

const blockedRows = (snapshot: StatsSnapshot) =>
  Object.entries(snapshot.blocked)
    .sort(([, a], [, b]) => a - b)
    .map(([taskId, at]) => {
      const state = snapshot.tasks?.[taskId];
      return [
        taskId,
        isoTime(at),
        state === undefined ? "-" : `${state.modelId} (rung ${state.rung})`,
        String(state?.failures ?? "-"),
      ];
    });

/** `rungs stats`: accept rates per task class and model, blocked tasks, escalated tasks. */
export async function statsCommand(io: CliIo, flags: StoreFlags): Promise<number> {
  const { snapshot, close } = await openStore(io, flags);
  await close();
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
    return exitCodes.ok;
  }
  const rates = Object.entries(snapshot.stats).flatMap(([taskClass, models]) =>
    Object.entries(models).map(([modelId, counts]) => {
      const rate = acceptRate(counts);
      return [
        taskClass,
        modelId,
        String(counts.accepted),
        String(counts.failed),
        rate === undefined ? "-" : rate.toFixed(2),
      ];
    }),
  );
  const escalated = Object.entries(snapshot.tasks ?? {})
    .filter(([taskId]) => !Object.hasOwn(snapshot.blocked, taskId))
    .map(([taskId, state]) => [
      taskId,
      String(state.failures),
      `${state.modelId} (rung ${state.rung})`,
      isoTime(state.updatedAt),
    ]);
  const out = [
    `Accept rates by task class and model (${rates.length}):`,
    rates.length === 0 ? "  none yet" : table(["task class", "model", "accepted", "failed", "rate"], rates),
    "",
    `Blocked tasks (${Object.keys(snapshot.blocked).length}):`,
    Object.keys(snapshot.blocked).length === 0
      ? "  none"
      : table(["task", "blocked at", "last failed on", "failures"], blockedRows(snapshot)),
    "",
    `Escalated tasks (${escalated.length}): their next run starts above the rung that last failed`,
    escalated.length === 0 ? "  none" : table(["task", "failures", "last failed on", "updated"], escalated),
  ];
  io.stdout.write(`${out.join("\n")}\n`);
  return exitCodes.ok;
}

/** `rungs blocked`: the blocked tasks. */
export async function blockedCommand(io: CliIo, flags: StoreFlags): Promise<number> {
  const { snapshot, close } = await openStore(io, flags);
  await close();
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify(snapshot.blocked, null, 2)}\n`);
    return exitCodes.ok;
  }
  const rows = blockedRows(snapshot);
  io.stdout.write(
    rows.length === 0
      ? "No blocked tasks.\n"
      : `${table(["task", "blocked at", "last failed on", "failures"], rows)}\n`,
  );
  return exitCodes.ok;
}

/** `rungs unblock`: lets a blocked task run again (`--reset` also forgets its escalation). */
export async function unblockCommand(
  io: CliIo,
  taskId: string,
  flags: StoreFlags & { reset?: boolean },
): Promise<number> {
  const { store, snapshot, close } = await openStore(io, flags);
  let was: boolean;
  try {
    was = await store.unblock(taskId);
    if (flags.reset === true) await store.resetTask(taskId);
  } catch (error) {
    if (RungsError.isInstance(error)) throw new CliExit(exitCodes.failure, error.message);
    throw error;
  } finally {
    await close();
  }
  const escalated = Object.hasOwn(snapshot.tasks ?? {}, taskId) ? snapshot.tasks![taskId] : undefined;
  const next =
    flags.reset === true || escalated === undefined
      ? "its next run starts at the bottom rung"
      : `its next run starts above "${escalated.modelId}" (the top rung stays the top); --reset starts it at the bottom`;
  io.stdout.write(
    terminalText(
      was
        ? `Unblocked "${taskId}": ${next}.\n`
        : `"${taskId}" was not blocked; ${flags.reset === true ? "its escalation is forgotten" : "nothing changed"}.\n`,
    ),
  );
  return exitCodes.ok;
}
