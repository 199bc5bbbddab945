import type { ContentPart, GenerateRequest, Message, ToolDefinition } from "./messages.js";
import { bytesToBase64 } from "./text/base64.js";
import { toolInputJsonSchema } from "./tool-schema.js";

// What leaves rungs as data (cassette keys and entries, records) is JSON: a media part's bytes become one
// base64 string, so a Uint8Array and the base64 of the same bytes write (and hash) alike, and a tool's
// Standard Schema becomes the JSON Schema it converts to.

function partData(part: ContentPart): ContentPart {
  if (part.type === "text" || !(part.data instanceof Uint8Array)) return part;
  return { ...part, data: bytesToBase64(part.data) };
}

function messageData(message: Message): Message {
  if (message.role !== "user" || typeof message.content === "string") return message;
  if (!message.content.some((part) => part.type !== "text" && part.data instanceof Uint8Array))
    return message;
  return { ...message, content: message.content.map(partData) };
}

function toolData(tool: ToolDefinition): ToolDefinition {
  const out: ToolDefinition = { name: tool.name, inputSchema: toolInputJsonSchema(tool) };
  if (tool.description !== undefined) out.description = tool.description;
  return out;
}

/**
 * The request as JSON-safe data: media bytes as base64 strings, tools' input schemas as JSON Schema. Other
 * fields are kept as they are; a request with neither is returned itself.
 */
export function requestData(request: GenerateRequest): GenerateRequest {
  // Unchecked values (a cassette key of whatever was passed) are left to the caller's own handling.
  if (!Array.isArray(request?.messages)) return request;
  const messages = request.messages.map(messageData);
  const changed = messages.some((message, i) => message !== request.messages[i]);
  if (!changed && request.tools === undefined) return request;
  const out: GenerateRequest = { ...request, messages };
  if (request.tools !== undefined) out.tools = request.tools.map(toolData);
  return out;
}
