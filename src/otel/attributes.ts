import type { Attributes } from "@opentelemetry/api";
import type { GenerateRequest, Message, ToolCall } from "../model.js";
import { jsonText, messageText } from "../prompt.js";
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

  /**
   * `gen_ai.input.messages`: the request's messages in the GenAI conventions' JSON shape: text parts, an
   * assistant's `tool_call` parts, a tool message's `tool_call_response` parts; media as its placeholder.
   */
  input(request: GenerateRequest): string {
    return JSON.stringify(request.messages.map((m: Message) => this.message(m)));
  }

  private message(m: Message): { role: string; parts: Record<string, unknown>[] } {
    if (m.role === "tool") {
      return {
        role: "tool",
        parts: m.content.map((r) => ({
          type: "tool_call_response",
          id: r.toolCallId,
          response: this.text(jsonText(r.output)),
        })),
      };
    }
    const text = messageText(m.role === "assistant" ? { role: "assistant", content: m.content } : m);
    const parts: Record<string, unknown>[] = text === "" ? [] : [{ type: "text", content: this.text(text) }];
    if (m.role === "assistant") parts.push(...this.toolCalls(m.toolCalls));
    return { role: m.role, parts };
  }

  private toolCalls(calls: readonly ToolCall[] | undefined): Record<string, unknown>[] {
    return (calls ?? []).map((call) => ({
      type: "tool_call",
      id: call.id,
      name: call.name,
      arguments: this.text(jsonText(call.input)),
    }));
  }

  /** `gen_ai.output.messages`: one assistant message with the output text and the tools it called. */
  output(text: string, finishReason: FinishReason | undefined, toolCalls?: readonly ToolCall[]): string {
    const parts: Record<string, unknown>[] = [{ type: "text", content: this.text(text) }];
    parts.push(...this.toolCalls(toolCalls));
    return JSON.stringify([
      {
        role: "assistant",
        parts,
        ...(finishReason === undefined ? {} : { finish_reason: genAiFinishReason(finishReason) }),
      },
    ]);
  }
}

/**
 * A finish reason in the GenAI conventions' words (`content_filter`, `tool_call`); the others are the same.
 */
export function genAiFinishReason(reason: FinishReason): string {
  return reason === "content-filter" ? "content_filter" : reason === "tool-calls" ? "tool_call" : reason;
}
