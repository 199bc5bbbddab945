import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";
import { parseOptions } from "../../options.js";
import { object, oneOf } from "../../validate/check.js";
import { pyStrip } from "./py.js";
import { instructionSpecs } from "./registry.js";
import type { IfevalMode, IfevalRecord, InstructionCheck, InstructionId, InstructionSpec } from "./types.js";

/** Options of {@link followInstructions} and {@link ifevalRubric}. */
export interface IfevalOptions {
  /** `strict` judges the response as given; `loose` applies the reference's relaxations. @default "strict" */
  mode?: IfevalMode;
}

const optionsSchema = object({ mode: oneOf(["strict", "loose"]).optional() });

/** Validates options once. @throws InvalidArgumentError naming the bad option. */
export function parseIfevalOptions(fn: string, options: unknown): { mode: IfevalMode } {
  return { mode: parseOptions(fn, optionsSchema, options ?? {}).mode ?? "strict" };
}

/** The spec of `id`. @throws InvalidArgumentError for an id outside the 25 supported ones. */
export function specOf(id: string, index: number): InstructionSpec {
  if (!Object.hasOwn(instructionSpecs, id)) {
    throw new InvalidArgumentError({
      parameter: `instruction_id_list[${index}]`,
      value: id,
      message: `unknown IFEval instruction id "${id}" (see instructionIds for the 25 supported ones)`,
    });
  }
  return instructionSpecs[id as InstructionId];
}

/**
 * Binds every instruction of `record` to its kwargs, once.
 * @throws InvalidArgumentError for an unknown id, a missing kwargs entry or a malformed kwarg.
 */
export function bindInstructions(record: IfevalRecord): InstructionCheck[] {
  return record.instruction_id_list.map((id, index) => {
    const kwargs = record.kwargs[index];
    if (kwargs === undefined || kwargs === null || typeof kwargs !== "object") {
      throw new InvalidArgumentError({
        parameter: `kwargs[${index}]`,
        value: kwargs,
        message: `IFEval record needs one kwargs object per instruction; kwargs[${index}] is missing`,
      });
    }
    return specOf(id, index).build(kwargs, record.prompt);
  });
}

/**
 * The texts the reference tries in `mode`: the response alone (strict), or the response, the response
 * without its first line, without its last line, without both (each stripped), and each of those with
 * every `*` removed (loose). An instruction is followed when it holds on one of them that is not blank.
 */
export function candidateTexts(response: string, mode: IfevalMode): string[] {
  if (mode === "strict") return [response];
  const lines = response.split("\n");
  const withoutFirst = pyStrip(lines.slice(1).join("\n"));
  const withoutLast = pyStrip(lines.slice(0, -1).join("\n"));
  const withoutBoth = pyStrip(lines.slice(1, -1).join("\n"));
  const unstarred = (text: string) => text.replaceAll("*", "");
  return [
    response,
    unstarred(response),
    withoutFirst,
    withoutLast,
    withoutBoth,
    unstarred(withoutFirst),
    unstarred(withoutLast),
    unstarred(withoutBoth),
  ];
}

/** Applies bound checks to a response: one verdict per check. */
export function judge(checks: readonly InstructionCheck[], response: string, mode: IfevalMode): boolean[] {
  // Loose mode's eight texts often coincide (no `*`, a one-line response): judge each distinct one once.
  const texts = [...new Set(candidateTexts(response, mode))].filter((text) => pyStrip(text) !== "");
  return checks.map((check) => texts.some((text) => check(text)));
}

/**
 * Whether `response` follows each instruction of `record`, with the reference evaluator's semantics
 * (google-research `instruction_following_eval`): one boolean per entry of `record.instruction_id_list`,
 * in order. A blank response follows nothing.
 *
 * @example
 * followInstructions(
 *   { prompt: "…", instruction_id_list: ["punctuation:no_comma"], kwargs: [{}] },
 *   "No commas here.",
 *   { mode: "strict" },
 * ); // [true]
 * @throws InvalidArgumentError for an unknown instruction id, a missing kwargs entry, a bad kwarg or a
 * bad `mode`.
 */
export function followInstructions(
  record: IfevalRecord,
  response: string,
  options?: IfevalOptions,
): boolean[] {
  const { mode } = parseIfevalOptions("followInstructions", options);
  return judge(bindInstructions(record), response, mode);
}
