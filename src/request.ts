import { InvalidArgumentError } from "./errors/invalid-argument-error.js";
import type { ConvertibleSchema, GenerateRequest, Message } from "./messages.js";
import { capText } from "./text/cap.js";
import { describeValue } from "./text/describe.js";
import { isStandardSchema, toolInputJsonSchema } from "./tool-schema.js";

const roles = new Set(["system", "user", "assistant", "tool"]);
/** Roles other libraries use, and the rungs role they mean. */
const roleHints: Record<string, string> = {
  human: "user",
  ai: "assistant",
  model: "assistant",
  developer: "system",
};

function refuse(where: string, parameter: string, value: unknown, fix: string): never {
  throw new InvalidArgumentError({ parameter, value, message: `${where}: ${fix}` });
}

/**
 * Checks a request at a model's boundary and expands the `{ prompt, system? }` shorthand into `messages`.
 * @throws InvalidArgumentError naming the field and the fix: not an object, neither or both of `messages`
 *   and `prompt`, an empty `messages`, a role other than system/user/assistant/tool, content that is neither
 *   a string nor parts the role takes (a malformed text, image or file part), malformed `toolCalls`, a tool
 *   result answering no earlier call, malformed `tools` (a bad name, a name twice, an input schema that is not
 *   an object schema) or `toolChoice` (naming no offered tool), or a malformed `context`, `feedback`,
 *   `maxOutputTokens`, `temperature`, `stop` or `metadata`.
 */
export function toRequest(where: string, input: unknown): GenerateRequest {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    refuse(
      where,
      "request",
      input,
      `the request must be an object, { messages: [{ role: "user", content }] } or the shorthand { prompt, system? } (got ${describeValue(input)}).${typeof input === "string" ? ` Call generate({ prompt: ${JSON.stringify(capText(input, 40))} }).` : ""}`,
    );
  }
  const fields = input as Record<string, unknown>;
  const hasMessages = fields.messages !== undefined;
  const hasPrompt = fields.prompt !== undefined;
  let request: GenerateRequest;
  if (hasMessages && hasPrompt) {
    refuse(
      where,
      "request.prompt",
      fields.prompt,
      "give either messages or prompt (the shorthand for one user message), not both.",
    );
  } else if (hasPrompt) {
    if (typeof fields.prompt !== "string") {
      refuse(
        where,
        "request.prompt",
        fields.prompt,
        `"prompt" must be a string (got ${describeValue(fields.prompt)}).`,
      );
    }
    if (fields.system !== undefined && typeof fields.system !== "string") {
      refuse(
        where,
        "request.system",
        fields.system,
        `"system" must be a string (got ${describeValue(fields.system)}).`,
      );
    }
    const { prompt, system, ...rest } = fields;
    const messages: Message[] = system === undefined ? [] : [{ role: "system", content: system as string }];
    messages.push({ role: "user", content: prompt as string });
    request = { ...rest, messages } as GenerateRequest;
  } else if (hasMessages) {
    if (fields.system !== undefined) {
      refuse(
        where,
        "request.system",
        fields.system,
        '"system" goes with the { prompt } shorthand; with messages, put a { role: "system" } message first.',
      );
    }
    checkMessages(where, fields.messages);
    request = input as GenerateRequest;
  } else {
    refuse(
      where,
      "request.messages",
      undefined,
      `the request needs "messages" ([{ role: "user", content }]) or the shorthand "prompt" (got keys: ${Object.keys(fields).join(", ") || "none"}).`,
    );
  }
  checkRest(where, request);
  return request;
}

function checkMessages(where: string, messages: unknown): void {
  if (!Array.isArray(messages) || messages.length === 0) {
    refuse(
      where,
      "request.messages",
      messages,
      `"messages" must be a non-empty array of { role, content } (got ${Array.isArray(messages) ? "an empty array" : describeValue(messages)}).`,
    );
  }
  const callIds = new Set<string>();
  for (let i = 0; i < messages.length; i += 1) {
    const message = messages[i] as Record<string, unknown> | null;
    const at = `request.messages[${i}]`;
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      refuse(
        where,
        at,
        message,
        `messages[${i}] must be an object { role, content } (got ${describeValue(message)}).`,
      );
    }
    const role = message.role;
    if (!roles.has(role as string)) {
      const hint = roleHints[String(role)];
      refuse(
        where,
        `${at}.role`,
        role,
        `messages[${i}].role must be "system", "user", "assistant" or "tool" (got ${describeValue(role)})${hint === undefined ? "" : `; did you mean "${hint}"?`}.`,
      );
    }
    const content = message.content;
    if (role === "system") {
      if (typeof content !== "string") {
        refuse(
          where,
          `${at}.content`,
          content,
          `messages[${i}].content must be a string for a system message (got ${describeValue(content)}).`,
        );
      }
    } else if (role === "user") {
      checkContent(where, i, content, userParts);
    } else if (role === "assistant") {
      checkContent(where, i, content, textParts);
      if (message.toolCalls !== undefined) {
        checkToolCalls(where, i, message.toolCalls);
        for (const call of message.toolCalls as { id: string }[]) callIds.add(call.id);
      }
    } else {
      checkToolResults(where, i, content, callIds);
    }
    if (role !== "assistant" && message.toolCalls !== undefined) {
      refuse(
        where,
        `${at}.toolCalls`,
        message.toolCalls,
        `messages[${i}].toolCalls: only an assistant message carries tool calls (this one is "${String(role)}").`,
      );
    }
  }
}

const userParts = new Set(["text", "image", "file"]);
const textParts = new Set(["text"]);

function checkContent(where: string, i: number, content: unknown, allowed: ReadonlySet<string>): void {
  if (typeof content === "string") return;
  const role = allowed === userParts ? "user" : "assistant";
  if (!Array.isArray(content)) {
    refuse(
      where,
      `request.messages[${i}].content`,
      content,
      `messages[${i}].content must be a string or an array of parts (${[...allowed].map((t) => `{ type: "${t}", ... }`).join(", ")}) (got ${describeValue(content)}).`,
    );
  }
  content.forEach((part: unknown, j) => {
    const at = `request.messages[${i}].content[${j}]`;
    const name = `messages[${i}].content[${j}]`;
    const type = (part as { type?: unknown } | null)?.type;
    if (typeof part !== "object" || part === null || !allowed.has(type as string)) {
      const extra =
        role === "assistant" && (type === "tool-call" || type === "image" || type === "file")
          ? type === "tool-call"
            ? ' (an assistant\'s tool calls go in its "toolCalls": [{ id, name, input }])'
            : " (media goes in a user message)"
          : "";
      refuse(
        where,
        at,
        part,
        `${name} must be a part of type ${[...allowed].map((t) => `"${t}"`).join(", ")} in a ${role} message (got ${typeof part === "object" && part !== null ? `type ${describeValue(type)}` : describeValue(part)})${extra}.`,
      );
    }
    const fields = part as Record<string, unknown>;
    if (type === "text") {
      if (typeof fields.text !== "string") {
        refuse(
          where,
          `${at}.text`,
          fields.text,
          `${name}.text must be a string (got ${describeValue(fields.text)}).`,
        );
      }
      return;
    }
    const { url, data, mediaType } = fields;
    if ((url === undefined) === (data === undefined)) {
      refuse(
        where,
        at,
        part,
        `${name} (${String(type)}) needs exactly one of "url" (an https: or data: URL) and "data" (a Uint8Array or a base64 string)${url === undefined ? "" : ", not both"}.`,
      );
    }
    if (url !== undefined && !(typeof url === "string" && /^(https?|data):/i.test(url))) {
      refuse(
        where,
        `${at}.url`,
        url,
        `${name}.url must be an https:, http: or data: URL string (got ${describeValue(url)}${url instanceof URL ? ": pass url.href" : ""}).`,
      );
    }
    if (data !== undefined && !(data instanceof Uint8Array || (typeof data === "string" && isBase64(data)))) {
      refuse(
        where,
        `${at}.data`,
        typeof data === "string" ? "(not base64)" : data,
        `${name}.data must be a Uint8Array or a base64 string (got ${typeof data === "string" ? 'a string that is not base64; a URL goes in "url"' : describeValue(data)}).`,
      );
    }
    if (mediaType !== undefined || type === "file") {
      if (typeof mediaType !== "string" || !/^[\w.+-]+\/[\w.+*-]+/.test(mediaType)) {
        refuse(
          where,
          `${at}.mediaType`,
          mediaType,
          `${name}.mediaType must be an IANA media type such as ${type === "image" ? '"image/png"' : '"application/pdf"'} (got ${describeValue(mediaType)}).`,
        );
      }
    }
    if (fields.filename !== undefined && typeof fields.filename !== "string") {
      refuse(where, `${at}.filename`, fields.filename, `${name}.filename must be a string.`);
    }
  });
}

/** Standard or URL-safe base64, padded or not; whitespace is not allowed. */
function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/_-]*={0,2}$/.test(text);
}

function checkToolCalls(where: string, i: number, calls: unknown): void {
  if (!Array.isArray(calls)) {
    refuse(
      where,
      `request.messages[${i}].toolCalls`,
      calls,
      `messages[${i}].toolCalls must be an array of { id, name, input } (got ${describeValue(calls)}).`,
    );
  }
  calls.forEach((call: unknown, j) => {
    const at = `request.messages[${i}].toolCalls[${j}]`;
    const fields = (typeof call === "object" && call !== null ? call : {}) as Record<string, unknown>;
    for (const key of ["id", "name"] as const) {
      if (typeof fields[key] !== "string" || (fields[key] as string).length === 0) {
        refuse(
          where,
          `${at}.${key}`,
          fields[key],
          `messages[${i}].toolCalls[${j}].${key} must be a non-empty string (got ${describeValue(fields[key])}).`,
        );
      }
    }
    if (!("input" in fields)) {
      refuse(
        where,
        `${at}.input`,
        undefined,
        `messages[${i}].toolCalls[${j}].input is missing: give the call's arguments (e.g. {}).`,
      );
    }
  });
}

function checkToolResults(where: string, i: number, content: unknown, callIds: ReadonlySet<string>): void {
  if (!Array.isArray(content) || content.length === 0) {
    refuse(
      where,
      `request.messages[${i}].content`,
      content,
      `messages[${i}].content of a tool message must be a non-empty array of { type: "tool-result", toolCallId, toolName, output } (got ${Array.isArray(content) ? "an empty array" : describeValue(content)}).`,
    );
  }
  content.forEach((part: unknown, j) => {
    const at = `request.messages[${i}].content[${j}]`;
    const name = `messages[${i}].content[${j}]`;
    const fields = (typeof part === "object" && part !== null ? part : {}) as Record<string, unknown>;
    if (fields.type !== "tool-result") {
      refuse(
        where,
        at,
        part,
        `${name} must be { type: "tool-result", toolCallId, toolName, output } in a tool message (got ${typeof part === "object" && part !== null ? `type ${describeValue(fields.type)}` : describeValue(part)}).`,
      );
    }
    for (const key of ["toolCallId", "toolName"] as const) {
      if (typeof fields[key] !== "string" || (fields[key] as string).length === 0) {
        refuse(
          where,
          `${at}.${key}`,
          fields[key],
          `${name}.${key} must be a non-empty string (got ${describeValue(fields[key])}).`,
        );
      }
    }
    if (!callIds.has(fields.toolCallId as string)) {
      refuse(
        where,
        `${at}.toolCallId`,
        fields.toolCallId,
        `${name}.toolCallId ${describeValue(fields.toolCallId)} answers no tool call of an earlier assistant message: put the assistant message with toolCalls [{ id: ${JSON.stringify(fields.toolCallId)}, name, input }] before it.`,
      );
    }
    if (fields.output === undefined) {
      refuse(
        where,
        `${at}.output`,
        undefined,
        `${name}.output is missing: give what the tool returned (a JSON value).`,
      );
    }
    if (fields.isError !== undefined && typeof fields.isError !== "boolean") {
      refuse(where, `${at}.isError`, fields.isError, `${name}.isError must be a boolean.`);
    }
  });
}

/** A tool name every major provider takes. */
const toolName = /^[a-zA-Z0-9_-]{1,64}$/;

function checkTools(where: string, tools: unknown, toolChoice: unknown): void {
  const names = new Set<string>();
  if (tools !== undefined) {
    if (!Array.isArray(tools)) {
      refuse(
        where,
        "request.tools",
        tools,
        `"tools" must be an array of { name, description?, inputSchema } (got ${describeValue(tools)}).`,
      );
    }
    tools.forEach((tool: unknown, i) => {
      const at = `request.tools[${i}]`;
      if (typeof tool !== "object" || tool === null || Array.isArray(tool)) {
        refuse(
          where,
          at,
          tool,
          `tools[${i}] must be an object { name, description?, inputSchema } (got ${describeValue(tool)}).`,
        );
      }
      const { name, description, inputSchema } = tool as Record<string, unknown>;
      if (typeof name !== "string" || !toolName.test(name)) {
        refuse(
          where,
          `${at}.name`,
          name,
          `tools[${i}].name must be 1 to 64 letters, digits, "_" or "-" (got ${describeValue(name)}).`,
        );
      }
      if (names.has(name))
        refuse(
          where,
          `${at}.name`,
          name,
          `tools[${i}].name "${name}" is given twice: tool names must differ.`,
        );
      names.add(name);
      if (description !== undefined && typeof description !== "string") {
        refuse(where, `${at}.description`, description, `tools[${i}].description must be a string.`);
      }
      let json: unknown = inputSchema;
      if (isStandardSchema(inputSchema)) {
        try {
          json = toolInputJsonSchema({ inputSchema: inputSchema as ConvertibleSchema });
        } catch (error) {
          refuse(
            where,
            `${at}.inputSchema`,
            inputSchema,
            `tools[${i}] ("${name}").inputSchema cannot be turned into JSON Schema: ${error instanceof Error ? error.message : String(error)}. Give the JSON Schema (zod 4: z.toJSONSchema(schema)), or a schema library version that converts (zod ≥ 4.2).`,
          );
        }
      }
      if (
        typeof json !== "object" ||
        json === null ||
        Array.isArray(json) ||
        (json as { type?: unknown }).type !== "object"
      ) {
        refuse(
          where,
          `${at}.inputSchema`,
          json,
          `tools[${i}] ("${name}").inputSchema must be a JSON Schema of an object ({ type: "object", properties: {...} }) or a Standard Schema of one, e.g. z.object({...}) (got ${typeof json === "object" && json !== null && !Array.isArray(json) ? `type ${describeValue((json as { type?: unknown }).type)}` : describeValue(json)}).`,
        );
      }
    });
  }
  if (toolChoice === undefined) return;
  const named =
    typeof toolChoice === "object" &&
    toolChoice !== null &&
    (toolChoice as { type?: unknown }).type === "tool";
  if (!(toolChoice === "auto" || toolChoice === "none" || toolChoice === "required" || named)) {
    refuse(
      where,
      "request.toolChoice",
      toolChoice,
      `"toolChoice" must be "auto", "none", "required" or { type: "tool", toolName } (got ${describeValue(toolChoice)}).`,
    );
  }
  if ((toolChoice === "required" || named) && names.size === 0) {
    refuse(
      where,
      "request.toolChoice",
      toolChoice,
      `"toolChoice" ${named ? "names a tool" : 'is "required"'} but the request offers no tools: add "tools".`,
    );
  }
  if (named) {
    const wanted = (toolChoice as { toolName?: unknown }).toolName;
    if (typeof wanted !== "string" || !names.has(wanted)) {
      refuse(
        where,
        "request.toolChoice.toolName",
        wanted,
        `"toolChoice.toolName" must name one of the request's tools (${[...names].map((n) => `"${n}"`).join(", ")}); got ${describeValue(wanted)}.`,
      );
    }
  }
}

function checkRest(where: string, request: GenerateRequest): void {
  const { context, feedback, maxOutputTokens, temperature, stop, metadata, tools, toolChoice } = request;
  checkTools(where, tools, toolChoice);
  if (context !== undefined && (!Array.isArray(context) || context.some((c) => typeof c !== "string"))) {
    refuse(where, "request.context", context, `"context" must be an array of strings (documents).`);
  }
  if (
    feedback !== undefined &&
    (!Array.isArray(feedback) || feedback.some((f) => typeof f !== "object" || f === null))
  ) {
    refuse(
      where,
      "request.feedback",
      feedback,
      `"feedback" must be an array of failures (it is set by retryWithContext and escalateAcross).`,
    );
  }
  if (maxOutputTokens !== undefined && !(Number.isInteger(maxOutputTokens) && maxOutputTokens > 0)) {
    refuse(
      where,
      "request.maxOutputTokens",
      maxOutputTokens,
      `"maxOutputTokens" must be a whole number > 0 (got ${describeValue(maxOutputTokens)}).`,
    );
  }
  if (
    temperature !== undefined &&
    !(typeof temperature === "number" && Number.isFinite(temperature) && temperature >= 0)
  ) {
    refuse(
      where,
      "request.temperature",
      temperature,
      `"temperature" must be a finite number ≥ 0 (got ${describeValue(temperature)}).`,
    );
  }
  if (stop !== undefined && (!Array.isArray(stop) || stop.some((s) => typeof s !== "string"))) {
    refuse(where, "request.stop", stop, `"stop" must be an array of strings.`);
  }
  if (
    metadata !== undefined &&
    (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))
  ) {
    refuse(where, "request.metadata", metadata, `"metadata" must be an object, e.g. { taskClass, taskId }.`);
  }
}
