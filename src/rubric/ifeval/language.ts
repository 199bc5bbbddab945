import { stringArg } from "./kwargs.js";
import { detectLanguage } from "./langdetect.js";
import type { InstructionSpec } from "./types.js";

// The language names of the reference's LANGUAGE_CODES, for descriptions.
const languageNames: Readonly<Record<string, string>> = {
  en: "English",
  es: "Spanish",
  pt: "Portuguese",
  ar: "Arabic",
  hi: "Hindi",
  fr: "French",
  ru: "Russian",
  de: "German",
  ja: "Japanese",
  it: "Italian",
  bn: "Bengali",
  uk: "Ukrainian",
  th: "Thai",
  ur: "Urdu",
  ta: "Tamil",
  te: "Telugu",
  bg: "Bulgarian",
  ko: "Korean",
  pl: "Polish",
  he: "Hebrew",
  fa: "Persian",
  vi: "Vietnamese",
  ne: "Nepali",
  sw: "Swahili",
  kn: "Kannada",
  mr: "Marathi",
  gu: "Gujarati",
  pa: "Punjabi",
  ml: "Malayalam",
  fi: "Finnish",
};

/** True when langdetect names `language`, or finds nothing to go on (the reference counts that as followed). */
export function isInLanguage(text: string, language: string): boolean {
  const detected = detectLanguage(text);
  return detected === undefined || detected === language;
}

/** `language:response_language`: langdetect names `language` for the whole response. */
export const responseLanguage: InstructionSpec = {
  build(kwargs) {
    const language = stringArg(kwargs, "language");
    return (response) => isInLanguage(response, language);
  },
  describe: (kwargs) => {
    const code = stringArg(kwargs, "language");
    return `Your ENTIRE response should be in ${languageNames[code] ?? code} language, no other language is allowed.`;
  },
};
