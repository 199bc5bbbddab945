import { countArg, relationArg } from "./kwargs.js";
import { isInLanguage } from "./language.js";
import { settledPart } from "./prefix.js";
import { compare, hasNonLower, hasNonUpper, pyIsLower, pyIsUpper } from "./py.js";
import type { InstructionSpec } from "./types.js";
import { wordTokenize } from "./word-tokenize.js";

/** `change_case:capital_word_frequency`: all-capital word tokens less than / at least `capital_frequency`. */
export const capitalWordFrequency: InstructionSpec = {
  build(kwargs) {
    const frequency = countArg(kwargs, "capital_frequency");
    const relation = relationArg(kwargs, "capital_relation");
    return (response) => compare(wordTokenize(response).filter(pyIsUpper).length, relation, frequency);
  },
  describe: (kwargs) =>
    `In your response, words with all capital letters should appear ${relationArg(kwargs, "capital_relation")} ${countArg(kwargs, "capital_frequency")} times.`,
};

/** `change_case:english_capital`: no lower-case letter, some upper-case one, and langdetect says English. */
export const englishCapital: InstructionSpec = {
  build: () => (response) => pyIsUpper(response) && isInLanguage(response, "en"),
  // A lower-case (or title-case) letter already written keeps the response from being all capitals.
  buildPrefix: () => (prefix) => hasNonUpper(settledPart(prefix)),
  foundInAnyText: true,
  describe: () => "Your entire response should be in English, and in all capital letters.",
};

/** `change_case:english_lowercase`: no upper-case letter, some lower-case one, and langdetect says English. */
export const englishLowercase: InstructionSpec = {
  build: () => (response) => pyIsLower(response) && isInLanguage(response, "en"),
  buildPrefix: () => (prefix) => hasNonLower(settledPart(prefix)),
  foundInAnyText: true,
  describe: () =>
    "Your entire response should be in English, and in all lowercase letters. No capital letters are allowed.",
};
