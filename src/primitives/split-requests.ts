import type { GenerateRequest } from "../model.js";
import { conversationText, messageText, renderDefaults, renderedChars, renderMessages } from "../prompt.js";

/**
 * Measured as sent but without the renderer's per-document cap: a 3 MB document must measure 3 MB, or a
 * request would seem to fit and reach the model silently cut.
 */
const uncapped = { maxContextChars: Number.MAX_SAFE_INTEGER };

/** True when every context document fits under the renderer's cap, so none would be cut when sent. */
export function underRenderCap(context: readonly string[] | undefined): boolean {
  return (context ?? []).every((doc) => doc.length <= renderDefaults.maxContextChars);
}

/** The instruction of each map call (one shard of context → notes). */
export const defaultMapPrompt =
  "You are reading one part of a set of documents that are too long to read at once. Write concise notes on this part for the task below: keep every fact, figure, name and quotation the task could need, in the order they appear. Write only notes, not the answer. If this part holds nothing relevant, write: nothing relevant.";

/** The instruction of each reduce call (notes → shorter notes). */
export const defaultReducePrompt =
  "Below are notes taken from parts of a set of documents for the task below. Merge them into shorter notes: keep every fact, figure, name and quotation the task could need, drop repetition and anything irrelevant, and keep any line that says a part is missing. Write only notes, not the answer.";

/** The first line of the scratchpad given to the final call as its only context document. */
export const scratchpadHeader =
  "Notes taken from the documents, which were too long to send whole (each part was read separately):";

/** A budget in characters of the rendered prompt, or in tokens counted by a caller's tokenizer. */
export type PromptLimit =
  | {
      /** Most characters one rendered request may have. */
      chars: number;
    }
  | {
      /** Most tokens one rendered request may have, as `count` measures them. */
      tokens: number;
      /** Counts the tokens of a text (e.g. a tokenizer's `encode(text).length`). */
      count: (text: string) => number;
    };

/** The request's size in the budget's unit, as the shared renderer renders it. */
export type RequestMeasure = (request: GenerateRequest) => number;

/**
 * Measures requests as rendered by {@link renderMessages}: characters of every message's content
 * (as `renderedChars`), or the sum of `count` over them (per-message framing tokens a provider adds
 * are not counted: leave headroom for them in `tokens`).
 */
export function requestMeasure(budget: PromptLimit): {
  limit: number;
  measure: RequestMeasure;
  size: (text: string) => number;
} {
  if ("chars" in budget) {
    return {
      limit: budget.chars,
      measure: (request) =>
        underRenderCap(request.context) ? renderedChars(request, uncapped) : Number.POSITIVE_INFINITY,
      size: (text) => text.length,
    };
  }
  const size = (text: string) => {
    const n = budget.count(text);
    if (!Number.isFinite(n) || n < 0) {
      throw new TypeError(`treeSplit: budget.count returned ${String(n)}; it must return a token count ≥ 0.`);
    }
    return n;
  };
  return {
    limit: budget.tokens,
    measure: (request) =>
      underRenderCap(request.context)
        ? renderMessages(request, uncapped).reduce((sum, m) => sum + size(messageText(m)), 0)
        : Number.POSITIVE_INFINITY,
    size,
  };
}

/**
 * The caller's conversation as one text, for the map and reduce calls to know what the notes are for. A media
 * part shows as its `[image]` / `[file]` placeholder: the notes are taken on the context, which is text.
 */
export function taskText(request: GenerateRequest): string {
  return conversationText(renderMessages({ messages: request.messages }));
}

/** A map or reduce request: the instruction, the task, and the text to take notes on as context. */
export function noteRequest(
  instruction: string,
  task: string,
  context: readonly string[],
  request: GenerateRequest,
): GenerateRequest {
  const out: GenerateRequest = {
    messages: [
      { role: "system", content: instruction },
      { role: "user", content: `The task the notes are for:\n\n${task}\n\nWrite the notes now.` },
    ],
    context,
  };
  if (request.temperature !== undefined) out.temperature = request.temperature;
  return out;
}

/** The final request: the caller's request with its context replaced by the scratchpad. */
export function answerRequest(request: GenerateRequest, scratchpad: string): GenerateRequest {
  return { ...request, context: [`${scratchpadHeader}\n\n${scratchpad}`] };
}

/** The scratchpad section for one part: its notes, or the gap a skipped failure left. */
export function noteSection(index: number, total: number, notes: string | { gap: string }): string {
  if (typeof notes === "string") return `## Part ${index + 1} of ${total}\n${notes.trim() || "(no notes)"}`;
  return `## Part ${index + 1} of ${total}: MISSING — the call failed (${notes.gap}); nothing from this part is covered.`;
}

/** The visible marker where truncation at `maxDepth` cut the scratchpad. */
export function truncationMarker(cutChars: number, maxDepth: number): string {
  return `[rungs: ${cutChars} chars of notes cut here to fit the budget after ${maxDepth} reduce level(s)]`;
}
