// Text from outside (model ids, answers, error messages, stored task ids) reaches a terminal through the
// console reporter and the CLI. A raw ESC can move the cursor, clear the screen, retitle the window or
// hide text; bidirectional overrides can make text read in another order. Both are shown escaped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this file's job.
const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, with line breaks and tabs.
const unsafeOrBreak = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

const escaped = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * `text` safe to print on a terminal: control characters (ESC, BEL, CR, backspace, C1 controls) and
 * bidirectional overrides are written as `\uXXXX`; newlines and tabs are kept unless `singleLine`, where
 * they are escaped too (a table cell, a one-line message).
 */
export function terminalText(text: string, options: { singleLine?: boolean } = {}): string {
  return text.replace(options.singleLine === true ? unsafeOrBreak : unsafe, escaped);
}
