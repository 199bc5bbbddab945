import { countArg, relationArg, stringArg, stringsArg } from "./kwargs.js";
import { settledPart } from "./prefix.js";
import { compare, escapeRegExp, pyStrip, pyWordChar } from "./py.js";
import type { InstructionSpec } from "./types.js";

// The reference passes keywords to `re` as patterns; none of IFEval's contain a metacharacter, and
// matching them literally keeps a caller's keyword from being read as a (possibly slow) pattern.
const literal = (keyword: string, flags: string) => new RegExp(escapeRegExp(keyword), flags);
const list = (words: readonly string[]) => words.map((word) => `"${word}"`).join(", ");

/** `keywords:existence`: every keyword occurs, case-insensitively, anywhere (substrings count). */
export const keywordExistence: InstructionSpec = {
  build(kwargs) {
    const patterns = stringsArg(kwargs, "keywords").map((keyword) => literal(keyword, "iu"));
    return (response) => patterns.every((pattern) => pattern.test(response));
  },
  describe: (kwargs) => `Include the keywords ${list(stringsArg(kwargs, "keywords"))} in the response.`,
};

/** `keywords:frequency`: the keyword (stripped) occurs less than / at least `frequency` times. */
export const keywordFrequency: InstructionSpec = {
  build(kwargs) {
    const pattern = literal(pyStrip(stringArg(kwargs, "keyword")), "giu");
    const frequency = countArg(kwargs, "frequency");
    const relation = relationArg(kwargs, "relation");
    return (response) => compare(response.match(pattern)?.length ?? 0, relation, frequency);
  },
  buildPrefix(kwargs) {
    if (relationArg(kwargs, "relation") !== "less than") return undefined;
    // Matches of one literal, left to right without overlap, never fall in number as text is appended: a
    // match that runs past the prefix's end starts after every match counted in it, too close to the end
    // for another to fit.
    const pattern = literal(pyStrip(stringArg(kwargs, "keyword")), "giu");
    const frequency = countArg(kwargs, "frequency");
    return (prefix) => (settledPart(prefix).match(pattern)?.length ?? 0) >= frequency;
  },
  describe: (kwargs) =>
    `In your response, the word "${pyStrip(stringArg(kwargs, "keyword"))}" should appear ${relationArg(kwargs, "relation")} ${countArg(kwargs, "frequency")} times.`,
};

/** `keywords:forbidden_words`: no forbidden word occurs as a whole word, case-insensitively. */
export const forbiddenWords: InstructionSpec = {
  build(kwargs) {
    // Python's `\b` is Unicode-aware; JavaScript's is ASCII-only, hence the explicit look-arounds.
    const patterns = stringsArg(kwargs, "forbidden_words").map(
      (word) => new RegExp(`(?<!${pyWordChar})${escapeRegExp(word)}(?!${pyWordChar})`, "iu"),
    );
    return (response) => !patterns.some((pattern) => pattern.test(response));
  },
  buildPrefix(kwargs) {
    // A whole-word match already followed by a settled non-word character stays one whatever comes next;
    // one at the very end may yet grow into a longer word ("cat" → "cats").
    const patterns = stringsArg(kwargs, "forbidden_words").map(
      (word) => new RegExp(`(?<!${pyWordChar})${escapeRegExp(word)}(?=[^\\p{L}\\p{N}_])`, "iu"),
    );
    return (prefix) => {
      const settled = settledPart(prefix);
      return patterns.some((pattern) => pattern.test(settled));
    };
  },
  describe: (kwargs) =>
    `Do not include the keywords ${list(stringsArg(kwargs, "forbidden_words"))} in the response.`,
};

/**
 * `keywords:letter_frequency`: the character (lower-cased) occurs less than / at least `let_frequency`
 * times in the lower-cased response. Any single character counts literally, `#` and `!` included (the
 * reference's current version; an older one swapped non-letters for a random letter).
 */
export const letterFrequency: InstructionSpec = {
  build(kwargs) {
    const letter = pyStrip(stringArg(kwargs, "letter")).toLowerCase();
    const frequency = countArg(kwargs, "let_frequency");
    const relation = relationArg(kwargs, "let_relation");
    return (response) => {
      let count = 0;
      for (const char of response.toLowerCase()) if (char === letter) count++;
      return compare(count, relation, frequency);
    };
  },
  buildPrefix(kwargs) {
    const letter = pyStrip(stringArg(kwargs, "letter")).toLowerCase();
    // Lower-casing is per character except for sigma, whose final form depends on what follows.
    if (relationArg(kwargs, "let_relation") !== "less than" || letter === "σ" || letter === "ς")
      return undefined;
    const frequency = countArg(kwargs, "let_frequency");
    return (prefix) => {
      let count = 0;
      for (const char of settledPart(prefix).toLowerCase()) if (char === letter) count++;
      return count >= frequency;
    };
  },
  describe: (kwargs) =>
    `In your response, the letter "${pyStrip(stringArg(kwargs, "letter")).toLowerCase()}" should appear ${relationArg(kwargs, "let_relation")} ${countArg(kwargs, "let_frequency")} times.`,
};
