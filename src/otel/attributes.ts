import type { Attributes } from "@opentelemetry/api";
import type { GenerateRequest, Message } from "../model.js";
import { redactText } from "../redact.js";
import { capText } from "../text/cap.js";
import type { FinishReason, Usage } from "../trace.js";

/** Parent of an event path: `"a/b/attempt[1]"` → `"a/b"`; a single segment → `""`. */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut < 0 ? "" : path.slice(0, cut);
}

/** Last segment of an event path: `"a/b/map[3]"` → `"map[3]"`. */
export function segmentOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * `gen_ai.provider.name` and `gen_ai.request.model` from a rungs model id: `"ollama:qwen3:8b"` is provider
 * `ollama`, model `qwen3:8b`; `"openai.chat:gpt-4o"` (the AI SDK's provider id) is `openai`, `gpt-4o`. An id
 * without a `provider:` prefix (`"small"`, `"ladder(3)"`) is the model name as it is.
 */
export function modelAttributes(modelId: string): Attributes {
  const cut = modelId.indexOf(":");
  const prefix = cut > 0 ? modelId.slice(0, cut) : "";
  if (!/^[a-z][a-z0-9._-]*$/i.test(prefix)) return { "gen_ai.request.model": modelId };
  return {
    "gen_ai.provider.name": prefix.split(".")[0] ?? prefix,
    "gen_ai.request.model": modelId.slice(cut + 1),
  };
}

export function usageAttributes(usage: Usage): Attributes {
  const out: Attributes = {};
  if (usage.inputTokens !== undefined) out["gen_ai.usage.input_tokens"] = usage.inputTokens;
  if (usage.outputTokens !== undefined) out["gen_ai.usage.output_tokens"] = usage.outputTokens;
  return out;
}

/** Prompt and output text on spans, when the caller opted in: each text redacted and cut to `maxChars`. */
export class ContentCapture {
  constructor(readonly maxChars: number) {}

  text(text: string): string {
    return capText(redactText(text), this.maxChars);
  }

  /** `gen_ai.input.messages`: the request's messages in the GenAI conventions' JSON shape. */
  input(request: GenerateRequest): string {
    return JSON.stringify(
      request.messages.map((m: Message) => ({
        role: m.role,
        parts: [{ type: "text", content: this.text(m.content) }],
      })),
    );
  }

  /** `gen_ai.output.messages`: one assistant message with the output text. */
  output(text: string, finishReason: FinishReason | undefined): string {
    return JSON.stringify([
      {
        role: "assistant",
        parts: [{ type: "text", content: this.text(text) }],
        ...(finishReason === undefined ? {} : { finish_reason: finishReason }),
      },
    ]);
  }
}
