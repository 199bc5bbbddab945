import { nestsDeeperThan } from "../json-candidates.js";
import { jsonPrefixError } from "../json-prefix.js";
import { countArg, stringArg } from "./kwargs.js";
import { settledPart } from "./prefix.js";
import { escapeRegExp, isPyWhitespaceCode, pyStrip, pyStripChars, pyWhitespace } from "./py.js";
import type { InstructionSpec } from "./types.js";

/**
 * How many matches Python's `re.findall(r"^\s*\*[^\*].*$", text, re.MULTILINE)` (star) or
 * `r"^\s*-.*$"` (dash) finds, in one pass. A regex would retry `\s*` from every line start inside a
 * run of blank lines (quadratic on a long run of newlines). `\s*` crosses newlines and backtracking it
 * can never reach a `*` or `-`, so a line start matches exactly when the first non-space character
 * after it is the bullet (for a star, followed by any character but `*`); the match then runs to the
 * end of the line after that.
 */
export function countBullets(text: string, bullet: "*" | "-"): number {
  let count = 0;
  let runEnd = -1; // the first non-whitespace index at or after the last line start looked at
  let position = 0;
  while (position <= text.length) {
    if (position === 0 || text.charCodeAt(position - 1) === 10) {
      if (runEnd < position) {
        runEnd = position;
        while (runEnd < text.length && isPyWhitespaceCode(text.charCodeAt(runEnd))) runEnd++;
      }
      const found = text[runEnd] === bullet;
      const bodyStart = bullet === "*" ? runEnd + 1 : runEnd;
      if (found && (bullet === "-" || (bodyStart < text.length && text[bodyStart] !== "*"))) {
        count++;
        const lineEnd = text.indexOf("\n", bodyStart + 1);
        if (lineEnd === -1) break;
        position = lineEnd;
        runEnd = -1;
        continue;
      }
    }
    const next = text.indexOf("\n", position);
    if (next === -1) break;
    position = next + 1;
  }
  return count;
}

/** `detectable_format:number_bullet_lists`: exactly `num_bullets` lines starting with `* ` or `-`. */
export const numberBulletLists: InstructionSpec = {
  build(kwargs) {
    const expected = countArg(kwargs, "num_bullets");
    return (response) => countBullets(response, "*") + countBullets(response, "-") === expected;
  },
  buildPrefix(kwargs) {
    // A bullet counted in a prefix is counted in every longer text (its line start and the characters that
    // make it one are written), so more than `num_bullets` already is too many for good.
    const expected = countArg(kwargs, "num_bullets");
    return (prefix) => {
      const settled = settledPart(prefix);
      return countBullets(settled, "*") + countBullets(settled, "-") > expected;
    };
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
/** Deepest nesting `json_format` parses: Python's default recursion limit, where the reference fails too. */
const maxJsonDepth = 1_000;

export const jsonFormat: InstructionSpec = {
  build: () => (response) => {
    let text = pyStrip(response);
    for (const prefix of fencePrefixes) if (text.startsWith(prefix)) text = text.slice(prefix.length);
    if (text.endsWith("```")) text = text.slice(0, -3);
    const json = pyStrip(text);
    // V8's JSON.parse slows sharply past a few hundred thousand levels; Python's json.loads (the reference)
    // cannot go past its recursion limit of 1,000 at all. Deeper text is not JSON here either.
    if (nestsDeeperThan(json, 0, json.length, maxJsonDepth)) return false;
    try {
      JSON.parse(json);
      return true;
    } catch {
      return false;
    }
  },
  buildPrefix: () => (prefix) => jsonFormatPrefixBroken(prefix),
  describe: () => "Entire output should be wrapped in JSON format. You can use markdown ticks such as ```.",
};

/**
 * True when no response starting with `prefix` passes `json_format`. The stripped prefix starts the
 * stripped response; once it settles which fence prefixes are removed, what follows them, less trailing
 * backticks (maybe the closing ` ``` `) and whitespace, starts the JSON text, so it must start one and
 * not already nest too deep.
 */
function jsonFormatPrefixBroken(prefix: string): boolean {
  let text = pyStrip(prefix);
  if (text === "") return false;
  for (const fence of fencePrefixes) {
    if (text.startsWith(fence)) text = text.slice(fence.length);
    else if (fence.startsWith(text)) return false; // too short yet to know whether it is removed
  }
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 96 || isPyWhitespaceCode(text.charCodeAt(end - 1)))) end--;
  const json = pyStrip(text.slice(0, end));
  if (json === "") return false;
  if (nestsDeeperThan(json, 0, json.length, maxJsonDepth)) return true;
  return jsonPrefixError(json) !== undefined;
}

/**
 * The spans Python's `re.findall(r"<<[^\n]+>>", text)` finds, in one pass: on each line, from the
 * first `<<` to the last `>>` that leaves at least one character between (greedy, so at most one per
 * line). The regex itself retries from every `<` of a line with no `>>` (quadratic on `<<<<…`).
 */
export function titleSpans(text: string): string[] {
  const spans: string[] = [];
  let open = text.indexOf("<<");
  while (open !== -1) {
    const newline = text.indexOf("\n", open);
    const lineEnd = newline === -1 ? text.length : newline;
    // The last `>>` of the line, looked for from the line's end back to the first place it may close.
    let close = lineEnd - 2;
    while (close >= open + 3 && !(text[close] === ">" && text[close + 1] === ">")) close--;
    if (close >= open + 3) spans.push(text.slice(open, close + 2));
    if (newline === -1) break;
    open = text.indexOf("<<", newline + 1);
  }
  return spans;
}

/** `detectable_format:title`: some `<<...>>` on one line has non-blank text inside. */
export const title: InstructionSpec = {
  build: () => (response) => {
    for (const span of titleSpans(response)) {
      let start = 0;
      let end = span.length;
      while (start < end && span[start] === "<") start++;
      while (end > start && span[end - 1] === ">") end--;
      if (pyStrip(span.slice(start, end)) !== "") return true;
    }
    return false;
  },
  describe: () =>
    "Your answer must contain a title, wrapped in double angular brackets, such as <<poem of joy>>.",
};
