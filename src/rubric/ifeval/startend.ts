import { stringArg } from "./kwargs.js";
import { pyLstripStart, pyStrip, pyStripChars } from "./py.js";
import type { InstructionSpec } from "./types.js";

/** `startend:end_checker`: the response, stripped of whitespace then `"`, ends with `end_phrase` (any case). */
export const endChecker: InstructionSpec = {
  build(kwargs) {
    const phrase = pyStrip(stringArg(kwargs, "end_phrase")).toLowerCase();
    return (response) => pyStripChars(pyStrip(response), '"').toLowerCase().endsWith(phrase);
  },
  describe: (kwargs) =>
    `Finish your response with this exact phrase: "${pyStrip(stringArg(kwargs, "end_phrase"))}". No other words should follow this phrase.`,
};

/** `startend:quotation`: the stripped response is at least two characters, `"` first and last. */
export const quotation: InstructionSpec = {
  build: () => (response) => {
    const stripped = pyStrip(response);
    return [...stripped].length > 1 && stripped.startsWith('"') && stripped.endsWith('"');
  },
  // The first character after leading whitespace is the stripped response's first character.
  buildPrefix: () => (prefix) => {
    const start = pyLstripStart(prefix);
    return start < prefix.length && prefix[start] !== '"';
  },
  describe: () => "Wrap your entire response with double quotation marks.",
};
