/**
 * The part of a streamed prefix whose characters are final: all of it, less a last UTF-16 unit that opens a
 * surrogate pair (with the rest of the pair it becomes another character, maybe a letter). A check that
 * only ever grows as text is appended (a count, a character found) may judge this part as settled.
 */
export function settledPart(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? prefix.slice(0, -1) : prefix;
}

/**
 * The complete lines of `prefix` past its first (from after the first `\n` to the last `\n`), or "" when
 * there are none. Every text loose mode tries for a response starting with `prefix` contains them: it drops
 * at most the first line and the last one (which starts after the prefix's last `\n` at the earliest),
 * strips whitespace at the ends and removes `*`.
 */
export function middleLines(prefix: string): string {
  const first = prefix.indexOf("\n");
  const last = prefix.lastIndexOf("\n");
  return first < 0 || last <= first ? "" : prefix.slice(first + 1, last);
}

/**
 * The pieces of `text.split(divider)` that no continuation can change: those before the last divider match
 * that starts at least `width` units before the text's end (`width`: the longest match). Whether a match
 * starts at a position, and how far it runs, depends only on the `width` characters from there, so every
 * such match is found, the same, in every longer text, and so are the pieces between them. `divider` must
 * be global and never match the empty string.
 */
export function settledPieces(text: string, divider: RegExp, width: number): string[] {
  const pieces: string[] = [];
  let from = 0;
  divider.lastIndex = 0;
  for (let match = divider.exec(text); match !== null; match = divider.exec(text)) {
    if (match.index > text.length - width) break;
    pieces.push(text.slice(from, match.index));
    from = match.index + match[0].length;
  }
  return pieces;
}
