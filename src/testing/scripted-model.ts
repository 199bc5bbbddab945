import { type Clock, sleep, systemClock } from "../clock.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import {
  type CallOptions,
  defineModel,
  type GenerateRequest,
  type Generation,
  type Model,
  type ModelCapabilities,
  validateModelId,
} from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { object, oneOf } from "../validate/check.js";

/** A step that never settles until the call is aborted: a hung provider. */
export const hang: unique symbol = Symbol.for("rungs.testing.hang");

/**
 * One scripted response:
 * - a string: the text, `finishReason: "stop"`;
 * - an `Error`: thrown;
 * - a partial generation: `{ text, finishReason?, usage? }`;
 * - {@link hang}: never settles (until aborted);
 * - a function of the request: returns any of the above, sync or async.
 */
export type ScriptStep =
  | string
  | Error
  | (Partial<Generation> & {
      /** The output text. */
      text: string;
    })
  | typeof hang
  | ((
      request: GenerateRequest,
      context: { call: number; signal: AbortSignal },
    ) => ScriptStep | Promise<ScriptStep>);

/** One call the scripted model received. */
export interface ScriptedCall {
  /** The request received (the shorthand expanded). */
  request: GenerateRequest;
  /** The call options received. */
  options: CallOptions;
  /** When the call started, from the model's clock. */
  at: number;
}

/** Options of {@link scriptedModel}. */
export interface ScriptedModelOptions {
  /** Delay before each response, in ms, on `clock` (abort-aware). @default 0 */
  delayMs?: number;
  /** Time source for the delay. @default systemClock */
  clock?: Clock;
  /** When the steps run out: throw a clear error, or repeat the last step forever. @default "throw" */
  whenDone?: "throw" | "repeat-last";
  /** What the model can do beyond `generate`, e.g. its context window. */
  capabilities?: ModelCapabilities;
}

/** A model that plays a script and records what it was asked. */
export interface ScriptedModel extends Model {
  /** Every call received, in order (request and options). */
  readonly calls: readonly ScriptedCall[];
  /** Calls running now, and the most that ever ran at once. */
  readonly inFlight: number;
  /** The most calls that ever ran at once. */
  readonly maxInFlight: number;
}

const optionsSchema = object({
  delayMs: schemas.delayMs.optional(),
  clock: schemas.clock.optional(),
  whenDone: oneOf(["throw", "repeat-last"]).optional(),
  capabilities: schemas.capabilities.optional(),
});

/**
 * A scripted model for tests: each call plays the next step. It is a leaf model, so it draws on a shared
 * `Budget`, honours abort and deadlines, and fills in `finishReason`, `usage` and `modelId`.
 *
 * @throws InvalidArgumentError for an empty id, an empty script, or bad options.
 * @example
 * const model = scriptedModel("m", ["draft", { text: "cut off", finishReason: "length" }, new Error("boom")]);
 * await model.generate({ messages: [{ role: "user", content: "hi" }] });
 * expect(model.calls).toHaveLength(1);
 */
export function scriptedModel(
  id: string,
  steps: readonly ScriptStep[],
  options: ScriptedModelOptions = {},
): ScriptedModel {
  validateModelId("scriptedModel", id);
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new InvalidArgumentError({
      parameter: "steps",
      value: steps,
      message:
        'scriptedModel: "steps" must be a non-empty array of texts, errors, partial generations or functions.',
    });
  }
  const parsed = parseOptions("scriptedModel", optionsSchema, options);
  const clock = parsed.clock ?? systemClock;
  const calls: ScriptedCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  // The signal is read only where a step needs it: the leaf makes it lazily, and most steps never do.
  const play = async (
    step: ScriptStep,
    request: GenerateRequest,
    call: number,
    options: { signal: AbortSignal },
  ) => {
    let current = step;
    // Functions may return further functions; bound the unwrapping so a bad script cannot loop.
    for (let depth = 0; typeof current === "function" && depth < 8; depth += 1) {
      current = await current(request, {
        call,
        get signal() {
          return options.signal;
        },
      });
    }
    if (current === hang) {
      return new Promise<never>((_, reject) => {
        const { signal } = options;
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    if (current instanceof Error) throw current;
    if (typeof current === "string") return { text: current };
    if (typeof current === "object" && current !== null && typeof current.text === "string") return current;
    throw new InvalidArgumentError({
      parameter: `steps[${call - 1}]`,
      value: current,
      message: `scriptedModel "${id}": step ${call} is not a text, Error, partial generation, hang or function.`,
    });
  };

  const model = defineModel(
    id,
    async (request, callOptions) => {
      const call = calls.length + 1;
      calls.push({ request, options: callOptions, at: clock.now() });
      const step =
        call <= steps.length
          ? steps[call - 1]
          : parsed.whenDone === "repeat-last"
            ? steps[steps.length - 1]
            : undefined;
      if (step === undefined) {
        throw new Error(
          `scriptedModel "${id}" has no step for call ${call} (${steps.length} scripted; use whenDone: "repeat-last" to repeat).`,
        );
      }
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if ((parsed.delayMs ?? 0) > 0)
          await sleep(parsed.delayMs ?? 0, { clock, signal: callOptions.signal });
        return await play(step, request, call, callOptions);
      } finally {
        inFlight -= 1;
      }
    },
    options.capabilities === undefined ? {} : { capabilities: options.capabilities },
  );

  return Object.defineProperties(model, {
    calls: { get: () => calls, enumerable: true },
    inFlight: { get: () => inFlight, enumerable: true },
    maxInFlight: { get: () => maxInFlight, enumerable: true },
  }) as ScriptedModel;
}
