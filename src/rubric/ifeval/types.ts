/** The 25 verifiable instruction ids of IFEval (Zhou et al., 2023), as the reference registry names them. */
export const instructionIds = [
  "keywords:existence",
  "keywords:frequency",
  "keywords:forbidden_words",
  "keywords:letter_frequency",
  "language:response_language",
  "length_constraints:number_sentences",
  "length_constraints:number_paragraphs",
  "length_constraints:number_words",
  "length_constraints:nth_paragraph_first_word",
  "detectable_content:number_placeholders",
  "detectable_content:postscript",
  "detectable_format:number_bullet_lists",
  "detectable_format:constrained_response",
  "detectable_format:number_highlighted_sections",
  "detectable_format:multiple_sections",
  "detectable_format:json_format",
  "detectable_format:title",
  "combination:two_responses",
  "combination:repeat_prompt",
  "startend:end_checker",
  "change_case:capital_word_frequency",
  "change_case:english_capital",
  "change_case:english_lowercase",
  "punctuation:no_comma",
  "startend:quotation",
] as const;

/** One of the 25 supported instruction ids. */
export type InstructionId = (typeof instructionIds)[number];

/**
 * The arguments of one instruction, exactly as in IFEval's `prompts.jsonl` (keys the instruction does
 * not use are ignored; `null` counts as absent).
 */
export type InstructionKwargs = Readonly<
  Record<string, string | number | readonly string[] | null | undefined>
>;

/** One IFEval prompt: `{ prompt, instruction_id_list, kwargs }` as in `prompts.jsonl` (`key` optional). */
export interface IfevalRecord {
  /** The record's number in IFEval, when known. */
  readonly key?: number;
  /** The prompt the model saw. */
  readonly prompt: string;
  /** The instructions to verify, in order; an id may appear twice. */
  readonly instruction_id_list: readonly string[];
  /** One kwargs object per entry of `instruction_id_list`. */
  readonly kwargs: readonly InstructionKwargs[];
}

/**
 * `strict` checks the response as given; `loose` (the reference's upper bound) also accepts an
 * instruction when it holds on the response with its first line, its last line or both removed, or
 * with every `*` removed.
 */
export type IfevalMode = "strict" | "loose";

/** A check of one instruction on one candidate text, with the instruction's kwargs bound. */
export type InstructionCheck = (response: string) => boolean;

/**
 * For a streamed response: true when every response that starts with `prefix` breaks the instruction
 * (strict mode), so the attempt can stop there; false when some continuation may still follow it.
 */
export type InstructionPrefixCheck = (prefix: string) => boolean;

/** What a group file provides for each instruction id it owns. */
export interface InstructionSpec {
  /** Binds the kwargs; throws InvalidArgumentError when a required one is missing or malformed. */
  build(kwargs: InstructionKwargs, prompt: string): InstructionCheck;
  /**
   * Binds the kwargs of an instruction whose violation can be seen in a prefix (a comma, a forbidden word,
   * a count already past a "less than" bound); undefined when these kwargs leave nothing a prefix can
   * settle (an "at least" bound). Only for violations that no continuation can undo.
   */
  buildPrefix?(kwargs: InstructionKwargs, prompt: string): InstructionPrefixCheck | undefined;
  /**
   * True when what `buildPrefix`'s check finds in any text stays in every text that contains it, `*`
   * removed or not (a comma, a letter of the wrong case): loose mode may then apply the check to the
   * complete lines of a prefix past its first, which every text loose mode tries contains.
   */
  readonly foundInAnyText?: true;
  /** The instruction in words, with its kwargs, for rubric feedback. */
  describe(kwargs: InstructionKwargs): string;
}
