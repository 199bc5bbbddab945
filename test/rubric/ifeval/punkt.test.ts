import { describe, expect, it } from "vitest";
import { countSentences } from "../../../src/rubric/ifeval/punkt.js";

// Expected counts are NLTK's English Punkt results on the examples of its own documentation.
describe("countSentences (Punkt, English parameters)", () => {
  it("keeps abbreviations and initials inside sentences, and lower-case starts after a break", () => {
    const text =
      "Punkt knows that the periods in Mr. Smith and Johann S. Bach\ndo not mark sentence boundaries.  And sometimes sentences\ncan start with non-capitalized words.  i is a good variable\nname.";
    expect(countSentences(text)).toBe(3);
  });

  it("realigns closing quotes and brackets into the sentence they close", () => {
    const text =
      '(How does it deal with this parenthesis?)  "It should be part of the\nprevious sentence." "(And the same with this one.)" (\'And this one!\')\n"(\'(And (this)) \'?)" [(and this. )]';
    expect(countSentences(text)).toBe(6);
  });

  it("treats a run of end marks as one break", () => {
    expect(countSentences("Very bad acting!!! I promise.")).toBe(2);
  });

  it("counts nothing in blank text and one sentence in text without end marks", () => {
    expect(countSentences("   \n ")).toBe(0);
    expect(countSentences("# Heading\n- item one\n- item two")).toBe(1);
  });

  it("breaks after a number only when the next word does not start in lower case", () => {
    expect(countSentences("It costs 5. Then it rose.")).toBe(2);
    expect(countSentences("Chapter 5. and then more")).toBe(1);
  });
});
