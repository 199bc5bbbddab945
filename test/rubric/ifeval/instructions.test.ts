import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../src/errors/invalid-argument-error.js";
import {
  followInstructions,
  type IfevalMode,
  type InstructionKwargs,
  instructionIds,
} from "../../../src/rubric/ifeval/index.js";

// One instruction, one response: the verdict of followInstructions.
function follows(
  id: string,
  kwargs: InstructionKwargs,
  response: string,
  mode: IfevalMode = "strict",
): boolean {
  const [verdict] = followInstructions(
    { prompt: "p", instruction_id_list: [id], kwargs: [kwargs] },
    response,
    {
      mode,
    },
  );
  return verdict as boolean;
}

describe("instructionIds", () => {
  it("lists the 25 reference ids once each", () => {
    expect(instructionIds).toHaveLength(25);
    expect(new Set(instructionIds).size).toBe(25);
  });
});

describe("keywords", () => {
  it("existence: every keyword, any case, substrings count", () => {
    expect(follows("keywords:existence", { keywords: ["Ocean", "tide"] }, "oceans and TIDES")).toBe(true);
    expect(follows("keywords:existence", { keywords: ["ocean", "moon"] }, "oceans only")).toBe(false);
  });

  it("frequency: counts substring occurrences against the relation", () => {
    const kwargs = { keyword: " cat ", frequency: 3, relation: "at least" };
    expect(follows("keywords:frequency", kwargs, "Cat, cat, concatenate")).toBe(true);
    expect(follows("keywords:frequency", kwargs, "cat cat")).toBe(false);
    expect(follows("keywords:frequency", { ...kwargs, relation: "less than" }, "cat cat")).toBe(true);
  });

  it("forbidden_words: whole words only, Unicode-aware boundaries", () => {
    const kwargs = { forbidden_words: ["car"] };
    expect(follows("keywords:forbidden_words", kwargs, "A careful driver.")).toBe(true);
    expect(follows("keywords:forbidden_words", kwargs, "My CAR.")).toBe(false);
    expect(follows("keywords:forbidden_words", kwargs, "écar is one word")).toBe(true);
  });

  it("letter_frequency: any single character counts literally, # and ! included", () => {
    expect(
      follows(
        "keywords:letter_frequency",
        { letter: "A", let_frequency: 2, let_relation: "at least" },
        "a A",
      ),
    ).toBe(true);
    expect(
      follows(
        "keywords:letter_frequency",
        { letter: "#", let_frequency: 3, let_relation: "less than" },
        "## x #",
      ),
    ).toBe(false);
    expect(
      follows(
        "keywords:letter_frequency",
        { letter: "!", let_frequency: 2, let_relation: "at least" },
        "Hi! Yo!",
      ),
    ).toBe(true);
  });
});

describe("language", () => {
  it("response_language: langdetect's answer for the whole response", () => {
    const kwargs = { language: "de" };
    expect(
      follows(
        "language:response_language",
        kwargs,
        "Das ist ein kurzer Satz, der auf Deutsch geschrieben ist.",
      ),
    ).toBe(true);
    expect(
      follows("language:response_language", kwargs, "This sentence is written in plain English words."),
    ).toBe(false);
  });

  it("counts a response with nothing to detect as followed, as the reference does", () => {
    expect(follows("language:response_language", { language: "fr" }, "12345 !!! 678")).toBe(true);
  });
});

describe("length constraints", () => {
  it("number_words counts \\w+ runs (apostrophes and hyphens split words)", () => {
    const kwargs = { num_words: 5, relation: "at least" };
    expect(follows("length_constraints:number_words", kwargs, "don't well-known x")).toBe(true);
    expect(follows("length_constraints:number_words", kwargs, "one two three four")).toBe(false);
  });

  it("number_sentences uses Punkt: abbreviations do not end sentences, newlines alone do not either", () => {
    const lessThanThree = { num_sentences: 3, relation: "less than" };
    expect(
      follows("length_constraints:number_sentences", lessThanThree, "Mr. Smith met Dr. Jones. They talked."),
    ).toBe(true);
    expect(
      follows("length_constraints:number_sentences", lessThanThree, "Line one\nline two\nline three"),
    ).toBe(true);
    expect(follows("length_constraints:number_sentences", lessThanThree, "One. Two! Three?")).toBe(false);
  });

  it("number_sentences counts a numbered-list marker before a capital as a sentence break", () => {
    const atLeastThree = { num_sentences: 3, relation: "at least" };
    // "1." | "First item\n2." | "Second item"
    expect(
      follows("length_constraints:number_sentences", atLeastThree, "1. First item\n2. Second item"),
    ).toBe(true);
    expect(follows("length_constraints:number_sentences", atLeastThree, "First item\nSecond item")).toBe(
      false,
    );
  });

  it("number_paragraphs splits on *** and refuses an empty paragraph in between", () => {
    const two = { num_paragraphs: 2 };
    expect(follows("length_constraints:number_paragraphs", two, "First.\n***\nSecond.")).toBe(true);
    expect(follows("length_constraints:number_paragraphs", two, "***\nFirst.\n***\nSecond.\n***")).toBe(true);
    expect(follows("length_constraints:number_paragraphs", two, "First.\n***\n***\nSecond.")).toBe(false);
  });

  it("nth_paragraph_first_word compares the first word up to punctuation, in lower case", () => {
    const kwargs = { num_paragraphs: 2, nth_paragraph: 2, first_word: "Summer" };
    expect(
      follows("length_constraints:nth_paragraph_first_word", kwargs, 'Intro.\n\n"Summer, at last."'),
    ).toBe(true);
    expect(follows("length_constraints:nth_paragraph_first_word", kwargs, "Intro.\n\nWinter came.")).toBe(
      false,
    );
    expect(
      follows("length_constraints:nth_paragraph_first_word", kwargs, "Intro.\n\nSummer.\n\nExtra."),
    ).toBe(false);
  });
});

describe("detectable content", () => {
  it("number_placeholders counts [..] on one line", () => {
    expect(
      follows("detectable_content:number_placeholders", { num_placeholders: 2 }, "[name] at [address]"),
    ).toBe(true);
    expect(
      follows("detectable_content:number_placeholders", { num_placeholders: 2 }, "[name\n] and [x]"),
    ).toBe(false);
  });

  it("postscript finds P.S. / P.P.S markers in any case", () => {
    expect(
      follows("detectable_content:postscript", { postscript_marker: "P.S." }, "Bye.\np.s. see you"),
    ).toBe(true);
    expect(
      follows("detectable_content:postscript", { postscript_marker: "P.P.S" }, "Bye.\nP. P. S more"),
    ).toBe(true);
    expect(follows("detectable_content:postscript", { postscript_marker: "P.S." }, "Bye. PS see you")).toBe(
      false,
    );
  });
});

describe("detectable format", () => {
  it("number_bullet_lists counts * and - lines exactly", () => {
    const two = { num_bullets: 2 };
    expect(follows("detectable_format:number_bullet_lists", two, "Intro\n* one\n- two")).toBe(true);
    expect(follows("detectable_format:number_bullet_lists", two, "* one\n* two\n* three")).toBe(false);
    expect(follows("detectable_format:number_bullet_lists", two, "**bold** line\n* one\n* two")).toBe(true);
  });

  it("constrained_response looks for one of the three answers", () => {
    expect(follows("detectable_format:constrained_response", {}, "Well... My answer is maybe.")).toBe(true);
    expect(follows("detectable_format:constrained_response", {}, "My answer is probably.")).toBe(false);
  });

  it("number_highlighted_sections counts non-blank *x* and **x** spans", () => {
    expect(
      follows("detectable_format:number_highlighted_sections", { num_highlights: 2 }, "**one** and *two*"),
    ).toBe(true);
    expect(
      follows("detectable_format:number_highlighted_sections", { num_highlights: 2 }, "**only one**"),
    ).toBe(false);
    expect(
      follows("detectable_format:number_highlighted_sections", { num_highlights: 2 }, "*one* and * *"),
    ).toBe(false);
  });

  it("multiple_sections counts splitter + number markers", () => {
    const kwargs = { section_spliter: "SECTION", num_sections: 2 };
    expect(follows("detectable_format:multiple_sections", kwargs, "SECTION 1\na\nSECTION 2\nb")).toBe(true);
    expect(follows("detectable_format:multiple_sections", kwargs, "Section 1\na\nSection 2\nb")).toBe(false);
  });

  it("json_format accepts JSON, fenced or not", () => {
    expect(follows("detectable_format:json_format", {}, '```json\n{"a": [1, 2]}\n```')).toBe(true);
    expect(follows("detectable_format:json_format", {}, ' {"a": 1} ')).toBe(true);
    expect(follows("detectable_format:json_format", {}, "Here it is: {}")).toBe(false);
  });

  it("title needs non-blank text in << >> on one line", () => {
    expect(follows("detectable_format:title", {}, "<<My Poem>>\ntext")).toBe(true);
    expect(follows("detectable_format:title", {}, "<<  >> and <<\nx>>")).toBe(false);
  });
});

describe("combination", () => {
  it("two_responses: two different non-blank answers around ******", () => {
    expect(follows("combination:two_responses", {}, "A\n******\nB")).toBe(true);
    expect(follows("combination:two_responses", {}, "A\n******\nA ")).toBe(false);
    expect(follows("combination:two_responses", {}, "A\n******\n******\nB")).toBe(false);
  });

  it("repeat_prompt: the response starts with the request, any case", () => {
    const kwargs = { prompt_to_repeat: "Write a poem." };
    expect(follows("combination:repeat_prompt", kwargs, "  write a POEM.\nRoses...")).toBe(true);
    expect(follows("combination:repeat_prompt", kwargs, "Sure! Write a poem.")).toBe(false);
  });
});

describe("start and end", () => {
  it("end_checker ignores trailing whitespace and quotes, and case", () => {
    const kwargs = { end_phrase: "Any other questions?" };
    expect(follows("startend:end_checker", kwargs, 'Done. any other questions?"\n')).toBe(true);
    expect(follows("startend:end_checker", kwargs, "Any other questions? Bye.")).toBe(false);
  });

  it("quotation wraps the whole stripped response in double quotes", () => {
    expect(follows("startend:quotation", {}, '  "quoted"  ')).toBe(true);
    expect(follows("startend:quotation", {}, '"')).toBe(false);
    expect(follows("startend:quotation", {}, "“curly”")).toBe(false);
  });
});

describe("change case", () => {
  it("capital_word_frequency counts all-capital tokens, clitics split as NLTK does", () => {
    const kwargs = { capital_frequency: 3, capital_relation: "at least" };
    expect(follows("change_case:capital_word_frequency", kwargs, "I'm SURE it's **VERY** good")).toBe(true);
    expect(follows("change_case:capital_word_frequency", kwargs, "NASA's plan is good")).toBe(false);
  });

  it("english_capital: no lower-case letter and English", () => {
    expect(follows("change_case:english_capital", {}, "THIS IS A LOUD ANSWER ABOUT THE WEATHER TODAY.")).toBe(
      true,
    );
    expect(follows("change_case:english_capital", {}, "THIS IS A LOUD answer.")).toBe(false);
  });

  it("english_lowercase: no capital letter and English", () => {
    expect(
      follows("change_case:english_lowercase", {}, "this is a quiet answer about the weather today."),
    ).toBe(true);
    expect(follows("change_case:english_lowercase", {}, "this is a quiet answer from Paris.")).toBe(false);
    expect(
      follows("change_case:english_lowercase", {}, "dies ist eine leise antwort über das wetter heute."),
    ).toBe(false);
  });
});

describe("punctuation", () => {
  it("no_comma refuses ASCII commas only", () => {
    expect(follows("punctuation:no_comma", {}, "One、two，three")).toBe(true);
    expect(follows("punctuation:no_comma", {}, "One, two")).toBe(false);
  });
});

describe("modes and records", () => {
  it("loose mode drops a first line, a last line or the asterisks", () => {
    const response = 'Sure, here it is:\n"Quoted answer"\nHope this helps!';
    expect(follows("startend:quotation", {}, response, "strict")).toBe(false);
    expect(follows("startend:quotation", {}, response, "loose")).toBe(true);
    expect(follows("detectable_format:title", {}, "**<<Title>>**", "loose")).toBe(true);
  });

  it("a blank response follows nothing", () => {
    expect(follows("keywords:forbidden_words", { forbidden_words: ["x"] }, "  \n ", "loose")).toBe(false);
  });

  it("returns one verdict per instruction, duplicates included, in order", () => {
    const record = {
      prompt: "p",
      instruction_id_list: ["length_constraints:number_words", "length_constraints:number_words"],
      kwargs: [
        { num_words: 2, relation: "at least" },
        { num_words: 2, relation: "less than" },
      ],
    };
    expect(followInstructions(record, "three small words")).toEqual([true, false]);
  });

  it("refuses unknown ids, missing kwargs and a bad mode with InvalidArgumentError", () => {
    const record = { prompt: "p", instruction_id_list: ["keywords:nope"], kwargs: [{}] };
    expect(() => followInstructions(record, "x")).toThrow(InvalidArgumentError);
    const missing = { prompt: "p", instruction_id_list: ["keywords:frequency"], kwargs: [{ keyword: "a" }] };
    expect(() => followInstructions(missing, "x")).toThrow(/kwargs.frequency/);
    const valid = { prompt: "p", instruction_id_list: ["punctuation:no_comma"], kwargs: [{}] };
    expect(() => followInstructions(valid, "x", { mode: "lax" as IfevalMode })).toThrow(/mode/);
  });
});
