import { countArg, stringArg } from "./kwargs.js";
import { escapeRegExp, pyStrip, pyWhitespace } from "./py.js";
import type { InstructionSpec } from "./types.js";

/**
 * How many matches Python's `re.findall(r"\[.*?\]", text)` finds, in one pass: from each `[`, the
 * first `]` after it on the same line. The regex retries from every `[` of a line that has no `]`
 * (quadratic on `[[[[…`); here a line without a closing `]` ends the line's search at once.
 */
export function countPlaceholders(text: string): number {
  let count = 0;
  let open = text.indexOf("[");
  while (open !== -1) {
    let close = open + 1;
    while (close < text.length && text[close] !== "]" && text[close] !== "\n") close++;
    if (close < text.length && text[close] === "]") {
      count++;
      open = text.indexOf("[", close + 1);
    } else {
      // No `]` on this line: no later `[` of the line can close either.
      open = close < text.length ? text.indexOf("[", close + 1) : -1;
    }
  }
  return count;
}

/** `detectable_content:number_placeholders`: at least `num_placeholders` `[...]` on one line each. */
export const numberPlaceholders: InstructionSpec = {
  build(kwargs) {
    const minimum = countArg(kwargs, "num_placeholders");
    return (response) => countPlaceholders(response) >= minimum;
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
