import { defineRubric } from "../rubric.js";
import type { Rubric, Rule } from "../types.js";
import {
  bindInstructions,
  candidateTexts,
  type IfevalOptions,
  parseIfevalOptions,
  specOf,
} from "./follow.js";
import { middleLines } from "./prefix.js";
import { pyStrip } from "./py.js";
import type { IfevalRecord } from "./types.js";

/**
 * A rubric whose rules are the instructions of `record`, judged as {@link followInstructions} judges
 * them: rule id = instruction id (a second occurrence of an id in one record gets `#2`, a third `#3`),
 * description = the instruction in words with its kwargs, so a failed rule tells the model what it
 * missed. Threshold 1: every instruction must hold. The rubric id is `ifeval-<key>` (`ifeval` when the
 * record has no key). The instructions a prefix can already break (a comma, a forbidden word, a "less
 * than" count reached, a capital in an all-lowercase answer...) judge streamed prefixes
 * (`Rule.checkPrefix`), so a streamed attempt stops as soon as it breaks one; in loose mode only a comma or
 * a letter of the wrong case on a complete line past the first (docs/ifeval.md).
 *
 * @example
 * const rubric = ifevalRubric(record, { mode: "loose" });
 * const verdict = await rubric.evaluate(response); // verdict.violations name the missed instructions
 * @throws InvalidArgumentError for an unknown instruction id, a missing or malformed kwarg, or a bad `mode`.
 */
export function ifevalRubric(record: IfevalRecord, options?: IfevalOptions): Rubric<string> {
  const { mode } = parseIfevalOptions("ifevalRubric", options);
  const checks = bindInstructions(record);
  const seen = new Map<string, number>();
  const rules = record.instruction_id_list.map((id, index): Rule<string> => {
    const occurrence = (seen.get(id) ?? 0) + 1;
    seen.set(id, occurrence);
    const check = checks[index] as (text: string) => boolean;
    const spec = specOf(id, index);
    const description = spec.describe(record.kwargs[index] ?? {});
    const rule: Rule<string> = {
      id: occurrence === 1 ? id : `${id}#${occurrence}`,
      description,
      check: (output) => candidateTexts(output, mode).some((text) => pyStrip(text) !== "" && check(text)),
    };
    // Loose mode also tries the response without its first or last line and without `*`, which can undo
    // a violation a prefix shows: there, only a violation found in any text containing it counts, and only
    // in the prefix's complete lines past the first (every text loose mode tries contains them).
    const strict = spec.buildPrefix?.(record.kwargs[index] ?? {}, record.prompt);
    const broken =
      strict === undefined || mode === "strict"
        ? strict
        : spec.foundInAnyText === true
          ? (prefix: string) => strict(middleLines(prefix))
          : undefined;
    if (broken !== undefined) {
      rule.checkPrefix = (prefix) =>
        broken(prefix)
          ? { pass: false, message: `${description} The text so far already breaks it.` }
          : undefined;
    }
    return rule;
  });
  return defineRubric({ id: record.key === undefined ? "ifeval" : `ifeval-${record.key}`, rules });
}
