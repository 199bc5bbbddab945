/**
 * Cost of a run: tokens per rung, counted with a real tokenizer, times a price table whose sources are in
 * docs/pricing.md.
 *
 * Tokens: every model's text is counted with `o200k_base` (GPT-4o's encoding) from gpt-tokenizer, a pure-JS
 * BPE tokenizer (no WASM, no download at run time). Qwen2.5 and Claude use their own tokenizers, which
 * give somewhat different counts for the same English text; one tokenizer for all keeps the comparison
 * about prices and calls, and docs/pricing.md says so.
 */
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import type { GenerateRequest } from "../src/index.js";
import { renderPrompt } from "../src/index.js";

/** A model's list price in US dollars per million tokens. */
export interface Price {
  inputPerMillion: number;
  outputPerMillion: number;
  /** Where the number comes from (a page, or a stated assumption); details in docs/pricing.md. */
  source: string;
}

/** Prices per ladder model name. Keep in step with docs/pricing.md. */
export const prices: Readonly<Record<string, Price>> = {
  "qwen2.5-0.5b": { inputPerMillion: 0.01, outputPerMillion: 0.02, source: "assumption (below 7B)" },
  "qwen2.5-1.5b": { inputPerMillion: 0.01, outputPerMillion: 0.02, source: "assumption (below 7B)" },
  "qwen2.5-3b": { inputPerMillion: 0.01, outputPerMillion: 0.02, source: "assumption (below 7B)" },
  "qwen2.5-7b": { inputPerMillion: 0.025, outputPerMillion: 0.05, source: "DeepInfra Qwen2.5-7B-Instruct" },
  "qwen2.5-14b": { inputPerMillion: 0.05, outputPerMillion: 0.1, source: "assumption (2x the 7B price)" },
  "qwen2.5-32b": {
    inputPerMillion: 0.07,
    outputPerMillion: 0.16,
    source: "DeepInfra Qwen2.5-Coder-32B-Instruct",
  },
  "gpt-4o": { inputPerMillion: 2.5, outputPerMillion: 10, source: "OpenAI API pricing, gpt-4o-2024-08-06" },
  "claude-3.5-sonnet": {
    inputPerMillion: 3,
    outputPerMillion: 15,
    source: "Anthropic pricing, Claude Sonnet 3.5",
  },
};

const cache = new Map<string, number>();

/** Tokens in `text` (o200k_base). Memoised: the ladder counts the same recorded response many times. */
export function tokens(text: string): number {
  let count = cache.get(text);
  if (count === undefined) {
    count = countTokens(text);
    if (cache.size > 50_000) cache.clear(); // bounded: a live run produces new texts forever
    cache.set(text, count);
  }
  return count;
}

/** Input tokens of a request as a provider would receive it: the one renderer's prompt (feedback included). */
export function requestTokens(request: GenerateRequest): number {
  return tokens(renderPrompt(request));
}

/** Dollars for `usage` at `price`. Missing counts are 0. */
export function dollars(usage: { inputTokens?: number; outputTokens?: number }, price: Price): number {
  return (
    ((usage.inputTokens ?? 0) * price.inputPerMillion + (usage.outputTokens ?? 0) * price.outputPerMillion) /
    1_000_000
  );
}

/** The price of a ladder model, by name. @throws Error for a model with no price (add it to the table). */
export function priceOf(name: string): Price {
  const price = prices[name];
  if (price === undefined)
    throw new Error(`No price for "${name}": add it to demo/cost.ts and docs/pricing.md.`);
  return price;
}

/** The prices by the replayed models' ids (`replay:<name>`), as `rungs view` reads a run's prices.json. */
export function pricesById(): Record<string, Price> {
  return Object.fromEntries(Object.entries(prices).map(([name, price]) => [`replay:${name}`, { ...price }]));
}
