import { redactText } from "../redact.js";
import { networkCodeOf } from "./network-code.js";
import { RungsError } from "./rungs-error.js";

/** Where the caller's code that threw was plugged in. */
export type CallerCodeOrigin = "model" | "rule" | "rubric" | "skip";

const bugNames: ReadonlySet<string> = new Set(["TypeError", "ReferenceError", "SyntaxError", "RangeError"]);

/**
 * True when `error` is a bug in JavaScript code rather than a failure of a provider or of the output: a
 * `TypeError`, `ReferenceError`, `SyntaxError` or `RangeError` thrown by code the caller plugged in. Asking
 * again, or another model, cannot fix it. Not a bug: fetch's `TypeError: fetch failed` and any error with a
 * network code beneath it (the connection failed), and a `SyntaxError` from parsing JSON (the data was bad,
 * e.g. a provider's HTML error page or a model's malformed answer, not the code).
 */
export function isCallerBug(error: unknown): error is Error {
  if (!(error instanceof Error) || RungsError.isInstance(error) || !bugNames.has(error.name)) return false;
  const network = error.message === "fetch failed" || networkCodeOf(error.cause) !== undefined;
  if (error.name === "TypeError" && network) return false;
  if (error.name === "SyntaxError" && /JSON/.test(error.message)) return false;
  return true;
}

/**
 * The caller's own code threw (a wrapped model function, a rule, a rubric, a rung's `skip`): a bug, not a
 * provider failure, so the run stops at once instead of retrying or climbing. The original error is
 * `cause`, stack intact; nothing is retried and no other model is called.
 */
export class CallerCodeError extends RungsError {
  /** The error's class name, `"CallerCodeError"`. */
  override name = "CallerCodeError" as const;
  /** Where the code was plugged in. */
  readonly origin: CallerCodeOrigin;
  /** The model (rung) the run was on, when known. */
  readonly modelId: string | undefined;
  /** The rule that threw (`origin: "rule"`). */
  readonly ruleId: string | undefined;
  /** The error the caller's code threw, as it was thrown. */
  declare readonly cause: unknown;

  constructor(options: { origin: CallerCodeOrigin; modelId?: string; ruleId?: string; cause: unknown }) {
    const error = options.cause as { name?: unknown; message?: unknown };
    const where = {
      model: "a model's function",
      rule: `the rubric rule "${options.ruleId ?? "?"}"`,
      rubric: "the rubric",
      skip: "a rung's skip function",
    }[options.origin];
    super(
      redactText(
        `${where}${options.modelId === undefined ? "" : ` (model "${options.modelId}")`} threw ${String(error?.name)}: ${String(error?.message)}. This is a bug in the calling code, not a provider failure, so the run stopped without retrying; the original error, with its stack, is the cause.`,
      ),
      { cause: options.cause },
    );
    this.origin = options.origin;
    this.modelId = options.modelId;
    this.ruleId = options.ruleId;
  }
}
