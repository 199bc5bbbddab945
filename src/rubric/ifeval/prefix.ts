/**
 * The part of a streamed prefix whose characters are final: all of it, less a last UTF-16 unit that opens a
 * surrogate pair (with the rest of the pair it becomes another character, maybe a letter). A check that
 * only ever grows as text is appended (a count, a character found) may judge this part as settled.
 */
export function settledPart(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? prefix.slice(0, -1) : prefix;
}
