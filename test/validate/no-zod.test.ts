import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const srcDir = new URL("../../src/", import.meta.url).pathname;

/** Every static import (and re-export) of a module: relative ones resolved to files, bare ones as named. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const text = readFileSync(file, "utf8");
  const files: string[] = [];
  const packages: string[] = [];
  // Static forms only: `import ... from "x"`, `export ... from "x"`, `import "x"` (not `import("x")`, which
  // loads lazily and is the sanctioned way to keep a heavy dependency off an entry).
  for (const match of text.matchAll(/^\s*(?:import|export)\s(?:[^"';]*?\sfrom\s)?["']([^"']+)["']/gm)) {
    const specifier = match[1]!;
    if (specifier.startsWith(".")) files.push(join(dirname(file), specifier.replace(/\.js$/, ".ts")));
    else packages.push(specifier);
  }
  return { files, packages };
}

/** Modules statically reachable from `entry` that import `pkg` (or one of its subpaths). */
function reachingImports(entry: string, pkg: string): string[] {
  const seen = new Set<string>();
  const found: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const { files, packages } = importsOf(file);
    if (packages.some((name) => name === pkg || name.startsWith(`${pkg}/`)))
      found.push(relative(srcDir, file));
    for (const next of files) visit(next);
  };
  visit(join(srcDir, entry));
  return found;
}

describe("cold start", () => {
  // zod costs ~60 ms to import; options are checked by src/validate instead. Only rungs/config (a YAML/JSON
  // config file is a schema feature) and the CLI built on it load zod.
  it.each([
    "index.ts",
    "testing/index.ts",
    "providers/ollama/index.ts",
    "providers/ai-sdk.ts",
    "rubric/ifeval/index.ts",
    "vitest/index.ts",
    "redis/index.ts",
  ])("nothing reachable from src/%s imports zod", (entry) => {
    expect(reachingImports(entry, "zod")).toEqual([]);
  });

  it("sees zod where it is imported (the check can fail)", () => {
    expect(reachingImports("config/index.ts", "zod").length).toBeGreaterThan(0);
  });
});
