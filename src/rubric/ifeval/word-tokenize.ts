// An approximation of NLTK's `word_tokenize` (Treebank rules), enough to count all-capital words as the
// reference does: it pads punctuation, brackets and quotes into tokens of their own and splits English
// clitics ("I'M" → "I", "'M"; "DON'T" → "DO", "N'T"), while hyphens, slashes and inner periods stay in
// the word ("U.S.", "AI-POWERED"). Punkt's sentence split before it does not change which tokens are
// upper case, so it is skipped.
import { pySplit } from "./py.js";

const rules: ReadonlyArray<readonly [RegExp, string]> = [
  [/^"/g, " `` "],
  [/(``)/g, " $1 "],
  [/([ ([{<])("|'{2})/g, "$1 `` "],
  [/([«“‘„]|`+)/g, " $1 "],
  [/([:,])([^\p{Nd}])/gu, " $1 $2"],
  [/([:,])$/g, " $1 "],
  [/\.{2,}/g, " $& "],
  [/[;@#$%&]/g, " $& "],
  [/[?!]/g, " $& "],
  [/([^'])' /g, "$1 ' "],
  [/[*]/g, " $& "],
  [/[\][(){}<>]/g, " $& "],
  [/--/g, " -- "],
  [/''/g, " '' "],
  [/"/g, " '' "],
  [/([»”’])/g, " $1 "],
  [/([^' ])('[sS]|'[mM]|'[dD]|') /g, "$1 $2 "],
  [/([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) /g, "$1 $2 "],
  [/\b(can)(not)\b/giu, " $1 $2 "],
  [/\b(d)('ye)\b/giu, " $1 $2 "],
  [/\b(gim)(me)\b/giu, " $1 $2 "],
  [/\b(gon)(na)\b/giu, " $1 $2 "],
  [/\b(got)(ta)\b/giu, " $1 $2 "],
  [/\b(lem)(me)\b/giu, " $1 $2 "],
  [/\b(more)('n)\b/giu, " $1 $2 "],
  [/\b(wan)(na)(?=\s)/giu, " $1 $2 "],
  [/ ('t)(is)\b/giu, " $1 $2 "],
  [/ ('t)(was)\b/giu, " $1 $2 "],
];

/** Word tokens of `text`, split the way NLTK's `word_tokenize` splits them (approximately). */
export function wordTokenize(text: string): string[] {
  let padded = ` ${text} `;
  for (const [pattern, replacement] of rules) padded = padded.replace(pattern, replacement);
  return pySplit(padded);
}
