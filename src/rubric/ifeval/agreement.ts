import { bindInstructions, judge } from "./follow.js";
import type { IfevalMode, IfevalRecord } from "./types.js";

/** The reference evaluator's verdicts on one response (a line of IFEval's `verdicts/<model>.jsonl`). */
export interface ReferenceVerdict {
  readonly key: number;
  readonly instruction_id_list: readonly string[];
  readonly strict: readonly boolean[];
  readonly loose: readonly boolean[];
}

/** A label to leave out of agreement: the reference itself flips it between runs. */
export interface UnstableLabel {
  readonly model: string;
  readonly key: number;
  readonly mode: IfevalMode;
  readonly instruction_id: string;
}

/** One instruction on which this pack and the reference disagree. */
export interface Disagreement {
  readonly key: number;
  readonly index: number;
  readonly instructionId: string;
  readonly reference: boolean;
  readonly ours: boolean;
}

/** Agreement counts in one mode: overall and per instruction id. */
export interface Agreement {
  readonly agreed: number;
  readonly total: number;
  readonly byInstruction: ReadonlyMap<string, { agreed: number; total: number }>;
  readonly disagreements: readonly Disagreement[];
}

/**
 * Compares this pack's verdicts with the reference's, instruction by instruction, for one model in one
 * mode, skipping labels listed as unstable for that model and mode.
 */
export function measureAgreement(input: {
  readonly model: string;
  readonly mode: IfevalMode;
  readonly records: ReadonlyMap<number, IfevalRecord>;
  readonly responses: ReadonlyMap<number, string>;
  readonly verdicts: readonly ReferenceVerdict[];
  readonly unstable: readonly UnstableLabel[];
}): Agreement {
  const skip = new Set(
    input.unstable
      .filter((label) => label.model === input.model && label.mode === input.mode)
      .map((label) => `${label.key}\u0000${label.instruction_id}`),
  );
  const byInstruction = new Map<string, { agreed: number; total: number }>();
  const disagreements: Disagreement[] = [];
  let agreed = 0;
  let total = 0;
  for (const verdict of input.verdicts) {
    const record = input.records.get(verdict.key);
    if (!record) throw new Error(`no prompt for key ${verdict.key}`);
    const ours = judge(bindInstructions(record), input.responses.get(verdict.key) ?? "", input.mode);
    const reference = input.mode === "strict" ? verdict.strict : verdict.loose;
    for (const [index, instructionId] of verdict.instruction_id_list.entries()) {
      if (skip.has(`${verdict.key}\u0000${instructionId}`)) continue;
      const same = ours[index] === reference[index];
      const counts = byInstruction.get(instructionId) ?? { agreed: 0, total: 0 };
      counts.total++;
      total++;
      if (same) {
        counts.agreed++;
        agreed++;
      } else {
        disagreements.push({
          key: verdict.key,
          index,
          instructionId,
          reference: reference[index] === true,
          ours: ours[index] === true,
        });
      }
      byInstruction.set(instructionId, counts);
    }
  }
  return { agreed, total, byInstruction, disagreements };
}
