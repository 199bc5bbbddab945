import { stringArg } from "./kwargs.js";
import { settledPart, settledPieces } from "./prefix.js";
import { pyLstripStart, pyStrip } from "./py.js";
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
  // Settled pieces are followed by at least one more: a blank one past the first stays a blank middle
  // piece; three answers, or two equal ones, stay too many or the same.
  buildPrefix: () => (prefix) => {
    const pieces = settledPieces(prefix, /\*{6}/g, 6);
    if (pieces.some((piece, index) => index > 0 && pyStrip(piece) === "")) return true;
    const answers = pieces.map(pyStrip).filter((piece) => piece !== "");
    return answers.length > 2 || (answers.length === 2 && answers[0] === answers[1]);
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
  buildPrefix(kwargs) {
    const prompt = pyStrip(stringArg(kwargs, "prompt_to_repeat")).toLowerCase();
    return (prefix) => {
      // The response, stripped and lower-cased, starts with this part of the prefix lower-cased: lower-
      // casing is per character except for sigma (its final form depends on what follows), so the part
      // stops before the first one, and before a surrogate pair's unfinished first half.
      let part = settledPart(prefix.slice(pyLstripStart(prefix)));
      const sigma = part.indexOf("Σ");
      if (sigma >= 0) part = part.slice(0, sigma);
      const lowered = part.toLowerCase();
      const common = Math.min(lowered.length, prompt.length);
      return lowered.slice(0, common) !== prompt.slice(0, common);
    };
  },
  describe: (kwargs) =>
    `First repeat the request word for word without change, then give your answer (do not say anything before repeating the request). The request: "${stringArg(kwargs, "prompt_to_repeat")}"`,
};
