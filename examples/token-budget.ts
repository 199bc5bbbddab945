/**
 * A token budget counted by a real tokenizer: `npm run example:token-budget`, offline.
 *
 * `treeSplit` measures prompts in characters by default. Models have context windows in tokens, so give it
 * `{ tokens, count }` with a real tokenizer's counter — here `gpt-tokenizer` (pure JS, o200k_base, the
 * GPT-4o / gpt-oss encoding). Any `(text) => number` works: `js-tiktoken`, `@huggingface/transformers`'
 * tokenizers, or a provider's count endpoint cached locally. Leave headroom under the real window: the
 * counter sees message contents, not the few framing tokens a chat template adds per message.
 *
 * The stand-in model below takes notes by keeping the sentences that mention revenue, merges notes by
 * dropping repeats, and answers from the notes; swap in `ollamaModel({ model: "qwen3:8b" })` for a real run.
 */
import { countTokens } from "gpt-tokenizer";
import {
  fromFunction,
  type GenerateRequest,
  messageText,
  RungsEvents,
  renderMessages,
  treeSplit,
} from "../src/index.js";

// A long document: 60 quarterly notes, one revenue figure each among filler.
const quarters = Array.from({ length: 60 }, (_, i) => {
  const year = 2010 + Math.floor(i / 4);
  const quarter = (i % 4) + 1;
  return [
    `Q${quarter} ${year}. The board met twice and approved the minutes of the previous meeting.`,
    `Revenue in Q${quarter} ${year} was ${(120 + i * 3.5).toFixed(1)} million euros.`,
    "Headcount was stable; the office move was postponed to the next quarter. ".repeat(4),
  ].join(" ");
});
const report = quarters.join("\n\n");

const BUDGET_TOKENS = 1_500;
const promptTokens = (request: GenerateRequest) =>
  renderMessages(request).reduce((sum, m) => sum + countTokens(messageText(m)), 0);
const seen: number[] = [];

const model = fromFunction(
  "stand-in",
  async (request: GenerateRequest) => {
    seen.push(promptTokens(request));
    const system = request.messages.find((m) => m.role === "system")?.content ?? "";
    const documents = (request.context ?? []).join("\n");
    if (system.startsWith("You are reading") || system.startsWith("Below are notes")) {
      const facts = documents.match(/Revenue in Q\d \d{4} was [\d.]+ million euros\./g) ?? [];
      return { text: [...new Set(facts)].join("\n") || "nothing relevant" };
    }
    const figures = [...documents.matchAll(/was ([\d.]+) million/g)].map((m) => Number(m[1]));
    return {
      text: `Revenue grew from ${figures[0]} to ${figures.at(-1)} million euros over ${figures.length} quarters.`,
    };
  },
  { input: "request" },
);

const reader = treeSplit(model, {
  promptLimit: { tokens: BUDGET_TOKENS, count: countTokens },
  concurrency: 4,
});
const events = new RungsEvents();
events.on("context-split", (e) => e.stage !== "map" && console.log(`split ${e.stage.padEnd(8)} ${e.path}`));

const request: GenerateRequest = {
  messages: [{ role: "user", content: "How did revenue develop over the period? One sentence." }],
  context: [report],
};
console.log(
  `document: ${report.length} chars, ${countTokens(report)} tokens; budget ${BUDGET_TOKENS} tokens`,
);
const answer = await reader.generate(request, { events });
const split = answer.trace?.split;
console.log(answer.text);
console.log(
  `calls ${split?.calls} = ${split?.shards} shards + ${split?.reduces} reduces + 1 answer; depth ${split?.depth}`,
);
console.log(`largest prompt sent: ${Math.max(...seen)} tokens (budget ${BUDGET_TOKENS})`);
if (Math.max(...seen) > BUDGET_TOKENS) process.exitCode = 1;
