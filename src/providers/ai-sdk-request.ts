import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type {
  ContentPart,
  GenerateRequest,
  Message,
  TextPart,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
} from "../messages.js";

// The AI SDK's call options (any of spec v2, v3, v4) as a rungs request: what `toAiSdk`'s doGenerate runs.
// The shapes are read at run time, field by field, so one mapper serves every version: v4 tags its file
// data (`{ type: "data" | "url", ... }`), v2 and v3 give bytes, a base64 string or a URL.

/** A part of an AI SDK prompt message, as far as rungs reads it (every spec version). */
export interface AiSdkPromptPart {
  /** `"text"`, `"file"`, `"reasoning"`, `"tool-call"`, `"tool-result"`, `"tool-approval-response"`, ... */
  type: string;
  /** Text parts: the text. */
  text?: string;
  /** File parts: the bytes (v2, v3: `Uint8Array`, base64 string or `URL`; v4: `{ type, ... }`). */
  data?: unknown;
  /** Image parts of a `ModelMessage`: the bytes, base64, or a URL. */
  image?: unknown;
  /** File parts: the IANA media type (`image/*` is taken as an image). */
  mediaType?: string;
  /** File parts: the file's name. */
  filename?: string;
  /** Tool-call and tool-result parts: the call's id. */
  toolCallId?: string;
  /** Tool-call and tool-result parts: the tool's name. */
  toolName?: string;
  /** Tool-call parts: the arguments (parsed). */
  input?: unknown;
  /** Tool-result parts: `{ type: "text" | "json" | "error-text" | "error-json" | "content" | "execution-denied", ... }`. */
  output?: unknown;
}

/** One message of an AI SDK prompt (`LanguageModelV2/V3/V4Prompt`) or of an app's `ModelMessage[]`. */
export interface AiSdkPromptMessage {
  /** Who speaks. */
  role: "system" | "user" | "assistant" | "tool";
  /** A string for `system`; parts for the others. */
  content: string | readonly AiSdkPromptPart[];
}

/** The AI SDK call options rungs reads (`LanguageModelV2/V3/V4CallOptions`); others are reported as warnings. */
export interface AiSdkModelCallOptions {
  /** The conversation. */
  prompt: readonly AiSdkPromptMessage[];
  /** Most output tokens. */
  maxOutputTokens?: number | undefined;
  /** Sampling temperature. */
  temperature?: number | undefined;
  /** Sequences that end the output. */
  stopSequences?: readonly string[] | undefined;
  /** The tools the model may call: function tools (`{ type: "function", name, description?, inputSchema }`). */
  tools?:
    | ReadonlyArray<{
        /** `"function"`; provider tools (`"provider"`, `"provider-defined"`) are refused. */
        type: string;
        /** The tool's name. */
        name: string;
        /** What it does. */
        description?: string | undefined;
        /** Its input as JSON Schema. */
        inputSchema?: unknown;
      }>
    | undefined;
  /** `{ type: "auto" | "none" | "required" }` or `{ type: "tool", toolName }`. */
  toolChoice?:
    | {
        /** Which choice. */
        type: string;
        /** The tool, for `"tool"`. */
        toolName?: string;
      }
    | undefined;
  /** Aborts the call. */
  abortSignal?: AbortSignal | undefined;
  /** Any other option of the SDK (topP, seed, responseFormat, headers, providerOptions...). */
  [option: string]: unknown;
}

/** The options rungs does not pass on; the SDK gets a warning for each one set. */
export const unsupportedSettings = [
  "topP",
  "topK",
  "presencePenalty",
  "frequencyPenalty",
  "seed",
  "responseFormat",
] as const;

/** Who maps: the function named in every error. */
type Who = "toAiSdk" | "messagesFromAiSdk";

function refuse(who: Who, parameter: string, value: unknown, message: string): never {
  throw new InvalidArgumentError({ parameter, value, message: `${who}: ${message}` });
}

/**
 * The AI SDK's call options as a rungs request.
 * @throws InvalidArgumentError for what a rungs request cannot say (a provider tool, a file in an assistant
 *   message, an unknown part type), naming the part; nothing is dropped silently but reasoning parts (the
 *   model's own earlier thinking, which providers do not take back either).
 */
export function requestOfAiSdkCall(options: AiSdkModelCallOptions): GenerateRequest {
  const who: Who = "toAiSdk";
  const request: GenerateRequest = { messages: messagesFrom(who, options.prompt, "prompt") };
  if (options.maxOutputTokens !== undefined) request.maxOutputTokens = options.maxOutputTokens;
  if (options.temperature !== undefined) request.temperature = options.temperature;
  if (options.stopSequences !== undefined && options.stopSequences.length > 0) {
    request.stop = [...options.stopSequences];
  }
  if (options.tools !== undefined && options.tools.length > 0) {
    request.tools = options.tools.map((tool, i): ToolDefinition => {
      if (tool.type !== "function") {
        refuse(
          who,
          `tools[${i}]`,
          tool.name,
          `the provider tool "${tool.name}" (type "${tool.type}") runs at one provider; a rungs model takes function tools only (tool({ inputSchema, execute })).`,
        );
      }
      const definition: ToolDefinition = {
        name: tool.name,
        inputSchema: (tool.inputSchema ?? { type: "object" }) as Record<string, unknown>,
      };
      if (tool.description !== undefined) definition.description = tool.description;
      return definition;
    });
  }
  if (options.toolChoice !== undefined) request.toolChoice = toolChoiceOf(who, options.toolChoice);
  return request;
}

/**
 * An AI SDK conversation as rungs messages: an app's `ModelMessage[]` (what `generateText({ messages })`
 * takes: image parts, files, tool calls, tool results) or a language model prompt. Text, images and files
 * (bytes, base64 or URLs), tool calls and tool results map one to one; reasoning parts are left out (the
 * model's own earlier thinking, which providers do not take back either).
 * @throws InvalidArgumentError naming the part rungs cannot take (a file in an assistant message, media in a
 *   tool result, an upload reference), rather than drop it.
 * @example
 * const answer = await ladder.generate({ messages: messagesFromAiSdk(modelMessages) });
 */
export function messagesFromAiSdk(messages: readonly AiSdkPromptMessage[]): Message[] {
  const who: Who = "messagesFromAiSdk";
  if (!Array.isArray(messages)) {
    return refuse(
      who,
      "messages",
      typeof messages,
      '"messages" must be an array of the AI SDK\'s messages (ModelMessage[]).',
    );
  }
  return messagesFrom(who, messages, "messages");
}

function messagesFrom(who: Who, messages: readonly AiSdkPromptMessage[], at: string): Message[] {
  return messages.map((message, i) => messageOf(who, message, `${at}[${i}]`));
}

function toolChoiceOf(who: Who, choice: NonNullable<AiSdkModelCallOptions["toolChoice"]>): ToolChoice {
  if (choice.type === "auto" || choice.type === "none" || choice.type === "required") return choice.type;
  if (choice.type === "tool" && typeof choice.toolName === "string") {
    return { type: "tool", toolName: choice.toolName };
  }
  return refuse(who, "toolChoice", choice, `unknown toolChoice ${JSON.stringify(choice)}.`);
}

function messageOf(who: Who, message: AiSdkPromptMessage, at: string): Message {
  const { role, content } = message;
  if (role === "system") {
    if (typeof content !== "string") refuse(who, at, role, "a system message's content must be a string.");
    return { role, content };
  }
  if (typeof content === "string")
    return role === "tool" ? refuse(who, at, role, "a tool message needs parts.") : { role, content };
  if (role === "user") {
    const parts = content.map((part, j) => userPartOf(who, part, `${at}.content[${j}]`));
    // Text alone stays a string, so a text-only model (a prompt-string function, a judge) takes it as is.
    return parts.every((part) => part.type === "text")
      ? { role, content: parts.map((part) => part.text).join("") }
      : { role, content: parts };
  }
  if (role === "assistant") {
    const text: TextPart[] = [];
    const toolCalls: ToolCall[] = [];
    content.forEach((part, j) => {
      if (part.type === "text") text.push({ type: "text", text: part.text ?? "" });
      else if (part.type === "tool-call") {
        toolCalls.push({ id: part.toolCallId ?? "", name: part.toolName ?? "", input: part.input });
      } else if (part.type !== "reasoning" && part.type !== "reasoning-file") {
        refuse(
          who,
          `${at}.content[${j}]`,
          part.type,
          `an assistant message's "${part.type}" part has no place in a rungs request (it takes text and tool calls).`,
        );
      }
    });
    const joined = text.map((part) => part.text).join("");
    return toolCalls.length > 0 ? { role, content: joined, toolCalls } : { role, content: joined };
  }
  if (role === "tool") {
    const results: ToolResultPart[] = [];
    content.forEach((part, j) => {
      // An approval answer is the SDK's own bookkeeping for tools that need one: the SDK acts on it; a
      // model takes nothing from it.
      if (part.type === "tool-approval-response") return;
      if (part.type !== "tool-result") {
        refuse(
          who,
          `${at}.content[${j}]`,
          part.type,
          `a tool message takes tool results, not "${part.type}".`,
        );
      }
      results.push(toolResultOf(who, part, `${at}.content[${j}]`));
    });
    return { role, content: results };
  }
  return refuse(who, at, role, `unknown role ${JSON.stringify(role)}.`);
}

function userPartOf(who: Who, part: AiSdkPromptPart, at: string): ContentPart {
  if (part.type === "text") return { type: "text", text: part.text ?? "" };
  if (part.type === "image") {
    // A ModelMessage's image part: `image` holds the bytes, base64 or a URL.
    const image: ContentPart = { type: "image", ...mediaSourceOf(who, part.image, at) };
    if (part.mediaType !== undefined) image.mediaType = part.mediaType;
    return image;
  }
  if (part.type !== "file") {
    return refuse(
      who,
      at,
      part.type,
      `a user message's "${part.type}" part has no place in a rungs request (it takes text, images and files).`,
    );
  }
  const mediaType = part.mediaType ?? "application/octet-stream";
  const source = mediaSourceOf(who, part.data, at);
  // ai 7 writes images as file parts with an `image/*` (or bare `image`) media type.
  if (mediaType === "image" || mediaType.startsWith("image/")) return { type: "image", mediaType, ...source };
  const file: ContentPart = { type: "file", mediaType, ...source };
  if (part.filename !== undefined) file.filename = part.filename;
  return file;
}

function mediaSourceOf(who: Who, data: unknown, at: string): { url: string } | { data: Uint8Array | string } {
  if (data instanceof URL) return { url: data.href };
  if (data instanceof Uint8Array) return { data };
  if (data instanceof ArrayBuffer) return { data: new Uint8Array(data) };
  // A string is base64, or a URL (the SDK's own rule: a string that parses as an http(s) or data URL).
  if (typeof data === "string") return /^(https?|data):/i.test(data) ? { url: data } : { data };
  // v4: tagged file data.
  const tagged = (data ?? {}) as { type?: unknown; url?: unknown; data?: unknown };
  if (tagged.type === "url" && tagged.url instanceof URL) return { url: tagged.url.href };
  if (tagged.type === "data" && (tagged.data instanceof Uint8Array || typeof tagged.data === "string")) {
    return { data: tagged.data };
  }
  return refuse(
    who,
    at,
    tagged.type,
    `a file given as ${JSON.stringify(tagged.type ?? typeof data)} cannot be sent on by rungs (it takes bytes, base64 or a URL; upload references are provider-specific).`,
  );
}

function toolResultOf(who: Who, part: AiSdkPromptPart, at: string): ToolResultPart {
  const output = (part.output ?? {}) as { type?: unknown; value?: unknown; reason?: unknown };
  const result: ToolResultPart = {
    type: "tool-result",
    toolCallId: part.toolCallId ?? "",
    toolName: part.toolName ?? "",
    output: output.value,
  };
  if (output.type === "error-text" || output.type === "error-json") result.isError = true;
  else if (output.type === "execution-denied") {
    result.output = `The tool call was denied${typeof output.reason === "string" ? `: ${output.reason}` : "."}`;
    result.isError = true;
  } else if (output.type === "content") {
    // A tool's answer as parts: its text is sent; media in a tool result has no place in a rungs request.
    const parts = Array.isArray(output.value) ? (output.value as AiSdkPromptPart[]) : [];
    result.output = parts
      .map((piece, k) =>
        piece.type === "text"
          ? (piece.text ?? "")
          : refuse(
              who,
              `${at}.output.value[${k}]`,
              piece.type,
              `the tool "${result.toolName}" answered with a "${piece.type}" part; rungs takes a tool's output as text or JSON (toModelOutput returning text or json).`,
            ),
      )
      .join("\n");
  }
  return result;
}
