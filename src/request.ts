import { InvalidArgumentError } from "./errors/invalid-argument-error.js";
import type { GenerateRequest, Message } from "./messages.js";

const roles = new Set(["system", "user", "assistant"]);
/** Roles other libraries use, and the rungs role they mean. */
const roleHints: Record<string, string> = {
  human: "user",
  ai: "assistant",
  model: "assistant",
  developer: "system",
};

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return `a string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

function refuse(where: string, parameter: string, value: unknown, fix: string): never {
  throw new InvalidArgumentError({ parameter, value, message: `${where}: ${fix}` });
}

/**
 * Checks a request at a model's boundary and expands the `{ prompt, system? }` shorthand into `messages`.
 * @throws InvalidArgumentError naming the field and the fix: not an object, neither or both of `messages`
 *   and `prompt`, an empty `messages`, a role other than system/user/assistant, content that is not a
 *   string, or a malformed `context`, `feedback`, `maxOutputTokens`, `temperature`, `stop` or `metadata`.
 */
export function toRequest(where: string, input: unknown): GenerateRequest {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    refuse(
      where,
      "request",
      input,
      `the request must be an object, { messages: [{ role: "user", content }] } or the shorthand { prompt, system? } (got ${describe(input)}).${typeof input === "string" ? ` Call generate({ prompt: ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)} }).` : ""}`,
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
        `"prompt" must be a string (got ${describe(fields.prompt)}).`,
      );
    }
    if (fields.system !== undefined && typeof fields.system !== "string") {
      refuse(
        where,
        "request.system",
        fields.system,
        `"system" must be a string (got ${describe(fields.system)}).`,
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
      `"messages" must be a non-empty array of { role, content } (got ${Array.isArray(messages) ? "an empty array" : describe(messages)}).`,
    );
  }
  for (let i = 0; i < messages.length; i += 1) {
    const message = messages[i] as Partial<Message> | null;
    if (typeof message !== "object" || message === null) {
      refuse(
        where,
        `request.messages[${i}]`,
        message,
        `messages[${i}] must be an object { role, content } (got ${describe(message)}).`,
      );
    }
    if (!roles.has(message.role as string)) {
      const hint = roleHints[String(message.role)];
      refuse(
        where,
        `request.messages[${i}].role`,
        message.role,
        `messages[${i}].role must be "system", "user" or "assistant" (got ${describe(message.role)})${hint === undefined ? "" : `; did you mean "${hint}"?`}.`,
      );
    }
    if (typeof message.content !== "string") {
      refuse(
        where,
        `request.messages[${i}].content`,
        message.content,
        `messages[${i}].content must be a string (got ${describe(message.content)}).`,
      );
    }
  }
}

function checkRest(where: string, request: GenerateRequest): void {
  const { context, feedback, maxOutputTokens, temperature, stop, metadata } = request;
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
      `"maxOutputTokens" must be a whole number > 0 (got ${describe(maxOutputTokens)}).`,
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
      `"temperature" must be a finite number ≥ 0 (got ${describe(temperature)}).`,
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
