import { createRequire } from "node:module";
import type { JSONParser } from "@streamparser/json";
import { firstTooDeep } from "./json-candidates.js";

/** Deepest nesting judged; deeper text is judged up to where it passes this depth. */
const maxJudgedDepth = 1_000;

/**
 * @streamparser/json, loaded the first time a streamed prefix is judged as JSON: `import("rungs")` and
 * every rubric that never streams JSON need not load it.
 */
let parser: typeof JSONParser | undefined;
function jsonParser(): typeof JSONParser {
  parser ??= (createRequire(import.meta.url)("@streamparser/json") as typeof import("@streamparser/json"))
    .JSONParser;
  return parser;
}

/**
 * Why no JSON text starts with `text`, or `undefined` when some does (or it cannot tell). `text` is the
 * start of a would-be JSON text, surrounding whitespace allowed: `{"a": [1, tr` is a JSON prefix, `{"a" 1`
 * and `{"a": 1} x` are not. One pass of an incremental JSON parser (@streamparser/json), so O(text.length).
 *
 * Sound for a rule's `checkPrefix`: the parser is at most as strict as `JSON.parse` on the prefix of a
 * valid JSON text (a property test feeds it every prefix of random JSON), so an error here means every
 * text starting with `text` fails `JSON.parse`.
 */
export function jsonPrefixError(text: string): string | undefined {
  // The parser keeps an object per open level, and past some hundred thousand levels its time grows faster
  // than the text: judge only up to where the nesting passes a depth no real answer reaches (a prefix of a
  // prefix that cannot start JSON shows that the whole cannot either).
  const tooDeep = firstTooDeep(text, 0, text.length, maxJudgedDepth);
  const judged = tooDeep < 0 ? text : text.slice(0, tooDeep);
  const Parser = jsonParser();
  const instance = new Parser();
  let failure: unknown;
  instance.onError = (error: Error) => {
    failure ??= error;
  };
  instance.onValue = () => {};
  try {
    instance.write(judged);
  } catch (error) {
    failure ??= error;
  }
  if (failure === undefined) return undefined;
  const message = failure instanceof Error ? failure.message : String(failure);
  // The parser's words name its internal states and byte offsets in two ways; keep what the model can use.
  return message
    .replace(/ at chunk position "\d+" \(absolute position "(\d+)"\)/, " at UTF-8 byte $1")
    .replace(/ in state [A-Z0-9_]+$/, "");
}
