/**
 * rungs/ifeval: IFEval's 25 verifiable instructions (Zhou et al., 2023) as a rule pack whose verdicts
 * agree with the reference evaluator (google-research `instruction_following_eval`); see docs/ifeval.md.
 *
 * @module rungs/ifeval
 */
export { followInstructions, type IfevalOptions } from "./follow.js";
export { ifevalRubric } from "./ifeval-rubric.js";
export {
  type IfevalMode,
  type IfevalRecord,
  type InstructionId,
  type InstructionKwargs,
  instructionIds,
} from "./types.js";
