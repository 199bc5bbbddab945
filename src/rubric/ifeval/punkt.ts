// Sentence counting as the reference does it: NLTK's Punkt sentence tokenizer (Kiss & Strunk, 2006)
// with the pre-trained English parameters, re-implemented from the algorithm: candidate breaks are `.`,
// `?`, `!` followed by punctuation or by whitespace and a token; each is confirmed by annotating the
// word before and the token after (abbreviation, initial, number, collocation, orthographic and
// sentence-starter heuristics). Newlines alone never end a sentence.
import { abbreviationTypes, collocations, sentenceStarters } from "./punkt-english.js";
import { pyRstripEnd, pyStrip, pyWhitespace } from "./py.js";

const ws = pyWhitespace;
// Characters that end a word token and are a token of their own (the period excepted).
const nonWord = `[)";}\\]*:@'({\\[?!]`;
const multiChar = `(?:-{2,}|\\.{2,}|(?:\\.[${ws}]){2,}\\.)`;
const wordStart = `[^("\`{\\[:;&#*@)}\\]\\-,]`;
const wordToken = new RegExp(
  `${multiChar}|(?=${wordStart})[^${ws}]+?(?=[${ws}]|$|${nonWord}|${multiChar}|,(?=$|[${ws}]|${nonWord}|${multiChar}))|[^${ws}]`,
  "g",
);
const periodContext = new RegExp(`[.?!](?=(${nonWord}|[${ws}]+([^${ws}]+)))`, "g");
const boundaryRealignment = new RegExp(`^["')\\]}]+?(?:[${ws}]+|(?=--)|(?=\\n)|$)`);
const numeric = /^-?[.,]?\p{Nd}[\p{Nd},.-]*\.?$/u;
const initial = /^[\p{L}\p{Nl}\p{No}_]\.$/u;
const ellipsis = /^\.\.+$/;
const upperFirst = /^\p{Uppercase}/u;
const lowerFirst = /^\p{Lowercase}/u;
// Python's string.whitespace, which NLTK uses to find the word before a candidate break.
const asciiWhitespace = " \t\n\r\v\f";

const orthoBeginUpper = 1 << 1;
const orthoMiddleUpper = 1 << 2;
const orthoBeginLower = 1 << 4;
const orthoMiddleLower = 1 << 5;
const orthoUpper = orthoBeginUpper | orthoMiddleUpper | (1 << 3);
const orthoLower = orthoBeginLower | orthoMiddleLower | (1 << 6);

// Stand-in for the model's orthographic table: frequent words (and the words chat answers often open
// a sentence with) are known in both cases; any other type is unknown (0), as the model says of words it
// never saw. Only initials, numbers and abbreviations followed by such a word consult it.
const frequentWords = new Set(
  (
    "a an and are as at be by can do for from has have her here his how its let let's not of on or our " +
    "please remember that their then to was we were what which who why will with you your my me us them " +
    "one two first next finally also after before each every all other another new more no yes now only " +
    "just very overall additionally note"
  ).split(" "),
);
function orthoContext(type: string): number {
  return frequentWords.has(type) || sentenceStarters.has(type) ? orthoUpper | orthoLower : 0;
}

interface Token {
  readonly tok: string;
  readonly type: string;
  readonly periodFinal: boolean;
  sentbreak: boolean;
  abbr: boolean;
  ellipsis: boolean;
}

function makeToken(tok: string): Token {
  const lower = tok.toLowerCase();
  return {
    tok,
    type: numeric.test(lower) ? "##number##" : lower,
    periodFinal: tok.endsWith("."),
    sentbreak: false,
    abbr: false,
    ellipsis: false,
  };
}

const typeNoPeriod = (token: Token) =>
  token.type.length > 1 && token.type.endsWith(".") ? token.type.slice(0, -1) : token.type;
const typeNoSentPeriod = (token: Token) => (token.sentbreak ? typeNoPeriod(token) : token.type);
const firstChar = (token: Token) => String.fromCodePoint(token.tok.codePointAt(0) ?? 32);
const isFirstUpper = (token: Token) => upperFirst.test(firstChar(token));
const isFirstLower = (token: Token) => lowerFirst.test(firstChar(token));

function tokenizeWords(text: string): Token[] {
  const tokens: Token[] = [];
  for (const line of text.split("\n")) {
    if (pyStrip(line) === "") continue;
    for (const match of line.matchAll(wordToken)) tokens.push(makeToken(match[0]));
  }
  return tokens;
}

function annotateFirstPass(token: Token): void {
  const { tok } = token;
  if (tok === "." || tok === "?" || tok === "!") token.sentbreak = true;
  else if (ellipsis.test(tok)) token.ellipsis = true;
  else if (token.periodFinal && !tok.endsWith("..")) {
    const stem = tok.slice(0, -1).toLowerCase();
    if (abbreviationTypes.has(stem) || abbreviationTypes.has(stem.split("-").at(-1) ?? "")) token.abbr = true;
    else token.sentbreak = true;
  }
}

// true: starts a sentence; false: does not; undefined: unknown.
function orthoHeuristic(token: Token): boolean | undefined {
  if (";:,.!?".includes(token.tok) && token.tok.length === 1) return false;
  const ortho = orthoContext(typeNoSentPeriod(token));
  if (isFirstUpper(token) && ortho & orthoLower && !(ortho & orthoMiddleUpper)) return true;
  if (isFirstLower(token) && (ortho & orthoUpper || !(ortho & orthoBeginLower))) return false;
  return undefined;
}

function annotateSecondPass(token: Token, next: Token): void {
  if (!token.periodFinal) return;
  const type = typeNoPeriod(token);
  const nextType = typeNoSentPeriod(next);
  const isInitial = initial.test(token.tok);
  if (collocations.has(`${type}\u0000${nextType}`)) {
    token.sentbreak = false;
    token.abbr = true;
    return;
  }
  if ((token.abbr || token.ellipsis) && !isInitial) {
    if (orthoHeuristic(next) === true || (isFirstUpper(next) && sentenceStarters.has(nextType))) {
      token.sentbreak = true;
      return;
    }
  }
  if (isInitial || type === "##number##") {
    const startsSentence = orthoHeuristic(next);
    if (startsSentence === false) {
      token.sentbreak = false;
      token.abbr = true;
      return;
    }
    if (
      startsSentence === undefined &&
      isInitial &&
      isFirstUpper(next) &&
      !(orthoContext(nextType) & orthoLower)
    ) {
      token.sentbreak = false;
      token.abbr = true;
    }
  }
}

/** True when a sentence break in `context` is followed by at least one more token. */
function containsBreak(context: string): boolean {
  const tokens = tokenizeWords(context);
  for (const token of tokens) annotateFirstPass(token);
  for (let index = 0; index < tokens.length - 1; index++) {
    const token = tokens[index] as Token;
    annotateSecondPass(token, tokens[index + 1] as Token);
    if (token.sentbreak) return true;
  }
  return false;
}

function lastWhitespaceIndex(text: string): number {
  for (let index = text.length - 1; index >= 0; index--)
    if (asciiWhitespace.includes(text[index] as string)) return index;
  return 0;
}

interface Candidate {
  /** Offset just past the end character. */
  readonly end: number;
  /** Where the next sentence starts: the next token, or the punctuation right after the break. */
  readonly nextStart: number;
  readonly context: string;
}

// NLTK pairs each candidate with the word before it and, where candidates overlap (`!!!`), keeps the
// last one only.
function* candidates(text: string): Generator<Candidate> {
  let previous: { start: number; stop: number; match: RegExpExecArray } | undefined;
  const emit = (p: NonNullable<typeof previous>): Candidate => {
    const after = p.match[1] ?? "";
    const next = p.match[2];
    const end = p.match.index + 1;
    return {
      end,
      nextStart: next === undefined ? end : end + after.length - next.length,
      context: text.slice(p.start, p.stop) + p.match[0] + after,
    };
  };
  periodContext.lastIndex = 0;
  for (const match of text.matchAll(periodContext)) {
    const stopOfPrevious = previous?.stop ?? 0;
    const space = lastWhitespaceIndex(text.slice(stopOfPrevious, match.index));
    const start = space ? space + stopOfPrevious + 1 : (previous?.start ?? 0);
    if (previous && previous.stop <= start) yield emit(previous);
    previous = { start, stop: match.index, match };
  }
  if (previous) yield emit(previous);
}

/**
 * The number of sentences NLTK's English Punkt tokenizer finds in `text` (`len(tokenize(text))`,
 * boundaries realigned past closing quotes and brackets, empty sentences dropped).
 */
export function countSentences(text: string): number {
  const slices: Array<[number, number]> = [];
  let lastBreak = 0;
  for (const candidate of candidates(text)) {
    if (!containsBreak(candidate.context)) continue;
    slices.push([lastBreak, candidate.end]);
    lastBreak = candidate.nextStart;
  }
  slices.push([lastBreak, pyRstripEnd(text)]);
  let count = 0;
  let realign = 0;
  for (let index = 0; index < slices.length; index++) {
    const [start, stop] = slices[index] as [number, number];
    const current = start + realign;
    const next = slices[index + 1];
    if (next === undefined) {
      if (stop > current) count++;
      continue;
    }
    const aligned = boundaryRealignment.exec(text.slice(next[0], next[1]));
    if (aligned) {
      count++;
      realign = aligned[0].length;
    } else {
      realign = 0;
      if (stop > current) count++;
    }
  }
  return count;
}
