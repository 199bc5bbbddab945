/** Where a candidate JSON text was found in an answer. */
export type JsonCandidateSource = "whole" | "fence" | "prose";

/** A span of the answer that may hold a JSON value: `text.slice(start, end)`, trimmed of whitespace. */
export interface JsonCandidate {
  start: number;
  end: number;
  source: JsonCandidateSource;
}

/** What {@link findJsonCandidates} looks at. */
export interface FindJsonOptions {
  /** Look in Markdown code fences (```json first, then other fences, in order). */
  fences: boolean;
  /** Look for balanced `{...}` / `[...]` spans in prose. */
  prose: boolean;
  /** Most candidates returned, the whole answer included. */
  maxCandidates: number;
}

/** Counts the characters the finder visits, so a test can check the work is linear in the answer. */
export interface WorkMeter {
  steps: number;
}

const openBrace = 123; // {
const closeBrace = 125; // }
const openBracket = 91; // [
const closeBracket = 93; // ]
const quote = 34; // "
const backslash = 92;
const newline = 10;
const carriageReturn = 13;
const backtick = 96;
const tilde = 126;
const space = 32;

interface Span {
  start: number;
  end: number;
}

function isSpace(code: number): boolean {
  return code === space || code === 9 || code === newline || code === carriageReturn || code === 12;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) if (!isSpace(text.charCodeAt(i))) return false;
  return true;
}

/** `[start, end)` without leading and trailing whitespace; empty when only whitespace. */
function trimmed(text: string, start: number, end: number): Span {
  let s = start;
  let e = end;
  while (s < e && isSpace(text.charCodeAt(s))) s += 1;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e -= 1;
  return { start: s, end: e };
}

/**
 * The spans of `text` that may hold the JSON of an answer, best first: the whole answer; then the body of
 * each Markdown code fence (```json / ~~~json fences first, then the others; an unclosed fence runs to the
 * end); then the longest balanced `{...}` / `[...]` spans in prose. Duplicates are dropped; at most
 * `maxCandidates` are returned.
 *
 * Linear in `text.length` whatever it holds (unclosed fences, a megabyte of `{` or `"`): the fences are
 * found in one pass over lines, the prose spans in one stack-based pass (see {@link proseSpans}), and no
 * position is scanned twice. Never throws.
 */
export function findJsonCandidates(
  text: string,
  options: FindJsonOptions,
  meter?: WorkMeter,
): JsonCandidate[] {
  const out: JsonCandidate[] = [];
  const max = Math.max(0, Math.floor(options.maxCandidates));
  const add = (start: number, end: number, source: JsonCandidateSource) => {
    if (out.length >= max) return;
    const span = trimmed(text, start, end);
    if (span.start === span.end) return;
    for (const c of out) if (c.start === span.start && c.end === span.end) return;
    out.push({ ...span, source });
  };
  add(0, text.length, "whole");
  if (options.fences && out.length < max) {
    const fenced = fences(text, max, meter);
    for (const f of fenced) if (f.json) add(f.start, f.end, "fence");
    for (const f of fenced) if (!f.json) add(f.start, f.end, "fence");
  }
  if (options.prose && out.length < max) {
    for (const span of proseSpans(text, max, meter)) add(span.start, span.end, "prose");
  }
  return out;
}

interface Fence extends Span {
  /** The info string's first word is `json` (or `jsonc`, `json5`...). */
  json: boolean;
}

/** A fence line: up to 3 spaces, then 3 or more backticks or tildes. */
function fenceRun(
  text: string,
  from: number,
  to: number,
): { code: number; length: number; after: number } | undefined {
  let i = from;
  while (i < to && i - from < 3 && text.charCodeAt(i) === space) i += 1;
  const code = text.charCodeAt(i);
  if (i >= to || (code !== backtick && code !== tilde)) return undefined;
  let j = i;
  while (j < to && text.charCodeAt(j) === code) j += 1;
  return j - i >= 3 ? { code, length: j - i, after: j } : undefined;
}

/**
 * The bodies of the first `max` Markdown code fences, in one pass over the lines of `text`: a fence opens on
 * a line of 3+ backticks or tildes and closes on a line of at least as many of the same character and
 * nothing else. An unclosed fence (the answer stopped inside it) runs to the end.
 */
function fences(text: string, max: number, meter: WorkMeter | undefined): Fence[] {
  const out: Fence[] = [];
  let open: { code: number; length: number; bodyStart: number; json: boolean } | undefined;
  let pos = 0;
  while (pos <= text.length && out.length < max) {
    let lineEnd = text.indexOf("\n", pos);
    if (lineEnd < 0) lineEnd = text.length;
    if (meter !== undefined) meter.steps += lineEnd - pos + 1;
    const run = fenceRun(text, pos, lineEnd);
    if (open === undefined) {
      if (run !== undefined) {
        const info = text.slice(run.after, lineEnd).trim().toLowerCase();
        open = { code: run.code, length: run.length, bodyStart: lineEnd + 1, json: info.startsWith("json") };
      }
    } else if (
      run !== undefined &&
      run.code === open.code &&
      run.length >= open.length &&
      isBlank(text, run.after, lineEnd)
    ) {
      out.push({ start: Math.min(open.bodyStart, pos), end: pos, json: open.json });
      open = undefined;
    }
    pos = lineEnd + 1;
  }
  if (open !== undefined && out.length < max && open.bodyStart <= text.length) {
    out.push({ start: open.bodyStart, end: text.length, json: open.json });
  }
  return out;
}

/**
 * The `max` longest maximal balanced `{...}` / `[...]` spans of `text`, longest first (ties: the earlier), in
 * ONE pass.
 *
 * A stack holds the open brackets; a closing bracket that matches the top pops it and records the closed
 * span, dropping the spans recorded inside it (they are the most recent ones, so this is amortised O(1)).
 * Inside an open span, JSON strings are skipped with their escapes. Where no open span can be JSON (a
 * mismatched closing bracket, a raw line break inside a "string"), the open brackets are forgotten and
 * scanning goes on from there, never back from an abandoned bracket: `{ stray brace … {"a": 1}` still
 * yields `{"a": 1}`. Linear in `text.length` on any input; then the `max` longest are picked.
 */
export function proseSpans(text: string, max: number, meter?: WorkMeter): Span[] {
  if (max <= 0) return [];
  const opens: number[] = [];
  // Closed spans not inside another closed span, in text order (they never overlap).
  const starts: number[] = [];
  const ends: number[] = [];
  let dropped = 0;
  let inString = false;
  let i = 0;
  for (; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === backslash) i += 1;
      else if (c === quote) inString = false;
      else if (c === newline || c === carriageReturn) {
        // JSON strings hold no raw line break: that quote was prose, so no open span here is JSON.
        inString = false;
        opens.length = 0;
      }
      continue;
    }
    if (c === openBrace || c === openBracket) opens.push(i);
    else if (opens.length > 0) {
      if (c === quote) inString = true;
      else if (c === closeBrace || c === closeBracket) {
        const start = opens[opens.length - 1]!;
        if ((c === closeBrace) === (text.charCodeAt(start) === openBrace)) {
          opens.pop();
          while (starts.length > 0 && starts[starts.length - 1]! > start) {
            starts.pop();
            ends.pop();
            dropped += 1;
          }
          starts.push(start);
          ends.push(i + 1);
        } else {
          opens.length = 0;
        }
      }
    }
  }
  // The `max` longest, by one scan keeping the current shortest of them.
  const best: Span[] = [];
  let shortest = 0;
  let work = i + dropped + starts.length;
  const lengthOf = (span: Span) => span.end - span.start;
  for (let k = 0; k < starts.length; k += 1) {
    const span = { start: starts[k]!, end: ends[k]! };
    if (best.length < max) best.push(span);
    else if (lengthOf(span) > lengthOf(best[shortest]!)) best[shortest] = span;
    else continue;
    if (best.length < max) continue;
    shortest = 0;
    for (let j = 1; j < best.length; j += 1) {
      const a = best[j]!;
      const b = best[shortest]!;
      if (lengthOf(a) < lengthOf(b) || (lengthOf(a) === lengthOf(b) && a.start > b.start)) shortest = j;
    }
    work += best.length;
  }
  if (meter !== undefined) meter.steps += work;
  return best.sort((a, b) => lengthOf(b) - lengthOf(a) || a.start - b.start);
}

/**
 * True when the JSON text `text.slice(start, end)` nests deeper than `maxDepth` (outside strings): V8's
 * `JSON.parse` slows sharply on deep nesting (about 0.6 s for 800 000 `[`), so such a candidate is skipped
 * before parsing. One pass, stopping at the first level too deep.
 */
export function nestsDeeperThan(text: string, start: number, end: number, maxDepth: number): boolean {
  return firstTooDeep(text, start, end, maxDepth) >= 0;
}

/**
 * Where the JSON text `text.slice(start, end)` first opens a level deeper than `maxDepth` (outside strings):
 * the index of that `{` or `[`, or -1 when it never does. One pass, stopping there.
 */
export function firstTooDeep(text: string, start: number, end: number, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === backslash) i += 1;
      else if (c === quote) inString = false;
    } else if (c === quote) inString = true;
    else if (c === openBrace || c === openBracket) {
      depth += 1;
      if (depth > maxDepth) return i;
    } else if (c === closeBrace || c === closeBracket) depth -= 1;
  }
  return -1;
}
