// Language identification as the reference does it: the algorithm of Shuyo's language-detection (which
// Python's langdetect ports) over the same n-gram profiles. Seven trials each sample n-grams at random
// and update naive-Bayes language probabilities until one passes 0.99999; the trials are averaged.
// The reference draws from an unseeded (or globally seeded) Python RNG, so borderline texts flip between
// its runs; here the generator is seeded per call, so a text always gets the same answer.
import { readLanguageData } from "./language-profiles.js";

const trials = 7;
const alphaDefault = 0.5;
const alphaWidth = 0.05;
const iterationLimit = 1000;
const probabilityThreshold = 0.1;
const convergenceThreshold = 0.99999;
const baseFrequency = 10_000;
const maxTextLength = 10_000;
const seed = 0x5eed;

interface Model {
  readonly languages: readonly string[];
  /** n-gram → probability per language (dense, in `languages` order). */
  readonly probabilities: ReadonlyMap<string, Float64Array>;
  /** CJK ideograph → the representative of its class. */
  readonly cjk: ReadonlyMap<string, string>;
}

let model: Model | undefined;

// Built on first use, once: ~40k n-grams × 53 languages.
function loadModel(): Model {
  if (model) return model;
  const { profiles: languageProfiles, cjk: cjkClasses } = readLanguageData();
  const languages = languageProfiles.map((profile) => profile.name);
  const probabilities = new Map<string, Float64Array>();
  for (const [index, profile] of languageProfiles.entries()) {
    for (const [gram, count] of Object.entries(profile.freq)) {
      const length = [...gram].length;
      if (length < 1 || length > 3) continue;
      let row = probabilities.get(gram);
      if (!row) {
        row = new Float64Array(languages.length);
        probabilities.set(gram, row);
      }
      row[index] = count / (profile.n_words[length - 1] ?? 1);
    }
  }
  const cjk = new Map<string, string>();
  for (const members of Object.values(cjkClasses)) {
    const chars = [...members];
    for (const char of chars) cjk.set(char, chars[0] as string);
  }
  model = { languages, probabilities, cjk };
  return model;
}

const url = /https?:\/\/[-_.?&~;+=/#0-9A-Za-z]{1,2076}/g;
const mail = /[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}/g;
const upper = /^\p{Uppercase}$/u;
const latin1Excluded = "\u00a0\u00ab\u00b0\u00bb";

// The character folding of langdetect's NGram.normalize, by Unicode block.
function normalize(char: string, cjk: ReadonlyMap<string, string>): string {
  const code = char.codePointAt(0) ?? 0;
  if (code <= 0x7f) return /[A-Za-z]/.test(char) ? char : " ";
  if (code <= 0xff) return latin1Excluded.includes(char) ? " " : char;
  if (code >= 0x180 && code <= 0x24f) return code === 0x219 ? "\u015f" : code === 0x21b ? "\u0163" : char;
  if (code >= 0x2000 && code <= 0x206f) return " ";
  if (code >= 0x600 && code <= 0x6ff) return code === 0x6cc ? "\u064a" : char;
  if (code >= 0x1e00 && code <= 0x1eff) return code >= 0x1ea0 ? "\u1ec3" : char;
  if (code >= 0x3040 && code <= 0x309f) return "\u3042";
  if (code >= 0x30a0 && code <= 0x30ff) return "\u30a2";
  if ((code >= 0x3100 && code <= 0x312f) || (code >= 0x31a0 && code <= 0x31bf)) return "\u3105";
  if (code >= 0x4e00 && code <= 0x9fff) return cjk.get(char) ?? char;
  if (code >= 0xac00 && code <= 0xd7af) return "\uac00";
  return char;
}

// URLs and mail addresses removed, runs of spaces collapsed, at most 10,000 characters; when non-Latin
// letters outnumber Latin ones two to one, the Latin ones are dropped.
function clean(text: string): string[] {
  const chars = [...text.replace(url, " ").replace(mail, " ")].slice(0, maxTextLength);
  const kept: string[] = [];
  let previous = "";
  for (const char of chars) {
    if (char !== " " || previous !== " ") kept.push(char);
    previous = char;
  }
  let latin = 0;
  let nonLatin = 0;
  for (const char of kept) {
    const code = char.codePointAt(0) ?? 0;
    if (char >= "A" && char <= "z") latin++;
    else if (code >= 0x300 && !(code >= 0x1e00 && code <= 0x1eff)) nonLatin++;
  }
  return latin * 2 < nonLatin ? kept.filter((char) => char < "A" || char > "z") : kept;
}

const isUpper = (char: string) => {
  const code = char.charCodeAt(0);
  return code < 0x80 ? code >= 0x41 && code <= 0x5a : upper.test(char);
};

// The 1-, 2- and 3-grams langdetect feeds the classifier; none inside an all-capitals word.
function ngrams(chars: readonly string[], current: Model): string[] {
  const found: string[] = [];
  const { probabilities, cjk } = current;
  // The last (up to) three characters, oldest first; `length` counts them.
  let first = " ";
  let second = "";
  let third = "";
  let length = 1;
  let capitalWord = false;
  for (const raw of chars) {
    const char = normalize(raw, cjk);
    const last = length === 1 ? first : length === 2 ? second : third;
    if (last === " ") {
      first = " ";
      length = 1;
      capitalWord = false;
      if (char === " ") continue;
    } else if (length >= 3) {
      first = second;
      second = third;
      length = 2;
    }
    if (length === 1) second = char;
    else third = char;
    length++;
    if (isUpper(char)) {
      if (isUpper(last)) capitalWord = true;
    } else capitalWord = false;
    if (capitalWord) continue;
    if (char !== " " && probabilities.has(char)) found.push(char);
    const two = length === 2 ? first + second : second + third;
    if (probabilities.has(two)) found.push(two);
    if (length === 3) {
      const three = first + second + third;
      if (probabilities.has(three)) found.push(three);
    }
  }
  return found;
}

// mulberry32: a small seeded generator, so detection is reproducible.
function generator(state: number): () => number {
  let value = state >>> 0;
  return () => {
    value = (value + 0x6d2b79f5) >>> 0;
    let t = value;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function gaussian(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function normalizeInPlace(prob: Float64Array): number {
  let sum = 0;
  for (const p of prob) sum += p;
  let max = 0;
  for (let index = 0; index < prob.length; index++) {
    const p = (prob[index] as number) / sum;
    prob[index] = p;
    if (p > max) max = p;
  }
  return max;
}

/**
 * The language langdetect would name for `text` (ISO 639-1, `zh-cn`/`zh-tw` for Chinese), `"unknown"`
 * when no language reaches probability 0.1, or `undefined` when the text has no letters to go on (where
 * langdetect raises, and the reference counts the instruction as followed).
 */
export function detectLanguage(text: string): string | undefined {
  const current = loadModel();
  const grams = ngrams(clean(text), current);
  if (grams.length === 0) return undefined;
  const rows = grams.map((gram) => current.probabilities.get(gram) as Float64Array);
  const size = current.languages.length;
  const total = new Float64Array(size);
  const random = generator(seed);
  for (let trial = 0; trial < trials; trial++) {
    const prob = new Float64Array(size).fill(1 / size);
    const weight = (alphaDefault + gaussian(random) * alphaWidth) / baseFrequency;
    for (let iteration = 0; ; iteration++) {
      const row = rows[Math.floor(random() * rows.length)] as Float64Array;
      for (let index = 0; index < size; index++)
        prob[index] = (prob[index] as number) * (weight + (row[index] as number));
      if (
        iteration % 5 === 0 &&
        (normalizeInPlace(prob) > convergenceThreshold || iteration >= iterationLimit)
      )
        break;
    }
    for (let index = 0; index < size; index++)
      total[index] = (total[index] as number) + (prob[index] as number) / trials;
  }
  let best = "unknown";
  let bestProbability = probabilityThreshold;
  for (let index = 0; index < size; index++) {
    const p = total[index] as number;
    if (p > bestProbability) {
      bestProbability = p;
      best = current.languages[index] as string;
    }
  }
  return best;
}
