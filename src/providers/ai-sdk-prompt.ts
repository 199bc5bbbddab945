import type { ContentPart, GenerateRequest, Message, ToolChoice } from "../messages.js";
import { renderMessages } from "../prompt.js";
import { toolInputJsonSchema } from "../tool-schema.js";
import type { AiSdkSpecificationVersion } from "./ai-sdk-version.js";

// A rungs request as an AI SDK prompt, tools and tool choice (what fromAiSdk sends to doGenerate). The
// conversation comes from the one renderer (system text, context and feedback first); its parts, tool calls
// and tool results map one to one. v4 tags file data (`{ type: "data" | "url" }`); v2 and v3 take bytes, a
// base64 string or a URL as they are.

/** A JSON value, as the SDK's `providerOptions` and tool outputs take. */
export type JsonValue =
  | null
  | string
  | number
  | boolean
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };

/**
 * A JSON value as `JSON.parse` returns it: no `undefined` anywhere, so it fits every specification's JSON type
 * (v2's has no `undefined`).
 */
export type JsonData = null | string | number | boolean | JsonData[] | { [key: string]: JsonData };

/** A file's data in a v2 or v3 prompt: bytes, base64, or a URL. */
export type AiSdkFileDataV2 = Uint8Array | string | URL;

/** A file's data in a v4 prompt: tagged. */
export type AiSdkFileDataV4 =
  | {
      /** Bytes or base64. */
      type: "data";
      /** The bytes, or base64. */
      data: Uint8Array | string;
    }
  | {
      /** A URL. */
      type: "url";
      /** Where the file is. */
      url: URL;
    };

/** A file's data in a prompt of any version. */
export type AiSdkFileData = AiSdkFileDataV2 | AiSdkFileDataV4;

/** A text part. */
export interface AiSdkTextPart {
  /** Always `"text"`. */
  type: "text";
  /** The text. */
  text: string;
}

/** A file or image part (`mediaType` `image/*` for images). */
export interface AiSdkFilePart<D extends AiSdkFileData = AiSdkFileData> {
  /** Always `"file"`. */
  type: "file";
  /** The bytes or URL. */
  data: D;
  /** The IANA media type. */
  mediaType: string;
  /** The file's name. */
  filename?: string;
}

/** A tool call the model made earlier. */
export interface AiSdkToolCallPart {
  /** Always `"tool-call"`. */
  type: "tool-call";
  /** The call's id. */
  toolCallId: string;
  /** The tool's name. */
  toolName: string;
  /** The arguments. */
  input: unknown;
}

/** A tool's result. */
export interface AiSdkToolResultPart {
  /** Always `"tool-result"`. */
  type: "tool-result";
  /** The id of the call it answers. */
  toolCallId: string;
  /** The tool that was called. */
  toolName: string;
  /** The output: text or JSON, or an error as text or JSON (each its own variant, as the SDK's types have it). */
  output:
    | {
        /** A string output. */
        type: "text";
        /** The text. */
        value: string;
      }
    | {
        /** An error's text. */
        type: "error-text";
        /** The text. */
        value: string;
      }
    | {
        /** A JSON output. */
        type: "json";
        /** The value (parsed JSON: no `undefined` in it). */
        value: JsonData;
      }
    | {
        /** An error as JSON. */
        type: "error-json";
        /** The value (parsed JSON: no `undefined` in it). */
        value: JsonData;
      };
}

/** One message of the prompt rungs sends (`LanguageModelV2/V3/V4Prompt`; `D`: the version's file data). */
export type AiSdkMessage<D extends AiSdkFileData = AiSdkFileData> =
  | {
      /** A system message. */
      role: "system";
      /** Its text. */
      content: string;
    }
  | {
      /** A user message. */
      role: "user";
      /** Its text and media. */
      content: Array<AiSdkTextPart | AiSdkFilePart<D>>;
    }
  | {
      /** An assistant message. */
      role: "assistant";
      /** Its text and tool calls. */
      content: Array<AiSdkTextPart | AiSdkToolCallPart>;
    }
  | {
      /** Tool results. */
      role: "tool";
      /** One per call answered. */
      content: AiSdkToolResultPart[];
    };

/** A function tool as the SDK's call options carry it. */
export interface AiSdkFunctionTool {
  /** Always `"function"`. */
  type: "function";
  /** The tool's name. */
  name: string;
  /** What it does. */
  description?: string;
  /** Its input, as JSON Schema. */
  inputSchema: Record<string, unknown>;
}

/** The tool choice as the SDK's call options carry it. */
export type AiSdkToolChoice =
  | {
      /** Any, none, or at least one tool. */
      type: "auto" | "none" | "required";
    }
  | {
      /** One named tool. */
      type: "tool";
      /** Its name. */
      toolName: string;
    };

/** The request's conversation as an AI SDK prompt of `version`. */
export function aiSdkPromptOf(request: GenerateRequest, version: AiSdkSpecificationVersion): AiSdkMessage[] {
  return renderMessages(request).map((message) => messageOf(message, version));
}

function messageOf(message: Message, version: AiSdkSpecificationVersion): AiSdkMessage {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content };
    case "user":
      return {
        role: "user",
        content:
          typeof message.content === "string"
            ? [{ type: "text", text: message.content }]
            : message.content.map((part) => userPartOf(part, version)),
      };
    case "assistant": {
      const text =
        typeof message.content === "string" ? message.content : message.content.map((p) => p.text).join("");
      const content: Array<AiSdkTextPart | AiSdkToolCallPart> = text === "" ? [] : [{ type: "text", text }];
      for (const call of message.toolCalls ?? []) {
        content.push({ type: "tool-call", toolCallId: call.id, toolName: call.name, input: call.input });
      }
      return { role: "assistant", content };
    }
    case "tool":
      return {
        role: "tool",
        content: message.content.map(
          (result): AiSdkToolResultPart => ({
            type: "tool-result",
            toolCallId: result.toolCallId,
            toolName: result.toolName,
            output:
              typeof result.output === "string"
                ? { type: result.isError === true ? "error-text" : "text", value: result.output }
                : { type: result.isError === true ? "error-json" : "json", value: jsonOf(result.output) },
          }),
        ),
      };
  }
}

/** A tool's output as JSON: what JSON cannot hold (undefined, functions) is left out, as JSON.stringify does. */
function jsonOf(value: unknown): JsonData {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value) ?? "null") as JsonData;
}

function userPartOf(part: ContentPart, version: AiSdkSpecificationVersion): AiSdkTextPart | AiSdkFilePart {
  if (part.type === "text") return { type: "text", text: part.text };
  const mediaType = part.mediaType ?? (part.type === "image" ? "image/*" : "application/octet-stream");
  const data: AiSdkFileData =
    part.url !== undefined
      ? version === "v4"
        ? { type: "url", url: new URL(part.url) }
        : new URL(part.url)
      : version === "v4"
        ? { type: "data", data: part.data ?? "" }
        : (part.data ?? "");
  const file: AiSdkFilePart = { type: "file", data, mediaType };
  if (part.type === "file" && part.filename !== undefined) file.filename = part.filename;
  return file;
}

/** The request's tools as the SDK's function tools (a Standard Schema converted to JSON Schema). */
export function aiSdkToolsOf(request: GenerateRequest): AiSdkFunctionTool[] | undefined {
  if (request.tools === undefined || request.tools.length === 0) return undefined;
  return request.tools.map((tool) => {
    const definition: AiSdkFunctionTool = {
      type: "function",
      name: tool.name,
      inputSchema: toolInputJsonSchema(tool),
    };
    if (tool.description !== undefined) definition.description = tool.description;
    return definition;
  });
}

/** The request's tool choice as the SDK's. */
export function aiSdkToolChoiceOf(choice: ToolChoice | undefined): AiSdkToolChoice | undefined {
  if (choice === undefined) return undefined;
  return typeof choice === "string" ? { type: choice } : { type: "tool", toolName: choice.toolName };
}
