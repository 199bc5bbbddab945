// One value describer: an error message that shows a refused value does it through describeValue
// (src/text/describe.ts), so a string is quoted and capped, an object is never dumped and nothing throws. The
// harness finds hand-made describers in the syntax tree by the words they return for a value's shape: a
// string literal "an array" or "an object" (alone or followed by more words).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const src = resolve(import.meta.dirname, "..", "..", "src");

/**
 * Hand-made describers still in files the engine redesign owns, by file and count; they move onto
 * describeValue with it. A count that drops fails too, so the list only shrinks. config/parse.ts names the
 * type a config schema expects ("an object"), not a value, and stays; so does model.ts, whose malformed-
 * response message names the type a provider sent where another was expected.
 */
const knownDescribers: Record<string, number> = {
  "config/parse.ts": 1,
  "model.ts": 1,
};

const shapeWords = /^an (array|object)\b/;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The 1-based lines of `source` holding a string literal that names a value's shape. */
function findDescribers(source: string): number[] {
  const file = ts.createSourceFile("scan.ts", source, ts.ScriptTarget.Latest, true);
  const lines: number[] = [];
  const visit = (node: ts.Node): void => {
    const text =
      ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
        ? node.text
        : ts.isTemplateExpression(node)
          ? node.head.text
          : undefined;
    if (text !== undefined && shapeWords.test(text))
      lines.push(file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return lines;
}

describe("one value describer", () => {
  it("finds the words a describer returns, not the same words inside a sentence", () => {
    expect(findDescribers('const a = Array.isArray(v) ? "an array" : "an object";')).toEqual([1, 1]);
    expect(findDescribers('const b = "an object without valid counts";')).toEqual([1]);
    expect(findDescribers('const c = "must be an object"; const d = "an arrayish";')).toEqual([]);
  });

  it("no file of src/ but src/text/describe.ts describes a value by hand", () => {
    const found: Record<string, number> = {};
    const where: string[] = [];
    for (const file of tsFiles(src)) {
      const name = relative(src, file).split("\\").join("/");
      if (name === "text/describe.ts") continue;
      const lines = findDescribers(readFileSync(file, "utf8"));
      if (lines.length === 0) continue;
      found[name] = lines.length;
      where.push(...lines.map((line) => `src/${name}:${line}`));
    }
    if (where.length > 0)
      console.warn(
        `one-describer: hand-made describers left (move them onto describeValue):\n  ${where.join("\n  ")}`,
      );
    expect(found, "hand-made value describers: use describeValue from src/text/describe.ts").toEqual(
      knownDescribers,
    );
  });
});
