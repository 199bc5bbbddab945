import { readFile } from "node:fs/promises";
import { z } from "zod";
import { RunReadError } from "./run-read-error.js";

/** A model's price in US dollars per million tokens. */
export interface Price {
  inputPerMillion: number;
  outputPerMillion: number;
}

/** Prices by model id, as `rungs view --prices FILE` and a run's `prices.json` hold them. */
export type Prices = Readonly<Record<string, Price>>;

const priceSchema = z.object({
  inputPerMillion: z.number().nonnegative(),
  outputPerMillion: z.number().nonnegative(),
});
// Extra fields (a `source` note, say) are allowed: the file is documentation too.
const pricesSchema = z.record(z.string(), priceSchema.loose());

/**
 * Reads a prices file: `{ "<model id>": { "inputPerMillion": 2.5, "outputPerMillion": 10 }, ... }`.
 * @throws RunReadError when the file cannot be read or is not of that shape (the message names the entry).
 */
export async function readPrices(file: string): Promise<Prices> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new RunReadError(file, `Cannot read the prices file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = pricesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : ` at ${issue.path.join(".") || "the top"}: ${issue.message}`;
    throw new RunReadError(
      file,
      `The prices file ${file} is not { "<model id>": { "inputPerMillion": n, "outputPerMillion": n } }${where}.`,
    );
  }
  return parsed.data;
}

/** US dollars for the tokens at `price`; missing counts are 0. */
export function costOf(price: Price, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
}
