import { RungsError } from "./rungs-error.js";

/**
 * An option or argument was refused, at construction or at `generate`'s boundary (a malformed request),
 * before any model was called.
 * `parameter` is the option's path (e.g. `"maxAttempts"`, `"ladder[2].attempts"`), `value` what was given
 * (secrets are never kept: a refused `apiKey` is stored as `"***"`).
 */
export class InvalidArgumentError extends RungsError {
  /** The error's class name, `"InvalidArgumentError"`. */
  override name = "InvalidArgumentError" as const;
  /** The refused option or argument, as a path (e.g. `"maxAttempts"`, `"ladder[2].attempts"`). */
  readonly parameter: string;
  /** The refused value (redacted when the option may hold a secret). */
  readonly value: unknown;

  constructor(options: { parameter: string; value: unknown; message: string; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.parameter = options.parameter;
    this.value = options.value;
  }
}
