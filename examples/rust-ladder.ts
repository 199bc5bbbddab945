/**
 * The Rust hard task on a live ladder: `npm run example:rust-ladder [-- --host URL --models a,b,c]`.
 *
 * Small local coder models first, larger ones after; each answer continued if cut off, judged by the
 * 15-rule Rust rubric (examples/rust-rubric.ts), and a rejected answer's violated rules fed back to the next
 * attempt. Every attempt is recorded under runs/rust-ladder-<timestamp>/. Needs an Ollama server; without
 * one it says how to start one and exits with code 3.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  continueUntilComplete,
  ExhaustedError,
  escalateAcross,
  RungsEvents,
  recordRun,
} from "../src/index.js";
import { defaultOllamaHost, ollamaHostFromEnv, ollamaModel } from "../src/providers/ollama/index.js";
import { rustAsyncRubric, rustAsyncTask } from "./rust-rubric.js";

const { values } = parseArgs({
  options: { host: { type: "string" }, models: { type: "string" } },
});
// OLLAMA_HOST is read as ollamaModel and the CLI read it (host:port without a scheme too).
const host = values.host ?? ollamaHostFromEnv() ?? defaultOllamaHost;
const models = (values.models ?? "qwen2.5-coder:1.5b,qwen2.5-coder:7b,qwen2.5-coder:14b")
  .split(",")
  .map((m) => m.trim())
  .filter((m) => m !== "");

// Ask the server what it has before starting: an unreachable server is a setup problem, not a failed run.
let installed: string[];
try {
  const response = await fetch(`${host.replace(/\/$/, "")}/api/tags`, { signal: AbortSignal.timeout(3_000) });
  const body = (await response.json()) as { models?: { name: string }[] };
  installed = (body.models ?? []).map((m) => m.name);
} catch {
  console.error(
    `No Ollama server at ${host}. Start one (https://ollama.com/download) and pull the ladder's models:\n  ollama serve &\n${models
      .map((m) => `  ollama pull ${m}`)
      .join("\n")}\nthen: npm run example:rust-ladder -- --host ${host} --models ${models.join(",")}`,
  );
  process.exit(3);
}
const missing = models.filter((m) => !installed.includes(m) && !installed.includes(`${m}:latest`));
if (missing.length > 0) {
  console.error(
    `The server at ${host} lacks ${missing.join(", ")}:\n${missing.map((m) => `  ollama pull ${m}`).join("\n")}`,
  );
  process.exit(3);
}

const ladder = escalateAcross(
  models.map((model, i) => ({
    model: continueUntilComplete(
      ollamaModel({ model, host, options: { temperature: 0.2, num_predict: 2_048 } }),
    ),
    // The top rung gets a second attempt that sees everything the ladder got wrong so far.
    attempts: i === models.length - 1 ? 2 : 1,
  })),
  { rubric: rustAsyncRubric, maxAttempts: models.length + 1 },
);

const dir = join("runs", `rust-ladder-${new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19)}`);
const events = new RungsEvents();
const recorder = recordRun(events, dir);
events.on("attempt-start", ({ attempt }) =>
  console.log(`attempt ${attempt.index} on ${attempt.modelId} (feedback: ${attempt.feedbackChars} chars)…`),
);
events.on("attempt-end", ({ attempt }) => {
  const score = attempt.verdict === undefined ? "" : ` ${attempt.verdict.passed}/${attempt.verdict.total}`;
  const failed = attempt.verdict?.violations.map((v) => v.ruleId).join(", ");
  console.log(
    `  ${attempt.accepted ? "accepted" : attempt.kind}${score}${failed ? ` — failed: ${failed}` : ""}`,
  );
});

try {
  const answer = await ladder.generate({ messages: [{ role: "user", content: rustAsyncTask }] }, { events });
  console.log(`\nAccepted from ${answer.modelId} after ${answer.trace?.attempts?.length ?? 1} attempt(s):\n`);
  console.log(answer.text);
} catch (error) {
  if (!ExhaustedError.isInstance(error)) throw error;
  console.log(`\nNo answer passed the rubric: ${error.message}`);
  process.exitCode = 1;
} finally {
  await recorder.close();
  console.log(`\nRecords: ${dir}`);
}
