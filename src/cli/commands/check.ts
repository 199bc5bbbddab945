import type { CliIo } from "../io.js";
import { exitCodes } from "../io.js";
import { table } from "../table.js";
import { buildLadder, type ConfigFlags } from "./build.js";

/** `rungs check`: validates a config (providers and rubric included) and prints the ladder it expands to. */
export async function checkCommand(io: CliIo, flags: ConfigFlags & { json?: boolean }): Promise<number> {
  const ladder = await buildLadder(io, flags);
  if (flags.json === true) {
    io.stdout.write(
      `${JSON.stringify({ id: ladder.id, rungs: ladder.rungs, config: ladder.config }, null, 2)}\n`,
    );
    return exitCodes.ok;
  }
  const { config } = ladder;
  const rows = ladder.rungs.map((rung) => [
    String(rung.index),
    rung.name === rung.ref ? rung.ref : `${rung.name} (${rung.ref})`,
    rung.modelId,
    String(rung.maxAttempts),
    rung.feedbackMode,
    rung.attemptTimeoutMs === undefined ? "-" : `${rung.attemptTimeoutMs}ms`,
    rung.skipIf.map((c) => c.reason ?? JSON.stringify(c.metadata)).join("; ") || "-",
  ]);
  io.stdout.write(
    `${table(["rung", "name", "model id", "max attempts", "feedback mode", "timeout", "skip if"], rows)}\n\n` +
      `rubric: ${config.rubric ?? "(none: any non-empty, complete answer)"}; maxAttempts: ${config.maxAttempts ?? 6}; ` +
      `maxFeedbackChars: ${config.maxFeedbackChars ?? 2000}; onExhausted: ${config.onExhausted ?? "throw"}; ` +
      `store: ${config.store ?? "(none)"}; learning: ${config.learning === undefined ? "off" : `minAcceptRate ${config.learning.minAcceptRate}`}\n`,
  );
  return exitCodes.ok;
}
