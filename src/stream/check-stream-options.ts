import { checkCallOptions } from "../call-options-check.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type { CallOptions, StreamMode, StreamOptions } from "../model.js";
import { describeValue } from "../text/describe.js";

const modes: readonly StreamMode[] = ["live", "accepted-only"];

/**
 * Checks the options of one `stream` call: the runtime values (as `generate` checks them) and the mode.
 * @throws InvalidArgumentError naming the option.
 */
export function checkStreamOptions(
  where: string,
  options: StreamOptions | undefined,
): CallOptions & { mode: StreamMode } {
  if (options === undefined || options === null) return { mode: "live" };
  const { mode = "live", ...rest } = options;
  if (!modes.includes(mode)) {
    throw new InvalidArgumentError({
      parameter: "options.mode",
      value: mode,
      message: `${where}: "options.mode" must be "live" or "accepted-only" (got ${describeValue(mode)}).`,
    });
  }
  return { ...checkCallOptions(where, rest), mode };
}
