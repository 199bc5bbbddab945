/**
 * Wrapping an existing function: `npm run example:wrap-function`, offline.
 *
 * You already have `extractInvoice(prompt) => Promise<string>` calling some LLM. Wrap it with
 * `fromFunction`, judge its output with a `structured` rule (a zod schema), and let `retryWithContext` ask
 * again with the schema's issues fed back. The stand-in below behaves like a real model: it wraps its JSON
 * in prose and a ```json fence, and its first answer has the total as a string; once the prompt carries the
 * rubric's complaint, it fixes it. The accepted answer's `value` is the parsed invoice, typed by the schema.
 */
import { z } from "zod";
import { defineRubric, fromFunction, RungsEvents, retryWithContext, structured } from "../src/index.js";

// ---- your existing code (a stand-in for a call to any LLM API) ----
async function extractInvoice(prompt: string): Promise<string> {
  const sawFeedback = prompt.includes("<rungs-feedback");
  const json = sawFeedback
    ? '{"vendor": "ACME GmbH", "total": 1249.5, "currency": "EUR"}'
    : '{"vendor": "ACME GmbH", "total": "1.249,50", "currency": "EUR"}';
  return `Here is the extracted invoice:\n\n\`\`\`json\n${json}\n\`\`\`\n`;
}
// --------------------------------------------------------------------

const invoice = z.object({
  vendor: z.string().min(1),
  total: z.number().positive(),
  currency: z.string().length(3),
});
const rubric = defineRubric({ id: "invoice-json", rules: [structured("invoice-shape", invoice)] });

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
console.log("\nfinal text:", answer.text);
// Typed as { vendor: string; total: number; currency: string } | undefined: no JSON.parse, no cast.
if (answer.value !== undefined)
  console.log(`value: ${answer.value.vendor}, ${answer.value.total.toFixed(2)} ${answer.value.currency}`);
console.log(
  `accepted after ${answer.trace?.attempts?.length ?? 1} attempt(s), verdict ${answer.verdict?.passed}/${answer.verdict?.total}`,
);
