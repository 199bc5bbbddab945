import { segmentStarts } from "../primitives/segment-starts.js";

/** The one marker rungs puts where it cut a text short. */
export const capMarker = "…";

/** How far back from a cut a known grapheme boundary is looked for before segmenting from the start. */
const anchorSearchChars = 4_096;
/** Text past the cut the segmenter is shown, so the boundary at the cut sees the character after it. */
const lookaheadChars = 64;

// Made on first use: the first Intl.Segmenter loads ICU's break rules, and most texts are never cut.
let graphemes: Intl.Segmenter | undefined;

/**
 * `text` in at most `max` characters (UTF-16 code units): unchanged when it fits, else cut at the last
 * grapheme boundary that leaves room for {@link capMarker} and ended with it. A cut never splits a surrogate
 * pair or a grapheme (an emoji with its modifiers, a letter with its accents, a flag); a cut that keeps nothing
 * of the text is the marker alone.
 * @param max Most characters of the result, marker included; at least 1.
 * @throws RangeError when `max` is not an integer of at least 1.
 */
export function capText(text: string, max: number): string {
  if (!Number.isInteger(max) || max < capMarker.length)
    throw new RangeError(`capText: max must be an integer of at least ${capMarker.length} (got ${max}).`);
  if (text.length <= max) return text;
  return `${text.slice(0, graphemeBoundaryAtOrBefore(text, max - capMarker.length))}${capMarker}`;
}

/** `text` with every run of whitespace made one space and trimmed, then {@link capText}: a one-line excerpt. */
export function capLine(text: string, max: number): string {
  return capText(text.replace(/\s+/g, " ").trim(), max);
}

/**
 * The last grapheme boundary of `text` at or before `index` (0 and `text.length` are boundaries).
 *
 * V8's `Intl.Segmenter` takes time that grows with the square of its input, so the segmenter sees only the
 * stretch from a boundary known without it (found by looking back at most {@link anchorSearchChars} from
 * `index`) to just past `index`; with none in reach it walks from the start in windows (`segmentStarts`),
 * which stays linear.
 */
export function graphemeBoundaryAtOrBefore(text: string, index: number): number {
  if (index >= text.length) return text.length;
  if (index <= 0) return 0;
  const from = knownBoundaryAtOrBefore(text, index);
  if (from === index) return index;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let best = from;
  const stretch = text.slice(from, Math.min(text.length, index + lookaheadChars));
  for (const start of segmentStarts(graphemes, stretch)) {
    if (from + start > index) break;
    best = from + start;
  }
  return best;
}

/**
 * A position at or before `index` (and at most {@link anchorSearchChars} before it) that the grapheme rules
 * make a boundary whatever surrounds it, or 0: after a line feed (GB4), before a line feed or carriage
 * return not preceded by a carriage return (GB3, GB5), or between two printable ASCII characters, which no
 * rule joins (GB999).
 */
function knownBoundaryAtOrBefore(text: string, index: number): number {
  const stop = Math.max(1, index - anchorSearchChars);
  for (let at = index; at >= stop; at -= 1) {
    const before = text.charCodeAt(at - 1);
    const after = text.charCodeAt(at);
    if (before === 0x0a || (before === 0x0d && after !== 0x0a)) return at;
    if ((after === 0x0a || after === 0x0d) && before !== 0x0d) return at;
    if (before >= 0x20 && before <= 0x7e && after >= 0x20 && after <= 0x7e) return at;
  }
  return 0;
}
