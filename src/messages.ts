import type { StandardJSONSchemaV1, StandardSchemaV1 } from "@standard-schema/spec";
import type { FailureKind } from "./errors/failure-kind.js";

// The request as data: what a call sends. A leaf of the contract (it imports no other part of it), so the
// model, the renderer, the request checker and the rubric types can all use it without a circle.

/** A piece of text in a message's content. */
export interface TextPart {
  /** The part kind: `"text"`. */
  type: "text";
  /** The text. */
  text: string;
}

/**
 * Media in a message's content, given by `url` (an `https:` or `data:` URL) or by `data` (the bytes, as a
 * `Uint8Array` or a base64 string): exactly one of the two.
 */
interface MediaSource {
  /** Where the media is: an `https:`/`http:` URL or a `data:` URL. Not with `data`. */
  url?: string;
  /** The bytes themselves: a `Uint8Array`, or a base64 string (no `data:` prefix). Not with `url`. */
  data?: Uint8Array | string;
}

/** An image in a user message. A model that cannot take images refuses it (`capabilities.inputParts`). */
export interface ImagePart extends MediaSource {
  /** The part kind: `"image"`. */
  type: "image";
  /** The IANA media type, e.g. `"image/png"`; needed with `data` by most providers. */
  mediaType?: string;
}

/** A file (a PDF, audio...) in a user message. A model that cannot take files refuses it. */
export interface FilePart extends MediaSource {
  /** The part kind: `"file"`. */
  type: "file";
  /** The IANA media type, e.g. `"application/pdf"`. */
  mediaType: string;
  /** The file's name, when the provider shows one. */
  filename?: string;
}

/** One part of a user message's content. */
export type ContentPart = TextPart | ImagePart | FilePart;

/** A call of a tool the request offered, made by the model (`generation.toolCalls`, an assistant message's). */
export interface ToolCall {
  /** The call's id, which the `tool` message with its result names (`toolCallId`). */
  id: string;
  /** The tool's name, one of `request.tools`. */
  name: string;
  /** The arguments, as parsed JSON (an object for the tools of every major provider). */
  input: unknown;
}

/** The result of one tool call, in a `tool` message. */
export interface ToolResultPart {
  /** The part kind: `"tool-result"`. */
  type: "tool-result";
  /** The id of the call it answers (`ToolCall.id`). */
  toolCallId: string;
  /** The tool that was called. */
  toolName: string;
  /** What the tool returned: a JSON value (a string is sent as it is). */
  output: unknown;
  /** True when the tool failed and `output` describes the error. */
  isError?: boolean;
}

/** Instructions to the model. */
export interface SystemMessage {
  /** Who speaks: `"system"`. */
  role: "system";
  /** The instructions. */
  content: string;
}

/** What the user says: text, or parts (text, images, files). */
export interface UserMessage {
  /** Who speaks: `"user"`. */
  role: "user";
  /** The message text, or its parts in order. */
  content: string | readonly ContentPart[];
}

/** What the model said before: text, and the tools it called. */
export interface AssistantMessage {
  /** Who speaks: `"assistant"`. */
  role: "assistant";
  /** The text the model wrote (`""` when it only called tools), or its text parts. */
  content: string | readonly TextPart[];
  /** The tools the model called in this turn; a `tool` message with their results follows. */
  toolCalls?: readonly ToolCall[];
}

/** The results of tool calls the assistant message before it made. */
export interface ToolMessage {
  /** Who speaks: `"tool"`. */
  role: "tool";
  /** One result per call answered. */
  content: readonly ToolResultPart[];
}

/**
 * One chat message: `system` and `user` messages, `assistant` messages (text and tool calls), and `tool`
 * messages with tool results.
 */
export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** Any JSON Schema object (draft 2020-12 or 07), e.g. `{ type: "object", properties: {...} }`. */
export type JsonSchema = Record<string, unknown>;

/**
 * A Standard Schema (zod 4, valibot, arktype...) that also converts itself to JSON Schema
 * (`~standard.jsonSchema`, as zod ≥ 4.2 does): the JSON Schema is what providers get, the schema itself
 * validates the calls (`validToolCalls`).
 */
export type ConvertibleSchema = StandardSchemaV1 & StandardJSONSchemaV1;

/** A tool the model may call. */
export interface ToolDefinition {
  /** The name the model calls it by: letters, digits, `_` and `-`, at most 64 characters. */
  name: string;
  /** What the tool does, for the model. */
  description?: string;
  /** The shape of its input: a JSON Schema object, or a Standard Schema that converts to one. */
  inputSchema: JsonSchema | ConvertibleSchema;
}

/** Which tools the model may or must call: any or none (`auto`), none, at least one, or one named tool. */
export type ToolChoice =
  | "auto"
  | "none"
  | "required"
  | {
      /** A named tool: the model must call this one. */
      type: "tool";
      /** The tool's name, as in `request.tools`. */
      toolName: string;
    };

/**
 * What to generate. Pure data, so it can be recorded and replayed; runtime values go in {@link CallOptions}.
 */
export interface GenerateRequest {
  /** The conversation, in order; at least one message. */
  messages: readonly Message[];
  /** Documents the answer draws on; `treeSplit` shards these. Rendered in escaped, capped blocks. */
  context?: readonly string[];
  /** Earlier failures, set by `retryWithContext` / `escalateAcross`. */
  feedback?: readonly Failure[];
  /** Most output tokens for this call. */
  maxOutputTokens?: number;
  /** Sampling temperature, passed to the provider as is. */
  temperature?: number;
  /** Sequences that end the output when generated. */
  stop?: readonly string[];
  /** Tools the model may call; its calls come back in `generation.toolCalls`. */
  tools?: readonly ToolDefinition[];
  /** Whether the model may (`auto`, the default), must not, or must call a tool, or which one. */
  toolChoice?: ToolChoice;
  /** `taskClass` keys learned ladders; `taskId` keys blocked tasks. */
  metadata?: {
    /** The kind of task, e.g. `"rust-fn"`: learned ladders keep accept rates per task class and rung. */
    taskClass?: string;
    /** One task across runs: the stats store keeps its escalation state and whether it was blocked. */
    taskId?: string;
    [key: string]: unknown;
  };
}

/**
 * The shorthand of a request, as the AI SDK's `generateText({ prompt, system })`: `prompt` becomes one user
 * message, after a system message when `system` is given. Every model rungs builds accepts it.
 */
export interface PromptRequest extends Omit<GenerateRequest, "messages"> {
  /** The user's message. */
  prompt: string;
  /** A system message sent before it. */
  system?: string;
  /** Not with `prompt`: give one or the other. */
  messages?: never;
}

/**
 * One earlier failure, fed back to the model on the next attempt (set by the attempt engine).
 * Structured until the leaf; {@link renderMessages} turns it into text.
 */
export interface Failure {
  /** 1-based attempt numbers this entry stands for (several when duplicates were merged). */
  attempts: readonly number[];
  /** The model that failed. */
  modelId: string;
  /** How it failed. */
  kind: FailureKind;
  /** The error message or the rubric's summary ("13/15 rules passed"). */
  message?: string;
  /** Violated rules with their messages. */
  violations?: readonly {
    /** The violated rule's id. */
    ruleId: string;
    /** Why it failed. */
    message: string;
  }[];
  /** The start of the rejected output, so the model sees what it wrote. */
  excerpt?: string;
  /**
   * True when the failure happened in an earlier run of the same task (`metadata.taskId`), restored from
   * the stats store; its attempt numbers are that run's.
   */
  earlierRun?: boolean;
}
