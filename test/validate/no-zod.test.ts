import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const srcDir = new URL("../../src/", import.meta.url).pathname;
const files = (readdirSync(srcDir, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts"));

describe("cold start", () => {
  it("no library module imports zod (option checks live in src/validate; importing zod costs ~60 ms)", () => {
    const importing = files.filter((file) =>
      /\bfrom\s+["']zod(\/[^"']*)?["']|import\(\s*["']zod/.test(readFileSync(join(srcDir, file), "utf8")),
    );
    expect(importing).toEqual([]);
  });
});
