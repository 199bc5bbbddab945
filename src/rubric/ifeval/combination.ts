import { stringArg } from "./kwargs.js";
import { pyStrip } from "./py.js";
import type { InstructionSpec } from "./types.js";

/**
 * `combination:two_responses`: split on `******`, exactly two non-blank pieces that differ once
 * stripped; a blank piece is allowed only first or last.
 */
export const twoResponses: InstructionSpec = {
  build: () => (response) => {
    const pieces = response.split("******");
    const answers: string[] = [];
    for (const [index, piece] of pieces.entries()) {
      if (pyStrip(piece) !== "") answers.push(pyStrip(piece));
      else if (index !== 0 && index !== pieces.length - 1) return false;
    }
    return answers.length === 2 && answers[0] !== answers[1];
  },
  describe: () =>
    "Give two different responses. Responses and only responses should be separated by 6 asterisk symbols: ******.",
};

/** `combination:repeat_prompt`: the stripped response starts with `prompt_to_repeat`, ignoring case. */
export const repeatPrompt: InstructionSpec = {
  build(kwargs) {
    const prompt = pyStrip(stringArg(kwargs, "prompt_to_repeat")).toLowerCase();
    return (response) => pyStrip(response).toLowerCase().startsWith(prompt);
  },
  describe: (kwargs) =>
    `First repeat the request word for word without change, then give your answer (do not say anything before repeating the request). The request: "${stringArg(kwargs, "prompt_to_repeat")}"`,
};
