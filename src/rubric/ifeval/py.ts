// Python string semantics the reference evaluator relies on (str.strip, str.split, str.isupper, the
// Unicode classes of `re`), which differ from JavaScript's in small ways that flip verdicts at edges.

/** Python's `str.isspace()` set (and `re`'s `\s` for str patterns), as a character-class body. */
export const pyWhitespace =
  "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
/** Python's `\w` for str patterns: letters, numbers and the underscore (no combining marks). */
export const pyWordChar = "[\\p{L}\\p{N}_]";

const whitespaceChar = new RegExp(`[${pyWhitespace}]`);
const whitespaceRun = new RegExp(`[${pyWhitespace}]+`);

/** True when the UTF-16 unit `code` is Python whitespace (every member of the set is one unit). */
export function isPyWhitespaceCode(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    (code >= 0x1c && code <= 0x20) ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** True when `char` is whitespace for Python (JavaScript's `\s` also counts U+FEFF, Python does not). */
export function isPyWhitespace(char: string): boolean {
  return whitespaceChar.test(char);
}

/**
 * Python `s.strip()` (no argument): strips Python whitespace. A loop, not `/\s+$/`: a backtracking
 * engine retries that pattern from every whitespace character, quadratic on a long run of spaces.
 */
export function pyStrip(text: string): string {
  return text.slice(0, pyRstripEnd(text)).slice(pyLstripStart(text));
}

/** Where Python's `lstrip()` would start `text`. */
export function pyLstripStart(text: string): number {
  let start = 0;
  while (start < text.length && isPyWhitespaceCode(text.charCodeAt(start))) start++;
  return start;
}

/** Where Python's `rstrip()` would end `text`. */
export function pyRstripEnd(text: string): number {
  let end = text.length;
  while (end > 0 && isPyWhitespaceCode(text.charCodeAt(end - 1))) end--;
  return end;
}

/** Python `s.strip(chars)`: strips any of `chars` from both ends. */
export function pyStripChars(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start] as string)) start++;
  while (end > start && chars.includes(text[end - 1] as string)) end--;
  return text.slice(start, end);
}

/** Python `s.split()` (no argument): splits on runs of whitespace, dropping empty ends. */
export function pySplit(text: string): string[] {
  const stripped = pyStrip(text);
  return stripped === "" ? [] : stripped.split(whitespaceRun);
}

const cased = /[\p{Lowercase}\p{Uppercase}\p{Lt}]/u;
const notUpper = /[\p{Lowercase}\p{Lt}]/u;
const notLower = /[\p{Uppercase}\p{Lt}]/u;

/** Python `s.isupper()`: at least one cased character, and every cased one upper case. */
export function pyIsUpper(text: string): boolean {
  return cased.test(text) && !notUpper.test(text);
}

/** Python `s.islower()`: at least one cased character, and every cased one lower case. */
export function pyIsLower(text: string): boolean {
  return cased.test(text) && !notLower.test(text);
}

/** True when `text` holds a lower-case or title-case letter (so no text containing it is `isupper()`). */
export function hasNonUpper(text: string): boolean {
  return notUpper.test(text);
}

/** True when `text` holds an upper-case or title-case letter (so no text containing it is `islower()`). */
export function hasNonLower(text: string): boolean {
  return notLower.test(text);
}

/** Escapes `text` for use as a literal inside a `u`-flag regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/** `"less than"` → count < n; anything else (the reference's `"at least"`) → count ≥ n. */
export function compare(count: number, relation: string, threshold: number): boolean {
  return relation === "less than" ? count < threshold : count >= threshold;
}
