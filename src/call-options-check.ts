import type { CallOptions } from "./model.js";
import { parseOptions, schemas } from "./options.js";
import { custom, object, string } from "./validate/check.js";

const methods =
  (...names: string[]) =>
  (v: unknown) =>
    typeof v === "object" &&
    v !== null &&
    names.every((name) => typeof (v as Record<string, unknown>)[name] === "function");

// What each primitive calls on the runtime values it is given: checked once where `generate` is called, so
// a wrong value is refused by name instead of failing deep inside as a TypeError blamed on a model.
const callOptionsCheck = object(
  {
    signal: custom<AbortSignal>(
      (v) =>
        methods("addEventListener", "removeEventListener")(v) &&
        typeof (v as AbortSignal).aborted === "boolean",
      "must be an AbortSignal (e.g. AbortSignal.timeout(ms) or a controller's signal)",
    ).optional(),
    events: custom(
      methods("on", "emit", "listenerCount"),
      "must be a RungsEvents (new RungsEvents())",
    ).optional(),
    budget: custom(
      methods("exceeded", "drawCall", "recordUsage", "runWithinDeadline"),
      "must be a Budget (new Budget({ ... }))",
    ).optional(),
    path: string().optional(),
    clock: schemas.clock.optional(),
    promptFits: schemas.fn.optional(),
  },
  // Extra fields are a caller's own (or a newer rungs'); only the known ones are checked.
  { unknownKeys: "allow" },
);

/**
 * Checks the runtime values of one `generate` call (`CallOptions`) for what rungs will call on them.
 * @throws InvalidArgumentError naming the option (`options.budget: must be a Budget ...`).
 */
export function checkCallOptions(where: string, options: CallOptions): CallOptions {
  if (options === undefined || options === null) return {};
  return parseOptions(where, callOptionsCheck, options) as CallOptions;
}
