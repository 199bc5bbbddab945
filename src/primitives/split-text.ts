import { segmentStarts } from "./segment-starts.js";

/** Measures a piece of text in the budget's unit (characters by default, or tokens). */
export type Measure = (text: string) => number;

type Span = readonly [start: number, end: number];
type Level = "paragraph" | "sentence" | "word" | "grapheme";
const levels: readonly Level[] = ["paragraph", "sentence", "word", "grapheme"];

// Made on first use: the first Intl.Segmenter loads ICU's break rules (about 17 ms), which
// `import("rungs")` must not pay for a split that may never happen.
let segmenters: { sentence: Intl.Segmenter; grapheme: Intl.Segmenter } | undefined;
const segmenterOf = (granularity: "sentence" | "grapheme"): Intl.Segmenter => {
  segmenters ??= {
    sentence: new Intl.Segmenter(undefined, { granularity: "sentence" }),
    grapheme: new Intl.Segmenter(undefined, { granularity: "grapheme" }),
  };
  return segmenters[granularity];
};

/**
 * Splits `text` into pieces that each measure at most `budget`, on the most natural boundary that works:
 * paragraphs (a blank line), then sentences (`Intl.Segmenter`), then words (whitespace), and only inside
 * a word when that word alone exceeds the budget (then on grapheme boundaries, so no character or emoji
 * is torn). Neighbouring units are packed greedily into as few pieces as fit.
 *
 * Pieces are slices of `text` with their outer whitespace trimmed; whitespace inside a piece is kept, so
 * joining the pieces loses no word. A single grapheme that alone exceeds the budget (a token budget
 * smaller than one character's tokens) is returned alone, over budget: it cannot be split further.
 *
 * @param budget most units per piece (> 0).
 * @param measure the unit: `text.length` (characters) by default, or a tokenizer's count. Pieces are
 *   measured whole, so a measure that is not additive (tokens) is still respected.
 * @example splitText("One. Two.\n\nThree.", 10) // ["One. Two.", "Three."]
 */
export function splitText(text: string, budget: number, measure: Measure = (s) => s.length): string[] {
  const pieces: string[] = [];
  const whole = trimSpan(text, [0, text.length]);
  if (whole !== undefined) splitSpan(text, whole, 0, budget, measure, pieces);
  return pieces;
}

function splitSpan(
  text: string,
  span: Span,
  levelIndex: number,
  budget: number,
  measure: Measure,
  out: string[],
): void {
  const slice = text.slice(span[0], span[1]);
  const level = levels[levelIndex];
  if (level === undefined || measure(slice) <= budget) {
    out.push(slice);
    return;
  }
  const units = unitsOf(text, span, level);
  if (units.length <= 1) {
    splitSpan(text, span, levelIndex + 1, budget, measure, out);
    return;
  }
  const fits = (from: number, to: number) => measure(text.slice(units[from]![0], units[to]![1])) <= budget;
  for (const range of packRanges(units.length, fits)) {
    if (range.fits) out.push(text.slice(units[range.from]![0], units[range.to]![1]));
    else splitSpan(text, units[range.from]!, levelIndex + 1, budget, measure, out);
  }
}

/** A run of consecutive units, `from`..`to` inclusive; `fits: false` marks one unit too big alone. */
export interface PackedRange {
  from: number;
  to: number;
  fits: boolean;
}

/**
 * Packs `count` consecutive units greedily into the fewest runs for which `fits(from, to)` holds. A unit
 * that does not fit alone becomes its own run with `fits: false`, for the caller to split further.
 * Gallops then binary-searches for each run's end: O(log n) calls of `fits` per run, which matters when
 * `fits` runs a tokenizer. Every run returned with `fits: true` was checked.
 */
export function packRanges(count: number, fits: (from: number, to: number) => boolean): PackedRange[] {
  const ranges: PackedRange[] = [];
  let i = 0;
  while (i < count) {
    if (!fits(i, i)) {
      ranges.push({ from: i, to: i, fits: false });
      i += 1;
      continue;
    }
    let good = i;
    let step = 1;
    while (good + step < count && fits(i, good + step)) {
      good += step;
      step *= 2;
    }
    let low = good + 1;
    let high = Math.min(good + step, count) - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (fits(i, middle)) {
        good = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    ranges.push({ from: i, to: good, fits: true });
    i = good + 1;
  }
  return ranges;
}

/** The non-empty, trimmed units of `span` at one level, as spans of `text`. */
function unitsOf(text: string, span: Span, level: Level): Span[] {
  const [start, end] = span;
  const slice = text.slice(start, end);
  const units: Span[] = [];
  const push = (from: number, to: number) => {
    const trimmed = trimSpan(text, [start + from, start + to]);
    if (trimmed !== undefined) units.push(trimmed);
  };
  if (level === "paragraph" || level === "word") {
    const separator = level === "paragraph" ? /\n[^\S\n]*\n\s*/g : /\s+/g;
    let from = 0;
    for (const match of slice.matchAll(separator)) {
      push(from, match.index);
      from = match.index + match[0].length;
    }
    push(from, slice.length);
  } else if (level === "sentence") {
    // Keep only sentence breaks at whitespace: "word?Next" is one word, and a piece never ends mid-word.
    let from = 0;
    for (const index of segmentStarts(segmenterOf("sentence"), slice)) {
      if (/\s/.test(slice[index - 1]!) || /\s/.test(slice[index]!)) {
        push(from, index);
        from = index;
      }
    }
    push(from, slice.length);
  } else {
    let from = 0;
    for (const index of segmentStarts(segmenterOf("grapheme"), slice)) {
      push(from, index);
      from = index;
    }
    push(from, slice.length);
  }
  return units;
}

function trimSpan(text: string, [start, end]: Span): Span | undefined {
  let from = start;
  let to = end;
  while (from < to && /\s/.test(text[from]!)) from += 1;
  while (to > from && /\s/.test(text[to - 1]!)) to -= 1;
  return from < to ? [from, to] : undefined;
}
