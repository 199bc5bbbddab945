import { terminalText } from "../text/terminal-text.js";

const marker = Symbol.for("rungs.error");

/**
 * Base class of every error rungs throws.
 *
 * `instanceof` fails when two copies of the package are loaded (the ESM and the CJS build, or two
 * versions in one tree), so each error carries a `Symbol.for("rungs.error")` marker and every class
 * has a static `isInstance` that checks the marker and the class name instead.
 */
export class RungsError extends Error {
  /** @internal The cross-copy marker; do not set it yourself. */
  readonly [marker] = true;
  /** The error's class name; subclasses set their own. */
  override name: string = "RungsError";

  constructor(message: string, options?: { cause?: unknown }) {
    // Messages quote what came from outside (model ids, task ids, server text) and are printed to
    // terminals: control characters and bidirectional overrides are written as `\uXXXX`, for every error
    // rungs throws, here once (newlines and tabs stay).
    super(terminalText(message), options?.cause === undefined ? undefined : { cause: options.cause });
  }

  /**
   * True when `error` is a rungs error of this class (or a subclass), from any loaded copy of rungs.
   * @example if (ExhaustedError.isInstance(error)) console.log(error.limit);
   */
  static isInstance<T>(this: abstract new (...args: never[]) => T, error: unknown): error is T {
    if (typeof error !== "object" || error === null || (error as Record<symbol, unknown>)[marker] !== true) {
      return false;
    }
    if (this.name === "RungsError") return true;
    // Walk the prototype chain by name so a subclass of this class matches too, across copies.
    for (let proto = Object.getPrototypeOf(error); proto !== null; proto = Object.getPrototypeOf(proto)) {
      if (proto.constructor?.name === this.name) return true;
    }
    return (error as { name?: unknown }).name === this.name;
  }
}
