import { redactText } from "../redact.js";
import { RungsError } from "./rungs-error.js";

/**
 * A stats store could not be read and the engine was told to fail closed (`whenUnavailable:
 * "fail-closed"`): the run stops before calling the next model rather than run a task that may be given
 * up, or skip rungs on counts it cannot see. `cause` is the store's error.
 */
export class StatsStoreError extends RungsError {
  /** The error's class name, `"StatsStoreError"`. */
  override name = "StatsStoreError" as const;
  /** The store method that failed, e.g. `"blockedAt"`. */
  readonly operation: string;

  constructor(operation: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      redactText(
        `The stats store could not be read (${operation}: ${detail}), and whenUnavailable is "fail-closed", so the run stopped without calling a model. Repair the store (a corrupt or unreadable file, a database that is down), or choose "fail-open" to run without it.`,
      ),
      { cause },
    );
    this.operation = operation;
  }
}
