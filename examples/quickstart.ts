/**
 * The README's quickstart as a file, runnable offline: `npm run example:quickstart`.
 *
 * Two existing LLM calls (stand-ins here: a small model that writes `.unwrap()` and a large one whose
 * answer arrives cut off) are wrapped with `fromFunction`, each continued when cut off, and put on a ladder
 * judged by a rubric. Swap the two stand-ins for real calls (`ollamaModel({ model })`, or your own function) and
 * nothing else changes. `RUNGS_LOG=1 npm run example:quickstart` also prints rungs' own line per attempt
 * (on stderr), with no handler written.
 */
import {
  continueUntilComplete,
  defineRubric,
  escalateAcross,
  fromFunction,
  matches,
  notMatches,
  RungsEvents,
  treeSplit,
} from "../src/index.js";

// Stand-ins for two existing calls, `(prompt) => Promise<string | { text, finishReason }>`.
const callSmallModel = async (_prompt: string) =>
  "pub async fn fetch_all(urls: &[String]) -> Vec<String> {\n    let body = reqwest::get(&urls[0]).await.unwrap();\n    vec![body.text().await.unwrap()]\n}";
let largeCalls = 0;
const callLargeModel = async (_prompt: string) => {
  largeCalls += 1;
  // The first reply is cut off at the output-token limit; continueUntilComplete asks for the rest.
  return largeCalls === 1
    ? {
        text: "pub async fn fetch_all(urls: &[String]) -> Result<Vec<String>, reqwest::Error> {\n    let mut out = Vec::new();\n",
        finishReason: "length" as const,
      }
    : "    for url in urls {\n        out.push(reqwest::get(url).await?.text().await?);\n    }\n    Ok(out)\n}";
};
const task = "Write `pub async fn fetch_all` that downloads every URL with reqwest and propagates errors.";
const docs = ["reqwest::get(url) returns a Result<Response, reqwest::Error>; Response::text() is async."];

const small = fromFunction("small", (prompt: string) => callSmallModel(prompt));
const large = fromFunction("large", (prompt: string) => callLargeModel(prompt));

const rubric = defineRubric({
  id: "rust-fn",
  rules: [matches("signature", /pub async fn fetch_all\(/), notMatches("no-unwrap", /\.unwrap\(\)/)],
});

const solver = treeSplit(
  escalateAcross(
    [small, large].map((m) => continueUntilComplete(m)),
    { rubric, maxAttempts: 6 },
  ),
  { promptLimit: { chars: 4000 } },
);

const events = new RungsEvents();
events.on("attempt-end", ({ attempt }) =>
  console.log(
    `attempt ${attempt.index} on ${attempt.modelId}: ${attempt.accepted ? "accepted" : `${attempt.kind} — ${attempt.verdict?.violations.map((v) => v.ruleId).join(", ") ?? ""}`}`,
  ),
);
const answer = await solver.generate(
  { messages: [{ role: "user", content: task }], context: docs },
  { events },
);
console.log(answer.modelId, answer.verdict?.passed, "/", answer.verdict?.total);
console.log(answer.text);
