/**
 * `npm run demo -- --live`: the same pipeline as the replay (IFEval prompts, the IFEval rule pack, strict,
 * through escalateAcross, recorded with recordRun), against a real Ollama server. Unlike the replay, each
 * rung really reads the feedback: the earlier failures (violated instructions) go into the prompt, and the
 * top rung gets a second attempt that carries them.
 */
import pLimit from "p-limit";
import {
  BlockedTaskError,
  ExhaustedError,
  escalateAcross,
  type LadderEntry,
  RungsEvents,
  recordRun,
  taskDirFromPath,
} from "../src/index.js";
import { defaultOllamaHost, ollamaHostFromEnv, ollamaModel } from "../src/providers/ollama/index.js";
import type { Attempt } from "../src/trace.js";
import { loadIfeval } from "./data.js";
import { requestOf, rubricOf } from "./ladder.js";
import { progressBar } from "./progress.js";
import { table } from "./report.js";

/** Options of {@link runLive}. */
export interface LiveOptions {
  /** @default $OLLAMA_HOST, else http://127.0.0.1:11434 */
  host?: string;
  /** Ollama model tags, cheapest first. @default qwen2.5 0.5b, 1.5b, 3b */
  models?: readonly string[];
  /** Prompts to run (first N of the 541). */
  limit: number;
  concurrency: number;
  /** Run directory for the records. */
  out: string;
}

export const defaultLiveModels: readonly string[] = ["qwen2.5:0.5b", "qwen2.5:1.5b", "qwen2.5:3b"];

/** `--host` may be `0.0.0.0:11434` or `localhost`, as OLLAMA_HOST may; the client wants a URL. */
function hostUrl(host: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(host) ? host : `http://${host}`;
  const url = new URL(withScheme);
  if (url.port === "" && url.protocol === "http:" && !/:\d+$/.test(host)) url.port = "11434";
  return url.toString().replace(/\/$/, "");
}

/** The server's installed model tags, or why it could not be reached. */
async function serverModels(host: string): Promise<{ tags: string[] } | { problem: string }> {
  try {
    const response = await fetch(`${host}/api/tags`, { signal: AbortSignal.timeout(3_000) });
    if (!response.ok) return { problem: `${host}/api/tags answered HTTP ${response.status}` };
    const body = (await response.json()) as { models?: { name?: string; model?: string }[] };
    return {
      tags: (body.models ?? []).flatMap((m) => [m.name ?? "", m.model ?? ""]).filter((t) => t !== ""),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return { problem: `${host} is not reachable (${why})` };
  }
}

/**
 * Runs the live ladder and prints its tables. Returns the exit code: 0, or 3 when no usable server is
 * reachable (after saying how to start one) — never a stack trace for that.
 */
export async function runLive(options: LiveOptions): Promise<number> {
  const host =
    options.host === undefined ? (ollamaHostFromEnv() ?? defaultOllamaHost) : hostUrl(options.host);
  const models = options.models ?? defaultLiveModels;
  const server = await serverModels(host);
  if ("problem" in server) {
    process.stderr.write(
      [
        `--live needs an Ollama server: ${server.problem}.`,
        "",
        "Start one (https://ollama.com/download), then pull the ladder's models:",
        "  ollama serve &",
        ...models.map((m) => `  ollama pull ${m}`),
        `  npm run demo -- --live --host ${host} --models ${models.join(",")}`,
        "",
        "Or run the replay, which needs no server: npm run demo",
        "",
      ].join("\n"),
    );
    return 3;
  }
  const missing = models.filter((m) => !server.tags.includes(m) && !server.tags.includes(`${m}:latest`));
  if (missing.length > 0) {
    process.stderr.write(
      `The server at ${host} does not have ${missing.join(", ")}. Pull ${missing.length === 1 ? "it" : "them"}:\n${missing
        .map((m) => `  ollama pull ${m}`)
        .join("\n")}\n`,
    );
    return 3;
  }

  const data = loadIfeval({ limit: options.limit, models: [] });
  const ladder: LadderEntry[] = models.map((model, i) => {
    const rung = ollamaModel({ model, host, options: { temperature: 0, num_predict: 1_024 } });
    // The top rung gets a second attempt, carrying the violated instructions of every earlier one.
    return i === models.length - 1 ? { model: rung, maxAttempts: 2 } : rung;
  });
  const events = new RungsEvents();
  const recorder = recordRun(events, options.out, { taskDir: taskDirFromPath });
  const limit = pLimit(options.concurrency);
  const attempts: Attempt[] = [];
  let accepted = 0;
  let done = 0;
  process.stderr.write(`live: ${data.prompts.length} prompts on ${host} (${models.join(" → ")})\n`);
  const bar = progressBar("live");
  await Promise.all(
    data.prompts.map((prompt) =>
      limit(async () => {
        const model = escalateAcross(ladder, { rubric: rubricOf(prompt), maxAttempts: models.length + 1 });
        try {
          const answer = await model.generate(requestOf(prompt), { events, path: `ifeval[${prompt.key}]` });
          attempts.push(...(answer.trace?.attempts ?? []));
          accepted += 1;
        } catch (error) {
          if (ExhaustedError.isInstance(error)) attempts.push(...error.attempts);
          else if (!BlockedTaskError.isInstance(error)) throw error;
        }
        done += 1;
        bar.update(done, data.prompts.length);
      }),
    ),
  ).finally(bar.stop);
  await recorder.close();

  const rows = models.map((model, rung) => {
    const mine = attempts.filter((a) => a.rung === rung);
    const withFeedback = mine.filter((a) => a.feedbackChars > 0);
    return [
      `${rung + 1}. ${model}`,
      String(mine.length),
      String(mine.filter((a) => a.accepted).length),
      String(withFeedback.length),
      String(withFeedback.filter((a) => a.accepted).length),
      String(mine.filter((a) => a.kind !== undefined && a.kind !== "rejected").length),
    ];
  });
  process.stdout.write(
    [
      `Live ladder over ${data.prompts.length} IFEval prompts, judged by the IFEval rule pack (strict).`,
      "",
      table(["rung", "calls", "accepted", "calls carrying feedback", "of those accepted", "errors"], rows),
      "",
      `Accepted by the rubric: ${accepted}/${data.prompts.length}. (Reference verdicts exist only for the recorded responses, so live accuracy is rubric-judged.)`,
      `Records: ${options.out}`,
      `Look at the run in a browser (one HTML file, docs/viewer.md): npm run view -- ${options.out}`,
      "",
    ].join("\n"),
  );
  return 0;
}
