import { systemClock } from "../clock.js";
import { defineModel } from "../define-model.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import {
  type GenerateRequest,
  type GenerationInput,
  type Model,
  type ModelCapabilities,
  type StreamingModel,
  validateModelId,
} from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { renderPrompt } from "../prompt.js";
import { object, oneOf } from "../validate/check.js";
import { mapFunctionError } from "./function-error.js";

/** A single-prompt call: the rendered request in, the text (or a partial generation) out. */
export type PromptFunction = (
  prompt: string,
  options: { signal: AbortSignal },
) => Promise<string | GenerationInput>;
/** A request-level call: the structured request in, a partial generation out. */
export type RequestFunction = (
  request: GenerateRequest,
  options: { signal: AbortSignal },
) => Promise<string | GenerationInput>;

/** Options of {@link fromFunction}. */
export interface FromFunctionOptions {
  /**
   * What the function takes: `"prompt"` gives it the rendered prompt string (system, context, feedback,
   * conversation, via the shared renderer); `"request"` gives it the structured request.
   * @default "prompt"
   */
  input?: "prompt" | "request";
  /** What the model can do beyond `generate`, e.g. its context window. */
  capabilities?: ModelCapabilities;
}

const optionsSchema = object({
  input: oneOf(["prompt", "request"]).optional(),
  capabilities: schemas.capabilities.optional(),
});

/**
 * Wraps an existing LLM call as a {@link Model}, so every rungs primitive can use it.
 *
 * @param id names the model in traces and records, e.g. `"my-api:gpt"`.
 * @param fn `(prompt) => Promise<string>` (default), or `(request) => Promise<Partial<Generation>>` with
 *   `{ input: "request" }`. Returning a string means `finishReason: "stop"`; return `{ text, finishReason:
 *   "length" }` to report a cut-off answer so `continueUntilComplete` can continue it.
 * Errors the function throws that carry an HTTP `status` or `statusCode` (the openai-node and anthropic-sdk
 * shape) become `ProviderError`s of the kind the HTTP providers give that status (401 → `auth`, 404 →
 * `model-not-found`, 429 → `rate-limited` with its `Retry-After`, 5xx → `server-error`, ...). A
 * `TypeError`, `ReferenceError`, `SyntaxError` or `RangeError` is a bug in the function: the attempt engine
 * stops the run at once with a `CallerCodeError` whose `cause` is the original error.
 *
 * Tools and tool calls pass through the request form: the function receives `request.tools`,
 * `request.toolChoice`, assistant `toolCalls` and `tool` messages as they are, and may return
 * `{ text, toolCalls: [{ id, name, input }], finishReason: "tool-calls" }`. Media parts reach it when
 * `capabilities.inputParts` lists them. The prompt form writes tool calls and results as text lines
 * (`messageText`) and refuses a request with `tools` or a media part (`InvalidArgumentError`, naming
 * `input: "request"`): a prompt string cannot carry them.
 *
 * @throws InvalidArgumentError for an empty id, a non-function, or unknown options.
 * @example
 * const model = fromFunction("legacy", async (prompt) => callMyLlm(prompt));
 */
export function fromFunction(
  id: string,
  fn: PromptFunction,
  options?: FromFunctionOptions & { input?: "prompt" },
): StreamingModel;
export function fromFunction(
  id: string,
  fn: RequestFunction,
  options: FromFunctionOptions & { input: "request" },
): StreamingModel;
export function fromFunction(
  id: string,
  fn: PromptFunction | RequestFunction,
  options: FromFunctionOptions = {},
): StreamingModel {
  validateModelId("fromFunction", id);
  parseOptions("fromFunction", object({ fn: schemas.fn }), { fn });
  const parsed = parseOptions("fromFunction", optionsSchema, options);
  const input = parsed.input ?? "prompt";
  const modelOptions = options.capabilities === undefined ? {} : { capabilities: options.capabilities };
  return defineModel(
    id,
    async (request, callOptions) => {
      let result: string | GenerationInput;
      // The prompt form gets one string: tools cannot travel in it, and media is refused by renderPrompt.
      const prompt = input === "prompt" ? promptOf(id, request) : undefined;
      try {
        result =
          prompt !== undefined
            ? await (fn as PromptFunction)(prompt, { signal: callOptions.signal })
            : await (fn as RequestFunction)(request, { signal: callOptions.signal });
      } catch (error) {
        throw mapFunctionError(error, id, (callOptions.clock ?? systemClock).now());
      }
      return typeof result === "string" ? { text: result } : result;
    },
    modelOptions,
  );
}

/**
 * The prompt string of the prompt form.
 * @throws InvalidArgumentError when the request offers tools or holds media: a prompt string cannot carry them.
 */
function promptOf(id: string, request: GenerateRequest): string {
  if (request.tools !== undefined && request.tools.length > 0) {
    throw new InvalidArgumentError({
      parameter: "request.tools",
      value: request.tools.map((tool) => tool.name),
      message: `fromFunction "${id}": the prompt form cannot pass tools to the function (a prompt is one string): use fromFunction(id, fn, { input: "request" }), whose fn receives request.tools and may return toolCalls.`,
    });
  }
  try {
    return renderPrompt(request);
  } catch (error) {
    if (!InvalidArgumentError.isInstance(error)) throw error;
    throw new InvalidArgumentError({
      parameter: error.parameter,
      value: error.value,
      message: `fromFunction "${id}": ${error.message} (the prompt form; use { input: "request" }).`,
    });
  }
}
