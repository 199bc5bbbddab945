import { decodeGenerator, encode } from "gpt-tokenizer/encoding/o200k_base";

/** One delta of a replayed stream: its text and the tokens it carries. */
export interface TokenPiece {
  text: string;
  tokens: number;
}

const cache = new Map<string, readonly TokenPiece[]>();

/**
 * `text` cut into its o200k_base tokens (the tokenizer demo/cost.ts counts with), one piece per token; a
 * token that ends inside a UTF-8 character is sent with the next one, so every piece is whole text (what a
 * provider's stream sends). The pieces join back to `text` exactly.
 * @throws Error when they do not (a tokenizer that does not round-trip this text).
 */
export function tokenPieces(text: string): readonly TokenPiece[] {
  const known = cache.get(text);
  if (known !== undefined) return known;
  const ids = encode(text);
  let consumed = 0;
  const counted = {
    *[Symbol.iterator]() {
      for (const id of ids) {
        consumed += 1;
        yield id;
      }
    },
  };
  const pieces: TokenPiece[] = [];
  let before = 0;
  for (const piece of decodeGenerator(counted)) {
    if (piece.length === 0) continue;
    pieces.push({ text: piece, tokens: consumed - before });
    before = consumed;
  }
  const last = pieces.at(-1);
  if (last !== undefined && consumed > before) last.tokens += consumed - before;
  if (pieces.map((p) => p.text).join("") !== text) {
    throw new Error(
      `tokenPieces: the ${ids.length} tokens of a ${text.length}-char text do not join back to it`,
    );
  }
  cache.set(text, pieces);
  return pieces;
}
