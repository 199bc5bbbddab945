import { systemClock } from "../clock.js";
import {
  defineModel,
  type GenerateRequest,
  type GenerationInput,
  type Model,
  type ModelCapabilities,
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
 * @throws InvalidArgumentError for an empty id, a non-function, or unknown options.
 * @example
 * const model = fromFunction("legacy", async (prompt) => callMyLlm(prompt));
 */
export function fromFunction(
  id: string,
  fn: PromptFunction,
  options?: FromFunctionOptions & { input?: "prompt" },
): Model;
export function fromFunction(
  id: string,
  fn: RequestFunction,
  options: FromFunctionOptions & { input: "request" },
): Model;
export function fromFunction(
  id: string,
  fn: PromptFunction | RequestFunction,
  options: FromFunctionOptions = {},
): Model {
  validateModelId("fromFunction", id);
  parseOptions("fromFunction", object({ fn: schemas.fn }), { fn });
  const parsed = parseOptions("fromFunction", optionsSchema, options);
  const input = parsed.input ?? "prompt";
  const modelOptions = options.capabilities === undefined ? {} : { capabilities: options.capabilities };
  return defineModel(
    id,
    async (request, callOptions) => {
      let result: string | GenerationInput;
      try {
        result =
          input === "prompt"
            ? await (fn as PromptFunction)(renderPrompt(request), { signal: callOptions.signal })
            : await (fn as RequestFunction)(request, { signal: callOptions.signal });
      } catch (error) {
        throw mapFunctionError(error, id, (callOptions.clock ?? systemClock).now());
      }
      return typeof result === "string" ? { text: result } : result;
    },
    modelOptions,
  );
}
