/**
 * Wrapping an existing function: `npm run example:wrap-function`, offline.
 *
 * You already have `extractInvoice(prompt) => Promise<string>` calling some LLM. Wrap it with
 * `fromFunction`, judge its output with a JSON-shape rule (zod), and let `retryWithContext` ask again with
 * what went wrong fed back. The stand-in below behaves like a real model: its first answer has the total as
 * a string; once the prompt carries the rubric's complaint, it fixes it.
 */
import { z } from "zod";
import { defineRubric, fromFunction, json, RungsEvents, retryWithContext } from "../src/index.js";

// ---- your existing code (a stand-in for a call to any LLM API) ----
async function extractInvoice(prompt: string): Promise<string> {
  const sawFeedback = prompt.includes("<rungs-feedback");
  return sawFeedback
    ? '{"vendor": "ACME GmbH", "total": 1249.5, "currency": "EUR"}'
    : '{"vendor": "ACME GmbH", "total": "1.249,50", "currency": "EUR"}';
}
// --------------------------------------------------------------------

const invoice = z.object({
  vendor: z.string().min(1),
  total: z.number().positive(),
  currency: z.string().length(3),
});
const rubric = defineRubric({ id: "invoice-json", rules: [json("invoice-shape", invoice)] });

const model = retryWithContext(fromFunction("legacy:extract-invoice", extractInvoice), {
  rubric,
  maxAttempts: 3,
});

const events = new RungsEvents();
events.on("attempt-end", ({ attempt }) => {
  const why = attempt.verdict?.violations.map((v) => `${v.ruleId}: ${v.message ?? ""}`).join("; ");
  console.log(`attempt ${attempt.index}: ${attempt.accepted ? "accepted" : `${attempt.kind} (${why})`}`);
  console.log(`  feedback carried: ${attempt.feedbackChars} chars`);
});

const answer = await model.generate(
  {
    messages: [
      {
        role: "user",
        content: "Extract vendor, total (a number) and currency from: ACME GmbH … Summe 1.249,50 EUR",
      },
    ],
  },
  { events },
);
console.log("\nfinal:", answer.text);
console.log(
  `accepted after ${answer.trace?.attempts?.length ?? 1} attempt(s), verdict ${answer.verdict?.passed}/${answer.verdict?.total}`,
);
