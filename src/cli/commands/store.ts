import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { RungsError } from "../../errors/rungs-error.js";
import { type JsonFileStatsStore, jsonFileStatsStore } from "../../record/json-file-stats-store.js";
import { acceptRate, type StatsSnapshot } from "../../record/stats-store.js";
import { CliExit, type CliIo, exitCodes } from "../io.js";
import { isoTime, table } from "../table.js";

export interface StoreFlags {
  store: string;
  json?: boolean;
}

async function openStore(
  io: CliIo,
  flags: StoreFlags,
): Promise<{ store: JsonFileStatsStore; snapshot: StatsSnapshot }> {
  const path = resolve(io.cwd, flags.store);
  try {
    await access(path);
  } catch {
    throw new CliExit(
      exitCodes.usage,
      `No stats file at ${path}: check --store (a ladder config's \`store\`).`,
    );
  }
  const store = jsonFileStatsStore(path);
  try {
    return { store, snapshot: await store.toJSON() };
  } catch (error) {
    if (RungsError.isInstance(error)) throw new CliExit(exitCodes.failure, error.message);
    throw error;
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
  const { snapshot } = await openStore(io, flags);
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
  const { snapshot } = await openStore(io, flags);
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
  const { store, snapshot } = await openStore(io, flags);
  const was = await store.unblock(taskId);
  const escalated = snapshot.tasks?.[taskId];
  if (flags.reset === true) await store.resetTask(taskId);
  await store.flush();
  const next =
    flags.reset === true || escalated === undefined
      ? "its next run starts at the bottom rung"
      : `its next run starts above "${escalated.modelId}" (the top rung stays the top); --reset starts it at the bottom`;
  io.stdout.write(
    was
      ? `Unblocked "${taskId}": ${next}.\n`
      : `"${taskId}" was not blocked; ${flags.reset === true ? "its escalation is forgotten" : "nothing changed"}.\n`,
  );
  return exitCodes.ok;
}
