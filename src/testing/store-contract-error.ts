import { RungsError } from "../errors/rungs-error.js";
import { capText } from "../text/cap.js";

/** JSON for a message, with `undefined` named (JSON.stringify drops it); long values are cut. */
function shown(value: unknown): string {
  if (value === undefined) return "undefined";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return capText(text, 400);
}

/**
 * A store broke its contract in a check of `statsStoreContract` (rungs/testing): `operation` says which
 * answer differed, `expected` and `actual` carry both values as the store gave them.
 */
export class StoreContractError extends RungsError {
  /** The error's class name, `"StoreContractError"`. */
  override name = "StoreContractError" as const;
  /** The answer that differed, e.g. `"stats('sql', 'small')"`. */
  readonly operation: string;
  /** What the contract says the answer is. */
  readonly expected: unknown;
  /** What the store answered. */
  readonly actual: unknown;

  constructor(operation: string, expected: unknown, actual: unknown) {
    super(
      `The store broke its contract: ${operation} gave ${shown(actual)}, expected ${shown(expected)} ` +
        "(the StatsStore TSDoc gives each method's semantics).",
    );
    this.operation = operation;
    this.expected = expected;
    this.actual = actual;
  }
}
