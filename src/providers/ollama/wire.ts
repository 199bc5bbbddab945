import type {
  Message as OllamaMessage,
  Tool as OllamaTool,
  ToolCall as OllamaToolCall,
} from "ollama/browser";
import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";
import type { GenerateRequest, Message, ToolCall } from "../../messages.js";
import { jsonText, renderMessages } from "../../prompt.js";
import { bytesToBase64 } from "../../text/base64.js";
import { toolInputJsonSchema } from "../../tool-schema.js";

// rungs messages and tools on Ollama's /api/chat wire, and its tool calls back. Ollama takes images as base64
// on the message (`images`), an assistant's calls as `tool_calls: [{ function: { name, arguments } }]`, and
// each tool result as its own `{ role: "tool", content, tool_name }` message. It takes no files, fetches no
// URLs and has no tool_choice: those are refused or mapped as documented on ollamaModel.

/** The image of a part as Ollama takes it: base64, from bytes, a base64 string or a `data:` URL. */
function imageBase64(where: string, data: Uint8Array | string | undefined, url: string | undefined): string {
  if (data instanceof Uint8Array) return bytesToBase64(data);
  if (typeof data === "string") return data;
  const inline = /^data:[^,]*;base64,(.*)$/is.exec(url ?? "");
  if (inline?.[1] !== undefined) return inline[1];
  throw new InvalidArgumentError({
    parameter: where,
    value: url,
    message: `ollamaModel: Ollama takes images as bytes, not by URL (${where}): fetch the image and pass { type: "image", data } (a Uint8Array or base64), or a data: URL.`,
  });
}

function toWire(message: Message, i: number): OllamaMessage[] {
  switch (message.role) {
    case "system":
      return [{ role: "system", content: message.content }];
    case "user": {
      if (typeof message.content === "string") return [{ role: "user", content: message.content }];
      let content = "";
      const images: string[] = [];
      message.content.forEach((part, j) => {
        const where = `request.messages[${i}].content[${j}]`;
        if (part.type === "text") content += part.text;
        else if (part.type === "image") images.push(imageBase64(where, part.data, part.url));
        else {
          throw new InvalidArgumentError({
            parameter: where,
            value: part.mediaType,
            message: `ollamaModel: Ollama takes no file parts (${where}, ${part.mediaType}): send its text, or use a provider that takes files.`,
          });
        }
      });
      return [images.length > 0 ? { role: "user", content, images } : { role: "user", content }];
    }
    case "assistant": {
      const content =
        typeof message.content === "string" ? message.content : message.content.map((p) => p.text).join("");
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return [{ role: "assistant", content }];
      return [
        {
          role: "assistant",
          content,
          tool_calls: calls.map((call) => ({
            function: { name: call.name, arguments: call.input as OllamaToolCall["function"]["arguments"] },
          })),
        },
      ];
    }
    case "tool":
      return message.content.map((result) => ({
        role: "tool",
        content: jsonText(result.output),
        tool_name: result.toolName,
      }));
  }
}

/** The request's messages as Ollama's: the shared renderer's system message first, then the conversation. */
export function wireMessages(request: GenerateRequest): OllamaMessage[] {
  return renderMessages(request).flatMap(toWire);
}

/**
 * The request's tools as Ollama's `tools`, honouring `toolChoice` as far as the wire allows: `"none"` sends
 * none, a named tool sends only that one; `"required"` cannot be forced (Ollama has no tool_choice), so a
 * rubric with `validToolCalls` holds it. Undefined when no tools are sent.
 */
export function wireTools(request: GenerateRequest): OllamaTool[] | undefined {
  const choice = request.toolChoice;
  if (request.tools === undefined || request.tools.length === 0 || choice === "none") return undefined;
  const tools =
    typeof choice === "object"
      ? request.tools.filter((tool) => tool.name === choice.toolName)
      : request.tools;
  return tools.map((tool) => ({
    type: "function",
    function: {
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: toolInputJsonSchema(tool) as NonNullable<OllamaTool["function"]["parameters"]>,
    },
  }));
}

/**
 * The tool calls of Ollama's answer messages, or the name of the malformed field. Ollama sends `id` on
 * recent servers; a call without one gets `call_<n>` (1-based, in answer order). String arguments (some
 * OpenAI-style servers) are parsed as JSON when they parse.
 */
export function readToolCalls(
  raw: unknown,
  into: ToolCall[],
): { field: string; value: unknown; expected: string } | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw))
    return { field: "message.tool_calls", value: raw, expected: "a list of tool calls" };
  for (const [k, entry] of raw.entries()) {
    const fn = (entry as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
    if (typeof fn !== "object" || fn === null || typeof fn.name !== "string" || fn.name === "") {
      return {
        field: `message.tool_calls[${k}].function.name`,
        value: fn?.name,
        expected: "a non-empty string",
      };
    }
    const id = (entry as { id?: unknown }).id;
    let input = fn.arguments ?? {};
    if (typeof input === "string") {
      try {
        input = JSON.parse(input);
      } catch {
        // kept as the string: validToolCalls reports it against the schema
      }
    }
    into.push({
      id: typeof id === "string" && id !== "" ? id : `call_${into.length + 1}`,
      name: fn.name,
      input,
    });
  }
  return undefined;
}
