/**
 * The hard-task pipeline end to end, offline: `npm run example:hard-task [records-dir]`.
 *
 * A Rust task judged by a 15-rule rubric goes up a ladder: a local model (continued when cut off, retried
 * with feedback) and a stronger one above it. The task's documents (20,000 chars) do not fit the
 * 4,000-char budget, so treeSplit maps them to notes and answers from the notes:
 *
 *   treeSplit(escalateAcross([retryWithContext(continueUntilComplete(local)), continueUntilComplete(strong)]))
 *
 * The rubric judges only the answer; notes are judged as notes. Every attempt is recorded to disk. The
 * models are scripted stand-ins (swap in `ollama({ model })` or `fromFunction(...)`): the local one writes
 * notes fine but its answers break rules, the strong one answers well once told which rules failed.
 */
import { mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import {
  continueUntilComplete,
  defineRubric,
  escalateAcross,
  type GenerateRequest,
  length,
  matches,
  notMatches,
  RungsEvents,
  recordRun,
  renderedChars,
  retryWithContext,
  treeSplit,
} from "../src/index.js";
import { type ScriptedModel, scriptedModel } from "../src/testing/index.js";

const budgetChars = 4_000;
const dir = resolve(process.argv[2] ?? "runs/hard-task");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

// 20,000 chars of documentation, in paragraphs, as one document.
const paragraphs = Array.from(
  { length: 40 },
  (_, i) =>
    `Section ${i + 1}. reqwest::Client pools connections and is cheap to clone; build it once. ` +
    `Client::get(url).send().await returns Result<Response, reqwest::Error>; Response::text() is async. ` +
    `futures::future::try_join_all runs futures concurrently and stops at the first error. ${"Details follow. ".repeat(20)}`,
);
const docs = [paragraphs.join("\n\n").slice(0, 20_000)];
const task =
  "Write `pub async fn fetch_all(client: &reqwest::Client, urls: &[String]) -> Result<Vec<String>, reqwest::Error>` that downloads every URL concurrently.";

const rule = (id: string, pattern: RegExp, description: string) => matches(id, pattern, { description });
const never = (id: string, pattern: RegExp, description: string) => notMatches(id, pattern, { description });
const rubric = defineRubric({
  id: "rust-fetch-all",
  rules: [
    rule(
      "signature",
      /pub async fn fetch_all\(client: &reqwest::Client, urls: &\[String\]\)/,
      "Use the exact signature.",
    ),
    rule(
      "returns-result",
      /-> Result<Vec<String>, reqwest::Error>/,
      "Return Result<Vec<String>, reqwest::Error>.",
    ),
    rule("concurrent", /try_join_all/, "Download concurrently with futures::future::try_join_all."),
    rule("uses-client", /client\.get\(/, "Reuse the given client (client.get), never reqwest::get."),
    rule("propagates", /\?/, "Propagate errors with ?."),
    rule("reads-text", /\.text\(\)/, "Read each body with .text()."),
    rule("doc-comment", /^\/\/\/ /m, "Start with a /// doc comment."),
    never("no-unwrap", /\.unwrap\(\)/, "Never call .unwrap()."),
    never("no-expect", /\.expect\(/, "Never call .expect()."),
    never("no-panic", /panic!\(/, "Never panic!."),
    never("no-todo", /todo!\(|unimplemented!\(/, "No todo!() or unimplemented!()."),
    never("no-unsafe", /\bunsafe\b/, "No unsafe."),
    never("no-println", /println!\(/, "No printing."),
    never("no-blocking", /reqwest::blocking/, "No blocking client."),
    length("short", { max: 1_200, unit: "chars", description: "At most 1,200 characters." }),
  ],
});

const isAnswer = (request: GenerateRequest) => (request.context?.[0] ?? "").startsWith("Notes taken");
const good = [
  "/// Downloads every URL concurrently with the shared client.",
  "pub async fn fetch_all(client: &reqwest::Client, urls: &[String]) -> Result<Vec<String>, reqwest::Error> {",
  "    let bodies = urls.iter().map(|url| async move { client.get(url).send().await?.text().await });",
  "    futures::future::try_join_all(bodies).await",
  "}",
].join("\n");
// The local model's answers: the first arrives cut off in two pieces, each breaks rules the feedback names.
const localAnswers = [
  {
    text: "pub async fn fetch_all(client: &reqwest::Client, urls: &[String]) -> Vec<String> {\n",
    finishReason: "length" as const,
  },
  "    urls.iter().map(|u| reqwest::get(u).unwrap()).collect()\n}",
  "pub async fn fetch_all(client: &reqwest::Client, urls: &[String]) -> Result<Vec<String>, reqwest::Error> {\n    todo!()\n}",
];
let localAnswer = 0;
let notes = 0;
const local = scriptedModel(
  "local:qwen3-coder",
  [
    (request) => {
      if (isAnswer(request)) return localAnswers[Math.min(localAnswer++, localAnswers.length - 1)]!;
      // Every fifth note is cut off at the output limit and continued.
      notes += 1;
      return notes % 5 === 0
        ? { text: "notes: Client pools connections; ", finishReason: "length" as const }
        : "notes: build one reqwest::Client; try_join_all for concurrency; text() is async.";
    },
  ],
  { whenDone: "repeat-last" },
);
const strong = scriptedModel(
  "cloud:strong",
  [(request) => ((request.feedback?.length ?? 0) > 0 ? good : "fn fetch_all() {}")],
  { whenDone: "repeat-last" },
);

const solver = treeSplit(
  escalateAcross(
    [
      retryWithContext(continueUntilComplete(local, { maxContinuations: 6 }), { rubric, maxAttempts: 3 }),
      continueUntilComplete(strong, { maxContinuations: 6 }),
    ],
    { rubric, maxAttempts: 6 },
  ),
  // Notes are not answers: the local model takes them, unjudged by the answer's rubric (any non-empty,
  // complete note will do), continued when cut off.
  {
    promptLimit: { chars: budgetChars },
    reserve: 0.3,
    notesModel: continueUntilComplete(local, { maxContinuations: 6 }),
  },
);

const events = new RungsEvents();
const recorder = recordRun(events, dir);
const answer = await solver.generate(
  { messages: [{ role: "user", content: task }], context: docs },
  { events },
);
const summary = await recorder.close();

const perStage = new Map<string, number>();
let largest = 0;
for (const model of [local, strong] as ScriptedModel[]) {
  for (const call of model.calls) {
    const stage = isAnswer(call.request) ? "answer" : "notes";
    perStage.set(stage, (perStage.get(stage) ?? 0) + 1);
    largest = Math.max(largest, renderedChars(call.request));
  }
}
const feedbackSeen = strong.calls.find((c) => (c.request.feedback?.length ?? 0) > 0)?.request.feedback ?? [];

console.log(`context: ${docs[0]?.length} chars; budget ${budgetChars} chars per request`);
console.log(
  `answered by rung ${answer.answeredBy?.rung} (${answer.answeredBy?.modelId}), climbed: ${answer.answeredBy?.climbed}`,
);
console.log(`verdict: ${answer.verdict?.passed}/${answer.verdict?.total} rules passed`);
console.log("model calls per stage:", Object.fromEntries(perStage));
console.log(
  `split: ${answer.trace?.split?.shards} shards, ${answer.trace?.split?.reduces} reduces; records: ${summary.counts.calls} calls, ${summary.counts.continuations} continuations, ${summary.attempts} attempts in ${dir}`,
);
console.log("feedback the strong rung received (violated rules by id):");
for (const failure of feedbackSeen) {
  console.log(
    `  attempt ${failure.attempts.join(",")} (${failure.modelId}) ${failure.kind}: ${(failure.violations ?? []).map((v) => v.ruleId).join(", ")}`,
  );
}
console.log(
  `largest leaf prompt: ${largest} chars (budget ${budgetChars}) — ${largest <= budgetChars ? "within" : "OVER"} budget`,
);
if (largest > budgetChars || answer.verdict?.accepted !== true) process.exitCode = 1;
