// Imports point inward: nothing in the core imports an integration or an outer layer (providers/, report/,
// config/, cli/, view/, redis/, otel/, testing/, vitest/, the rungs/ifeval pack), so `import "rungs"` stays small
// and the core can be read without them. src/index.ts, the public surface, re-exports from outside the core
// and is not part of it. Every file under src/ is scanned with the TypeScript compiler's import scanner
// (static, type-only, dynamic imports and re-exports alike).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const src = resolve(import.meta.dirname, "..", "src");
const outer = [
  "providers",
  "report",
  "config",
  "cli",
  "view",
  "redis",
  "otel",
  "testing",
  "vitest",
  "rubric/ifeval",
];

/**
 * Known violations (none since the engine redesign): each entry is `core file -> imported file`. An import
 * listed here that is gone fails the test too, so the list only shrinks.
 */
const knownViolations: string[] = [];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const isOuter = (path: string) => outer.some((folder) => path.startsWith(`${folder}/`));

function coreImportsOfOuter(): string[] {
  const found: string[] = [];
  for (const file of tsFiles(src)) {
    const from = relative(src, file).split("\\").join("/");
    if (from === "index.ts" || isOuter(from)) continue;
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const imported of importedFiles) {
      if (!imported.fileName.startsWith(".")) continue;
      const to = relative(src, resolve(dirname(file), imported.fileName))
        .split("\\")
        .join("/")
        .replace(/\.js$/, ".ts");
      if (isOuter(to)) found.push(`${from} -> ${to}`);
    }
  }
  return [...new Set(found)].sort();
}

describe("core imports", () => {
  it("nothing in the core imports providers/, report/, config/, cli/, view/, redis/, otel/, testing/, vitest/ or ifeval", () => {
    const found = coreImportsOfOuter();
    if (knownViolations.length > 0)
      console.warn(
        `core-imports: ${knownViolations.length} known violation(s) still allowed (remove each from the list as it is fixed):\n  ${knownViolations.join("\n  ")}`,
      );
    const unexpected = found.filter((entry) => !knownViolations.includes(entry));
    const fixed = knownViolations.filter((entry) => !found.includes(entry));
    expect(unexpected, "core files importing an outer layer (move the shared part into the core)").toEqual(
      [],
    );
    expect(fixed, "allowed violations that are gone: delete them from knownViolations").toEqual([]);
  });

  it("the scanner sees every kind of import", () => {
    const { importedFiles } = ts.preProcessFile(
      [
        'import { a } from "../providers/a.js";',
        'import type { B } from "../report/b.js";',
        'export { c } from "../otel/c.js";',
        'const d = await import("../redis/d.js");',
      ].join("\n"),
      true,
      true,
    );
    expect(importedFiles.map((file) => file.fileName)).toEqual([
      "../providers/a.js",
      "../report/b.js",
      "../otel/c.js",
      "../redis/d.js",
    ]);
  });
});
