import { countArg, relationArg, stringArg } from "./kwargs.js";
import { settledPart, settledPieces } from "./prefix.js";
import { countSentences } from "./punkt.js";
import { compare, pySplit, pyStrip, pyWhitespace, pyWordChar } from "./py.js";
import type { InstructionSpec } from "./types.js";

const word = new RegExp(`${pyWordChar}+`, "gu");
const paragraphDivider = new RegExp(`[${pyWhitespace}]?\\*\\*\\*[${pyWhitespace}]?`);
const paragraphDividers = new RegExp(paragraphDivider.source, "g");

/** Words as the reference counts them: runs of `\w` (NLTK's `RegexpTokenizer(r"\w+")`). */
export function countWords(text: string): number {
  return text.match(word)?.length ?? 0;
}

/** `length_constraints:number_sentences`: Punkt sentences less than / at least `num_sentences`. */
export const numberSentences: InstructionSpec = {
  build(kwargs) {
    const threshold = countArg(kwargs, "num_sentences");
    const relation = relationArg(kwargs, "relation");
    return (response) => compare(countSentences(response), relation, threshold);
  },
  describe: (kwargs) =>
    `Your response should contain ${relationArg(kwargs, "relation")} ${countArg(kwargs, "num_sentences")} sentences.`,
};

/** `length_constraints:number_words`: `\w+` words less than / at least `num_words`. */
export const numberWords: InstructionSpec = {
  build(kwargs) {
    const threshold = countArg(kwargs, "num_words");
    const relation = relationArg(kwargs, "relation");
    return (response) => compare(countWords(response), relation, threshold);
  },
  buildPrefix(kwargs) {
    if (relationArg(kwargs, "relation") !== "less than") return undefined;
    // Appending text extends the last word or adds words: the count never falls.
    const threshold = countArg(kwargs, "num_words");
    return (prefix) => countWords(settledPart(prefix)) >= threshold;
  },
  describe: (kwargs) =>
    `Answer with ${relationArg(kwargs, "relation")} ${countArg(kwargs, "num_words")} words.`,
};

/**
 * `length_constraints:number_paragraphs`: exactly `num_paragraphs` paragraphs separated by `***`
 * (an empty first or last piece is not counted; an empty piece in between fails the check).
 */
export const numberParagraphs: InstructionSpec = {
  build(kwargs) {
    const expected = countArg(kwargs, "num_paragraphs");
    return (response) => {
      const pieces = response.split(paragraphDivider);
      let count = pieces.length;
      for (const [index, piece] of pieces.entries()) {
        if (pyStrip(piece) !== "") continue;
        if (index !== 0 && index !== pieces.length - 1) return false;
        count--;
      }
      return count === expected;
    };
  },
  buildPrefix(kwargs) {
    const expected = countArg(kwargs, "num_paragraphs");
    // The settled pieces are followed by at least one more: a blank one past the first is a blank middle
    // piece for good, and each non-blank one counts in every longer response.
    return (prefix) => {
      const pieces = settledPieces(prefix, paragraphDividers, 5);
      if (pieces.some((piece, index) => index > 0 && pyStrip(piece) === "")) return true;
      return pieces.filter((piece) => pyStrip(piece) !== "").length > expected;
    };
  },
  describe: (kwargs) =>
    `There should be ${countArg(kwargs, "num_paragraphs")} paragraphs. Paragraphs are separated with the markdown divider: ***`,
};

const firstWordStops = new Set([".", ",", "?", "!", "'", '"']);

/**
 * A paragraph's first word as the reference compares it: lower case, after leading quotes, up to the first
 * `. , ? ! ' "`; undefined for a blank paragraph (which fails the instruction).
 */
function firstWordOf(raw: string): string | undefined {
  const paragraph = pyStrip(raw);
  if (paragraph === "") return undefined;
  const token = (pySplit(paragraph)[0] ?? "").replace(/^'+/, "").replace(/^"+/, "");
  let found = "";
  for (const char of token) {
    if (firstWordStops.has(char)) break;
    found += char.toLowerCase();
  }
  return found;
}

/**
 * `length_constraints:nth_paragraph_first_word`: exactly `num_paragraphs` non-empty paragraphs split on
 * `\n\n`, and paragraph `nth_paragraph` (counted in the raw split) starts with `first_word`, compared in
 * lower case up to the first `. , ? ! ' "` after leading quotes.
 */
export const nthParagraphFirstWord: InstructionSpec = {
  build(kwargs) {
    const expected = countArg(kwargs, "num_paragraphs");
    const nth = countArg(kwargs, "nth_paragraph");
    const firstWord = stringArg(kwargs, "first_word").toLowerCase();
    return (response) => {
      const paragraphs = response.split("\n\n");
      const count = paragraphs.filter((paragraph) => pyStrip(paragraph) !== "").length;
      if (nth > count || nth < 1) return false;
      const found = firstWordOf(paragraphs[nth - 1] ?? "");
      return count === expected && found === firstWord;
    };
  },
  buildPrefix(kwargs) {
    const expected = countArg(kwargs, "num_paragraphs");
    const nth = countArg(kwargs, "nth_paragraph");
    const firstWord = stringArg(kwargs, "first_word").toLowerCase();
    return (prefix) => {
      const paragraphs = settledPieces(prefix, /\n\n/g, 2);
      if (paragraphs.filter((paragraph) => pyStrip(paragraph) !== "").length > expected) return true;
      const settled = paragraphs[nth - 1];
      return settled !== undefined && nth >= 1 && firstWordOf(settled) !== firstWord;
    };
  },
  describe: (kwargs) =>
    `There should be ${countArg(kwargs, "num_paragraphs")} paragraphs. Paragraphs and only paragraphs are separated with each other by two new lines. Paragraph ${countArg(kwargs, "nth_paragraph")} must start with the word "${stringArg(kwargs, "first_word")}".`,
};
