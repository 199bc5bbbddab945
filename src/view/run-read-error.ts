import { RungsError } from "../errors/rungs-error.js";

/** A run directory `rungs view` cannot show: missing, not a directory, no records, too many files. */
export class RunReadError extends RungsError {
  override name = "RunReadError";

  constructor(
    /** The directory (absolute) or file that could not be read. */
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
