// The documentation's tables of subpaths, errors and limits, events, skip reasons and CallOptions fields,
// kept true to the source (see scripts/docs/tables.mjs for the marked regions), every path the docs name
// kept existing, and every event a sentence names kept an event (scripts/docs/mentions.mjs).
//
// Usage: node scripts/docs-tables.mjs [--write] [--docs-root DIR]
//   (no flag)        check: exit 1 with a diff of each stale table and the command that fixes it
//   --write          regenerate the generated regions in place (`npm run docs:tables`)
//   --docs-root DIR  read README.md and docs/*.md from DIR instead of the repository (the source is still
//                    the repository's); used by the test that shows the check failing
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkMentions } from "./docs/mentions.mjs";
import { checkPaths } from "./docs/paths.mjs";
import { readSourceFacts } from "./docs/source-facts.mjs";
import { applyRegions, unproduced } from "./docs/tables.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Checks (or with `write`, regenerates) the tables and the named paths of README.md and docs/*.md.
 * @returns the problems left, as printable lines (empty when all is true)
 */
export function checkDrift({ write = false, docsRoot = root } = {}) {
  const facts = readSourceFacts(root);
  const files = [
    "README.md",
    ...readdirSync(join(docsRoot, "docs"))
      .filter((name) => name.endsWith(".md"))
      .sort()
      .map((name) => `docs/${name}`),
  ];
  const out = [];
  for (const file of files) {
    const markdown = readFileSync(join(docsRoot, file), "utf8");
    const { text, stale, problems } = applyRegions(markdown, facts, file);
    out.push(...problems);
    if (write) {
      if (text !== markdown) writeFileSync(join(docsRoot, file), text);
      continue;
    }
    for (const region of stale) {
      out.push(
        `${region.where}: the generated "${region.name}" table is stale; run \`npm run docs:tables\`. Diff (- docs, + source):\n${diff(region.before, region.after)}`,
      );
    }
  }
  out.push(...checkPaths(root, docsRoot, files));
  out.push(...checkMentions(docsRoot, files, facts));
  return { problems: out, notes: unproduced(facts) };
}

/** A line diff (longest common subsequence): kept lines indented, removed `-`, added `+`. */
function diff(before, after) {
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1)
    for (let j = b.length - 1; j >= 0; j -= 1)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const lines = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push(`    ${a[i]}`);
      i += 1;
      j += 1;
    } else if (j < b.length && (i === a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
      lines.push(`  + ${b[j]}`);
      j += 1;
    } else {
      lines.push(`  - ${a[i]}`);
      i += 1;
    }
  }
  return lines.join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const write = args.includes("--write");
  const at = args.indexOf("--docs-root");
  const docsRoot = at >= 0 && args[at + 1] ? resolve(args[at + 1]) : root;
  const { problems, notes } = checkDrift({ write, docsRoot });
  for (const note of notes)
    console.warn(`docs:tables: note: ${note} is declared but never produced in src/; the docs leave it out.`);
  if (problems.length > 0) {
    console.error(problems.join("\n"));
    console.error(
      `docs:tables: ${problems.length} problem(s). Generated tables: \`npm run docs:tables\` rewrites them; checked lists and paths: edit the Markdown.`,
    );
    process.exit(1);
  }
  console.log(`docs:tables: ${write ? "regenerated; " : ""}tables and named paths agree with the source.`);
}
