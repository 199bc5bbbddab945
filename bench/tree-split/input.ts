import { loadResponses } from "../ifeval-data.js";

/**
 * About `bytes` characters of real prose: the recorded gpt-4o answers to the IFEval prompts (paragraphs,
 * sentences, lists), concatenated and repeated as needed. ASCII-heavy, so characters ≈ bytes.
 */
export function proseOf(bytes: number): string {
  const answers = [...loadResponses("gpt-4o-2024-08-06").values()].filter((text) => text.trim().length > 0);
  const pieces: string[] = [];
  let total = 0;
  for (let i = 0; total < bytes; i += 1) {
    const piece = answers[i % answers.length]!;
    pieces.push(piece);
    total += piece.length + 2;
  }
  return pieces.join("\n\n").slice(0, bytes);
}
