import type { InstructionId, InstructionKwargs } from "../../src/rubric/ifeval/index.js";

/** One set of kwargs per IFEval instruction (the first each takes in IFEval's prompts.jsonl). */
export const ifevalSubjects: ReadonlyArray<{ id: InstructionId; kwargs: InstructionKwargs }> = [
  { id: "keywords:existence", kwargs: { keywords: ["correlated", "experiencing"] } },
  { id: "keywords:frequency", kwargs: { relation: "at least", keyword: "story", frequency: 2 } },
  { id: "keywords:forbidden_words", kwargs: { forbidden_words: ["rock"] } },
  { id: "keywords:letter_frequency", kwargs: { let_relation: "at least", letter: "#", let_frequency: 4 } },
  { id: "language:response_language", kwargs: { language: "kn" } },
  { id: "length_constraints:number_sentences", kwargs: { relation: "less than", num_sentences: 6 } },
  { id: "length_constraints:number_paragraphs", kwargs: { num_paragraphs: 2 } },
  { id: "length_constraints:number_words", kwargs: { relation: "at least", num_words: 300 } },
  {
    id: "length_constraints:nth_paragraph_first_word",
    kwargs: { first_word: "weekend", num_paragraphs: 4, nth_paragraph: 1 },
  },
  { id: "detectable_content:number_placeholders", kwargs: { num_placeholders: 12 } },
  { id: "detectable_content:postscript", kwargs: { postscript_marker: "P.S." } },
  { id: "detectable_format:number_bullet_lists", kwargs: { num_bullets: 3 } },
  { id: "detectable_format:constrained_response", kwargs: {} },
  { id: "detectable_format:number_highlighted_sections", kwargs: { num_highlights: 3 } },
  { id: "detectable_format:multiple_sections", kwargs: { section_spliter: "PARAGRAPH", num_sections: 2 } },
  { id: "detectable_format:json_format", kwargs: {} },
  { id: "detectable_format:title", kwargs: {} },
  { id: "combination:two_responses", kwargs: {} },
  { id: "combination:repeat_prompt", kwargs: { prompt_to_repeat: "Write an email" } },
  { id: "startend:end_checker", kwargs: { end_phrase: "Can I get my money back?" } },
  {
    id: "change_case:capital_word_frequency",
    kwargs: { capital_relation: "less than", capital_frequency: 10 },
  },
  { id: "change_case:english_capital", kwargs: {} },
  { id: "change_case:english_lowercase", kwargs: {} },
  { id: "punctuation:no_comma", kwargs: {} },
  { id: "startend:quotation", kwargs: {} },
];
