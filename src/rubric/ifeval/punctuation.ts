import type { InstructionSpec } from "./types.js";

/** `punctuation:no_comma`: no ASCII comma anywhere (other commas, such as `，`, are allowed). */
export const noComma: InstructionSpec = {
  build: () => (response) => !response.includes(","),
  buildPrefix: () => (prefix) => prefix.includes(","),
  foundInAnyText: true,
  describe: () => "In your entire response, refrain from the use of any commas.",
};
