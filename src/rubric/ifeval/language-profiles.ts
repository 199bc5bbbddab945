// The 53 language profiles of Shuyo's language-detection (Apache-2.0), the same n-gram profiles
// Python's langdetect ships (it has 55: Catalan and Welsh are missing here), with its CJK classes, taken
// from the npm `langdetect` package. The build writes them into one JSON file beside the bundles
// (dist/ifeval-language-data.json), read by the ESM and the CJS build alike, so the 1.9 MB of tables ship once
// and are never bundled or source-mapped; the library needs no runtime dependency for them. Run from
// source (tests, the demo), they are read from the `langdetect` dev dependency.
import { createRequire } from "node:module";

/** One language profile: n-gram (1..3 chars) counts and the total n-gram count per length. */
export interface LanguageProfile {
  readonly name: string;
  readonly freq: Readonly<Record<string, number>>;
  readonly n_words: readonly number[];
}

/** Every profile in language-code order, and langdetect's CJK classes (class representative → members). */
export interface LanguageData {
  readonly profiles: readonly LanguageProfile[];
  readonly cjk: Readonly<Record<string, string>>;
}

/** The file the build writes beside the bundles. */
export const languageDataFile = "ifeval-language-data.json";

/** The profiles used, in language-code order (langdetect's file names). */
export const languageCodes = [
  "af",
  "ar",
  "bg",
  "bn",
  "cs",
  "da",
  "de",
  "el",
  "en",
  "es",
  "et",
  "fa",
  "fi",
  "fr",
  "gu",
  "he",
  "hi",
  "hr",
  "hu",
  "id",
  "it",
  "ja",
  "kn",
  "ko",
  "lt",
  "lv",
  "mk",
  "ml",
  "mr",
  "ne",
  "nl",
  "no",
  "pa",
  "pl",
  "pt",
  "ro",
  "ru",
  "sk",
  "sl",
  "so",
  "sq",
  "sv",
  "sw",
  "ta",
  "te",
  "th",
  "tl",
  "tr",
  "uk",
  "ur",
  "vi",
  "zh-cn",
  "zh-tw",
] as const;

type Load = (id: string) => unknown;

/**
 * Reads the language data once per call site: the built file when it is there (the published package),
 * else the `langdetect` package (running from source).
 * @throws Error naming the missing file when neither is found.
 */
export function readLanguageData(): LanguageData {
  const load: Load = createRequire(import.meta.url);
  try {
    return load(`./${languageDataFile}`) as LanguageData;
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
  }
  try {
    return languageDataFromLangdetect(load);
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    throw new Error(
      `rungs/ifeval: its language data (${languageDataFile} beside the rungs bundles) is missing; reinstall rungs`,
    );
  }
}

/** Builds the language data from the `langdetect` package's files (`load` resolves from where it is called). */
export function languageDataFromLangdetect(load: Load): LanguageData {
  return {
    profiles: languageCodes.map((code) => load(`langdetect/profiles/${code}.json`) as LanguageProfile),
    cjk: load("langdetect/res/cjk.json") as Record<string, string>,
  };
}

function isModuleNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "MODULE_NOT_FOUND";
}
