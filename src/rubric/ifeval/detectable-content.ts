import { countArg, stringArg } from "./kwargs.js";
import { escapeRegExp, pyStrip, pyWhitespace } from "./py.js";
import type { InstructionSpec } from "./types.js";

const placeholder = /\[[^\n]*?\]/g;

/** `detectable_content:number_placeholders`: at least `num_placeholders` `[...]` on one line each. */
export const numberPlaceholders: InstructionSpec = {
  build(kwargs) {
    const minimum = countArg(kwargs, "num_placeholders");
    return (response) => (response.match(placeholder)?.length ?? 0) >= minimum;
  },
  describe: (kwargs) =>
    `The response must contain at least ${countArg(kwargs, "num_placeholders")} placeholders represented by square brackets, such as [address].`,
};

/**
 * `detectable_content:postscript`: the lower-cased response contains the marker: `p.s.` (with an
 * optional space after the first period) for `P.S.`, `p.p.s` (optional spaces) for `P.P.S`, any other
 * marker literally.
 */
export const postscript: InstructionSpec = {
  build(kwargs) {
    const marker = pyStrip(stringArg(kwargs, "postscript_marker"));
    const space = `[${pyWhitespace}]?`;
    const pattern =
      marker === "P.P.S"
        ? new RegExp(`p\\.${space}p\\.${space}s`)
        : marker === "P.S."
          ? new RegExp(`p\\.${space}s\\.`)
          : new RegExp(escapeRegExp(marker.toLowerCase()), "u");
    return (response) => pattern.test(response.toLowerCase());
  },
  describe: (kwargs) =>
    `At the end of your response, please explicitly add a postscript starting with ${pyStrip(stringArg(kwargs, "postscript_marker"))}.`,
};
