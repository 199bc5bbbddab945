// One text capper: every place in src/ that cuts a text short and marks the cut goes through capText /
// capLine (src/text/cap.ts), so the marker is one (`…`), the result keeps to its cap and no cut splits a
// surrogate pair or a grapheme. The harness finds hand-made cappers by their shape in the syntax tree: a
// template string that holds a `.slice(0, n)` / `.substring(0, n)` of a text and a cut marker (`…`, "cut",
// "capped", "more chars", "truncated").
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const src = resolve(import.meta.dirname, "..", "..", "src");

/**
 * Hand-made cappers still in files the engine redesign owns, by file and count; they move onto capText with
 * it. A count that drops fails too, so the list only shrinks. prompt.ts's is the renderer's cut of a context
 * document: its marker is a line the model reads ("[rungs: N chars cut here ...]"), not the `…` of a message.
 */
const knownCappers: Record<string, number> = {
  "prompt.ts": 1,
};

const marker = /…|\bcut\b|capped|more chars|truncated/i;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const isPrefixSlice = (node: ts.Node): boolean =>
  ts.isCallExpression(node) &&
  ts.isPropertyAccessExpression(node.expression) &&
  ["slice", "substring"].includes(node.expression.name.text) &&
  node.arguments.length === 2 &&
  ts.isNumericLiteral(node.arguments[0]!) &&
  node.arguments[0].text === "0";

/** Each hand-made capper of `source`: the 1-based line of a template that cuts a text and marks the cut. */
function findCappers(source: string): number[] {
  const file = ts.createSourceFile("scan.ts", source, ts.ScriptTarget.Latest, true);
  const lines: number[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTemplateExpression(node)) {
      const literal = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join("");
      const slices = node.templateSpans.some((span) => {
        let found = false;
        const look = (inner: ts.Node): void => {
          if (found || ts.isTemplateExpression(inner)) return;
          if (isPrefixSlice(inner)) found = true;
          else ts.forEachChild(inner, look);
        };
        look(span.expression);
        return found;
      });
      if (slices && marker.test(literal))
        lines.push(file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return lines;
}

// Fixtures write a template's `${` as `#{`, so they stay plain strings.
const code = (text: string) => text.replaceAll("#{", `$${"{"}`);

describe("one text capper", () => {
  it("finds the shapes it looks for, and not a slice without a marker", () => {
    expect(findCappers(code("const a = `#{text.slice(0, 40)}…`;"))).toEqual([1]);
    expect(findCappers(code("const b = `#{body.slice(0, max)}… [#{n} more chars]`;"))).toEqual([1]);
    expect(
      findCappers(code("const c = JSON.stringify(v.length > 40 ? `#{v.substring(0, 40)}…` : v);")),
    ).toEqual([1]);
    expect(findCappers(code("const d = `#{t.slice(0, end)}\\n[rungs: #{cut} chars cut here]`;"))).toEqual([
      1,
    ]);
    expect(findCappers(code("const e = `#{path.slice(0, cut)}/x`; const f = `#{t.slice(1, 3)}…`;"))).toEqual(
      [],
    );
  });

  it("no file of src/ but src/text/cap.ts cuts and marks a text by hand", () => {
    const found: Record<string, number> = {};
    const where: string[] = [];
    for (const file of tsFiles(src)) {
      const name = relative(src, file).split("\\").join("/");
      if (name === "text/cap.ts") continue;
      const lines = findCappers(readFileSync(file, "utf8"));
      if (lines.length === 0) continue;
      found[name] = lines.length;
      where.push(...lines.map((line) => `src/${name}:${line}`));
    }
    if (where.length > 0)
      console.warn(`one-capper: hand-made cappers left (move them onto capText):\n  ${where.join("\n  ")}`);
    expect(found, "hand-made cappers: use capText / capLine from src/text/cap.ts").toEqual(knownCappers);
  });
});
