import { countArg, stringArg } from "./kwargs.js";
import { escapeRegExp, pyStrip, pyStripChars, pyWhitespace } from "./py.js";
import type { InstructionSpec } from "./types.js";

// Python's `re.MULTILINE` `^` and `$`, without JavaScript's `m` flag (which also breaks lines at \r).
const lineStart = "(?<![^\\n])";
const lineEnd = "(?![^\\n])";
const starBullet = new RegExp(`${lineStart}[${pyWhitespace}]*\\*[^*][^\\n]*${lineEnd}`, "g");
const dashBullet = new RegExp(`${lineStart}[${pyWhitespace}]*-[^\\n]*${lineEnd}`, "g");

/** `detectable_format:number_bullet_lists`: exactly `num_bullets` lines starting with `* ` or `-`. */
export const numberBulletLists: InstructionSpec = {
  build(kwargs) {
    const expected = countArg(kwargs, "num_bullets");
    return (response) =>
      (response.match(starBullet)?.length ?? 0) + (response.match(dashBullet)?.length ?? 0) === expected;
  },
  describe: (kwargs) =>
    `Your answer must contain exactly ${countArg(kwargs, "num_bullets")} bullet points. Use the markdown bullet points such as:\n* This is point 1.\n* This is point 2`,
};

const constrainedOptions = ["My answer is yes.", "My answer is no.", "My answer is maybe."];

/** `detectable_format:constrained_response`: the response contains one of the three fixed answers. */
export const constrainedResponse: InstructionSpec = {
  build: () => (response) => {
    const stripped = pyStrip(response);
    return constrainedOptions.some((option) => stripped.includes(option));
  },
  describe: () =>
    `Answer with one of the following options: ${constrainedOptions.map((option) => `"${option}"`).join(", ")}`,
};

const singleHighlight = /\*[^\n*]*\*/g;
const doubleHighlight = /\*\*[^\n*]*\*\*/g;

/**
 * `detectable_format:number_highlighted_sections`: at least `num_highlights` non-blank `*...*` spans,
 * where each `**...**` span counts once more on its own (the reference counts both patterns).
 */
export const numberHighlightedSections: InstructionSpec = {
  build(kwargs) {
    const minimum = countArg(kwargs, "num_highlights");
    return (response) => {
      let count = 0;
      for (const [span] of response.matchAll(singleHighlight))
        if (pyStrip(pyStripChars(span, "*")) !== "") count++;
      for (const [span] of response.matchAll(doubleHighlight)) if (pyStrip(span.slice(2, -2)) !== "") count++;
      return count >= minimum;
    };
  },
  describe: (kwargs) =>
    `Highlight at least ${countArg(kwargs, "num_highlights")} sections in your answer with markdown, i.e. *highlighted section*.`,
};

/** `detectable_format:multiple_sections`: at least `num_sections` `<splitter> <number>` markers. */
export const multipleSections: InstructionSpec = {
  build(kwargs) {
    const minimum = countArg(kwargs, "num_sections");
    const space = `[${pyWhitespace}]?`;
    const marker = new RegExp(
      `${space}${escapeRegExp(pyStrip(stringArg(kwargs, "section_spliter")))}${space}\\p{Nd}+${space}`,
      "gu",
    );
    return (response) => (response.match(marker)?.length ?? 0) >= minimum;
  },
  describe: (kwargs) => {
    const splitter = pyStrip(stringArg(kwargs, "section_spliter"));
    return `Your response must have ${countArg(kwargs, "num_sections")} sections. Mark the beginning of each section with ${splitter} X, such as:\n${splitter} 1\n[content of section 1]\n${splitter} 2\n[content of section 2]`;
  },
};

const fencePrefixes = ["```json", "```Json", "```JSON", "```"];

/**
 * `detectable_format:json_format`: the stripped response, with one leading code fence (` ```json `,
 * ` ```Json `, ` ```JSON ` or ` ``` `, each removed at most once in that order) and one trailing ` ``` `
 * removed, parses as JSON.
 */
export const jsonFormat: InstructionSpec = {
  build: () => (response) => {
    let text = pyStrip(response);
    for (const prefix of fencePrefixes) if (text.startsWith(prefix)) text = text.slice(prefix.length);
    if (text.endsWith("```")) text = text.slice(0, -3);
    try {
      JSON.parse(pyStrip(text));
      return true;
    } catch {
      return false;
    }
  },
  describe: () => "Entire output should be wrapped in JSON format. You can use markdown ticks such as ```.",
};

const titlePattern = /<<[^\n]+>>/g;

/** `detectable_format:title`: some `<<...>>` on one line has non-blank text inside. */
export const title: InstructionSpec = {
  build: () => (response) => {
    for (const [span] of response.matchAll(titlePattern)) {
      if (pyStrip(span.replace(/^<+/, "").replace(/>+$/, "")) !== "") return true;
    }
    return false;
  },
  describe: () =>
    "Your answer must contain a title, wrapped in double angular brackets, such as <<poem of joy>>.",
};
