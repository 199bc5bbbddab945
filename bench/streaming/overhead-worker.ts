// One row of the per-delta overhead in its own process: `overhead-worker.ts <row-id>`. Sends the measurement
// to the parent. rungs comes from the built package, as in bench/overhead (tsx's keepNames would add a
// `__name` call to every closure rungs makes per part).
import {
  defineModel,
  defineRubric,
  escalateAcross,
  type ModelStreamPart,
  nonEmpty,
  type Rule,
  type StreamPart,
} from "../../dist/index.js";
import { reply } from "../lib/child.js";
import { measure } from "../lib/measure.js";
import { peakRssMb } from "../lib/stats.js";
import { type DeltaRowId, deltaRowIds, deltaTexts } from "./overhead-rows.js";

const [rowArg] = process.argv.slice(2);
const rowId = deltaRowIds.find((id) => id === rowArg);
const texts = deltaTexts();
const expected = texts.join("");
const request = { messages: [{ role: "user" as const, content: "Write the recorded answers again." }] };

/** The provider's stream: an async generator of the recorded deltas, then `finish` (no I/O, no timers). */
async function* providerStream(): AsyncGenerator<ModelStreamPart> {
  for (const text of texts) yield { type: "text-delta", text };
  yield { type: "finish", finishReason: "stop", usage: { outputTokens: texts.length } };
}

/** A rule that judges prefixes and never fails here, so the prefix schedule runs its checks to the end. */
const noTodo: Rule = {
  id: "no-todo",
  check: (text) => !text.includes("TODO"),
  checkPrefix: (prefix) => !prefix.includes("TODO"),
};

const leaf = defineModel("provider", async () => ({ text: expected }), { stream: () => providerStream() });
const plain = escalateAcross([leaf], { rubric: defineRubric({ id: "plain", rules: [nonEmpty()] }) });
const prefixJudged = escalateAcross([leaf], {
  rubric: defineRubric({ id: "prefix", rules: [nonEmpty(), noTodo] }),
});

/** The text a stream's deltas make; throws when it is not the whole recorded text (a row that skipped work). */
async function drain(parts: AsyncIterable<StreamPart | ModelStreamPart>): Promise<void> {
  let text = "";
  let finished = false;
  for await (const part of parts) {
    if (part.type === "text-delta") text += part.text;
    else if (part.type === "finish") finished = true;
  }
  if (!finished || text !== expected) {
    throw new Error(`row ${rowId}: got ${text.length} of ${expected.length} chars, finished: ${finished}`);
  }
}

const rows: Record<DeltaRowId, () => Promise<void>> = {
  provider: () => drain(providerStream()),
  leaf: () => drain(leaf.stream(request)),
  ladder: () => drain(plain.stream(request)),
  "ladder-prefix": () => drain(prefixJudged.stream(request)),
  "ladder-accepted-only": () => drain(prefixJudged.stream(request, { mode: "accepted-only" })),
};

await reply(async () => {
  if (rowId === undefined) throw new Error(`no row "${rowArg}" (${deltaRowIds.join(", ")})`);
  const call = rows[rowId];
  const repetitionMs = Number(process.env.BENCH_REPETITION_MS ?? 300);
  const result = await measure({ setup: () => call, repetitions: 3, repetitionMs, batch: 100 });
  return { ...result, deltas: texts.length, peakRssMb: peakRssMb() };
});
