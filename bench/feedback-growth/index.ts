import { ExhaustedError } from "../../src/errors/exhausted-error.js";
import type { GenerateRequest, Message } from "../../src/model.js";
import { retryWithContext } from "../../src/primitives/retry-with-context.js";
import { renderedChars } from "../../src/prompt.js";
import { defineRubric } from "../../src/rubric/rubric.js";
import { countUnits, length } from "../../src/rubric/rules.js";
import { scriptedModel } from "../../src/testing/scripted-model.js";
import { loadRecords, loadResponses } from "../ifeval-data.js";
import { type BenchReport, verdictWord } from "../lib/report.js";
import { fmt } from "../lib/stats.js";
import { markdownTable } from "../lib/table.js";

/** IFEval prompt 3425: "Write an essay … at least 1200 words" — real answers run 4–10 KB. */
const key = 3425;
const minWords = 1200;
/** Six recorded answers that fall short of 1200 words, played as attempts 1..6. */
const failing = [
  "qwen2.5-3b",
  "qwen2.5-7b",
  "qwen2.5-14b",
  "qwen2.5-32b",
  "gpt-4o-2024-08-06",
  "claude-3-opus-20240229",
];

/** The engine's default feedback budget (src/attempts/options.ts), stated here so the table names it. */
const maxFeedbackChars = 2_000;

/**
 * Naive injection, as many retry loops do it: each failure appended to the conversation as the model's
 * full answer plus a user turn naming what was wrong.
 */
function naiveRequest(
  base: GenerateRequest,
  earlier: readonly { text: string; problem: string }[],
): GenerateRequest {
  const turns: Message[] = earlier.flatMap(({ text, problem }) => [
    { role: "assistant", content: text },
    { role: "user", content: `That answer was rejected: ${problem}. Try again.` },
  ]);
  return { ...base, messages: [...base.messages, ...turns] };
}

/**
 * Prompt characters (`renderedChars`) at attempts 1..6 when every attempt fails with a real answer of
 * several KB: rungs' feedback (within `maxFeedbackChars`) against naive "append every failure" injection.
 */
export async function runFeedbackGrowth(): Promise<BenchReport> {
  const record = loadRecords().get(key);
  if (record === undefined) throw new Error(`IFEval prompt ${key} not found`);
  const outputs = failing.map((model) => {
    const text = loadResponses(model).get(key);
    if (text === undefined) throw new Error(`no ${model} response for ${key}`);
    return text;
  });
  const base: GenerateRequest = { messages: [{ role: "user", content: record.prompt }] };
  const rubric = defineRubric({
    id: `ifeval-${key}`,
    rules: [length("min-words", { min: minWords, unit: "words" })],
  });

  const model = scriptedModel("replay", outputs);
  const engine = retryWithContext(model, { rubric, maxAttempts: 6, maxFeedbackChars });
  const error = await engine.generate(base).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!ExhaustedError.isInstance(error))
    throw new Error(`expected every attempt to fail, got ${String(error)}`);
  if (model.calls.length !== 6) throw new Error(`expected 6 calls, saw ${model.calls.length}`);

  const rungsChars = model.calls.map((call) => renderedChars(call.request));
  const naiveChars = outputs.map((_, i) =>
    renderedChars(
      naiveRequest(
        base,
        outputs.slice(0, i).map((text) => ({
          text,
          problem: `it has ${countUnits(text, "words")} words; it needs at least ${minWords}`,
        })),
      ),
    ),
  );
  const first = rungsChars[0]!;
  const table = markdownTable(
    [
      "attempt",
      "previous answer (chars)",
      "rungs prompt chars",
      "rungs feedback chars",
      "naive prompt chars",
      "naive / rungs",
    ],
    rungsChars.map((chars, i) => [
      String(i + 1),
      i === 0 ? "—" : fmt(outputs[i - 1]!.length, 0),
      fmt(chars, 0),
      fmt(chars - first, 0),
      fmt(naiveChars[i]!, 0),
      `${fmt(naiveChars[i]! / chars)}×`,
    ]),
  );
  const sixth = rungsChars[5]!;
  return {
    title: "Feedback growth: prompt characters per attempt",
    markdown: [
      `IFEval prompt ${key} (${record.prompt.length} chars: an essay of at least ${minWords} words); attempts 1..6`,
      `replay real answers that fall short (${failing.join(", ")}), judged by a one-rule rubric`,
      `(\`length\`, min ${minWords} words). rungs: \`retryWithContext\` with \`maxFeedbackChars: ${maxFeedbackChars}\``,
      "(the default), prompt measured with `renderedChars` on the request each call received. Naive: every",
      "failed answer appended as an assistant turn plus a user turn saying what was wrong.",
      "",
      table,
    ].join("\n"),
    targets: [
      `attempt-6 prompt ≤ first prompt + feedback budget: ${fmt(sixth, 0)} ≤ ${fmt(first, 0)} + ${fmt(maxFeedbackChars, 0)} = ${fmt(first + maxFeedbackChars, 0)} chars (${verdictWord(sixth <= first + maxFeedbackChars)}); naive attempt 6: ${fmt(naiveChars[5]!, 0)} chars`,
    ],
  };
}
