import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { costOf, readPrices } from "../../src/view/prices.js";
import { RunReadError } from "../../src/view/run-read-error.js";
import { useTempDirs } from "../support/temp-dirs.js";

const tempDir = useTempDirs("view-prices");

describe("readPrices", () => {
  it("reads prices by model id, notes beside them allowed", async () => {
    const file = join(tempDir(), "prices.json");
    writeFileSync(
      file,
      JSON.stringify({ "replay:a": { inputPerMillion: 2.5, outputPerMillion: 10, source: "page" } }),
    );
    const prices = await readPrices(file);
    expect(costOf(prices["replay:a"]!, 1_000_000, 100_000)).toBeCloseTo(3.5);
  });

  it("names the entry and the shape when the file is wrong, and the file when it cannot be read", async () => {
    const file = join(tempDir(), "prices.json");
    writeFileSync(file, JSON.stringify({ a: { inputPerMillion: -1, outputPerMillion: 1 } }));
    await expect(readPrices(file)).rejects.toThrow(
      /is not \{ "<model id>": \{ "inputPerMillion": n, .* at a\.inputPerMillion/,
    );
    const missing = await readPrices(join(tempDir(), "none.json")).catch((e: unknown) => e);
    expect(RunReadError.isInstance(missing)).toBe(true);
    expect(String(missing)).toMatch(/Cannot read the prices file/);
  });
});
