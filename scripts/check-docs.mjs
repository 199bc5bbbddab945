// First, the tables and named paths (scripts/docs-tables.mjs): the documented subpaths, errors and limits,
// events, skip reasons and CallOptions fields must agree with the source, and every path named must exist.
// Then type-checks every ```ts block of README.md and docs/*.md as written, against the built package (`rungs`,
// `rungs/ollama`, ... resolve to dist/ through the package's own exports map, as they do for a user), under
// `strict` plus `noUncheckedIndexedAccess`, with moduleResolution nodenext and with bundler. Each block is
// its own module: it must import what it uses and declare its placeholders (`declare const task: string;`).
// Errors name the Markdown file and line. Run `npm run build` first.
//
// Usage: node scripts/check-docs.mjs [--docs-root DIR] [file.md ...]   (default: README.md and docs/*.md)
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { checkDrift } from "./docs-tables.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const work = join(root, ".tmp", "check-docs");

// --docs-root DIR: check README.md and docs/*.md as they are in DIR (a copy), against this repository's source.
const docsRootAt = process.argv.indexOf("--docs-root");
const docsRoot = docsRootAt >= 0 ? resolve(process.argv[docsRootAt + 1] ?? ".") : root;
if (docsRootAt >= 0) process.argv.splice(docsRootAt, 2);

const drift = checkDrift({ docsRoot });
for (const note of drift.notes)
  console.warn(`check:docs: note: ${note} is declared but never produced in src/; the docs leave it out.`);
if (drift.problems.length > 0) {
  console.error(drift.problems.join("\n"));
  fail(
    `check:docs: ${drift.problems.length} table(s) or path(s) disagree with the source. Generated tables: run \`npm run docs:tables\`; checked lists and paths: edit the Markdown.`,
  );
}

if (!existsSync(join(root, "dist", "index.d.ts"))) {
  console.error(
    "check:docs: dist/index.d.ts is missing; run `npm run build` first (blocks are checked against the built package).",
  );
  process.exit(2);
}

const args = process.argv.slice(2);
const docs = args.length > 0 ? args.map((file) => resolve(file)) : defaultDocs();

/** Every ```ts block: the Markdown file, the line of its first code line (1-based) and its code. */
const blocks = [];
for (const file of docs) {
  const lines = readFileSync(file, "utf8").split("\n");
  let open = -1;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    if (open < 0 && /^\s*```ts\s*$/.test(line)) open = i;
    else if (open >= 0 && /^\s*```\s*$/.test(line)) {
      blocks.push({
        file: relative(root, file),
        firstLine: open + 2,
        code: lines.slice(open + 1, i).join("\n"),
      });
      open = -1;
    }
  }
  if (open >= 0) fail(`${relative(root, file)}:${open + 1}: a \`\`\`ts block is never closed`);
}

// A scratch project inside the repository: `rungs` resolves through a symlink to the package itself (its
// exports map, its dist/ types); every other import (ai, ollama, zod, vitest, ...) from the repository's
// node_modules, where the dev dependencies are installed.
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, "node_modules"), { recursive: true });
symlinkSync(root, join(work, "node_modules", "rungs"), "dir");

const sources = new Map();
for (const [index, block] of blocks.entries()) {
  const name = `${String(index).padStart(3, "0")}-${block.file.replace(/[^A-Za-z0-9]+/g, "_")}-L${block.firstLine}.mts`;
  const path = join(work, name);
  writeFileSync(path, `${block.code}\n`);
  sources.set(path, block);
}

const base = {
  strict: true,
  // The flag the project's own tsconfig adds to strict, common in apps (a user's `record[key]` is
  // `T | undefined`): a block must compile with it too.
  noUncheckedIndexedAccess: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2023.d.ts"],
  types: ["node"],
  moduleDetection: ts.ModuleDetectionKind.Force,
  skipLibCheck: true,
  noEmit: true,
};
const modes = {
  nodenext: { ...base, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  bundler: { ...base, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
};

let errors = 0;
const failedBlocks = new Set();
for (const [mode, options] of Object.entries(modes)) {
  const program = ts.createProgram([...sources.keys()], options);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n    ");
    const block = diagnostic.file ? sources.get(resolve(diagnostic.file.fileName)) : undefined;
    if (diagnostic.file && block && diagnostic.start !== undefined) {
      const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      console.error(
        `${block.file}:${block.firstLine + line}:${character + 1} error TS${diagnostic.code} [${mode}]: ${message}\n` +
          `    in the \`\`\`ts block starting at ${block.file}:${block.firstLine - 1}`,
      );
      failedBlocks.add(block);
    } else {
      const where = diagnostic.file ? `${relative(root, diagnostic.file.fileName)}: ` : "";
      console.error(`${where}error TS${diagnostic.code} [${mode}]: ${message}`);
    }
    errors += 1;
  }
}

if (errors > 0) {
  fail(
    `check:docs: ${errors} error(s) in ${failedBlocks.size} of ${blocks.length} \`\`\`ts blocks (${docs.length} files). ` +
      "Each block must compile on its own: import what it uses, declare placeholders (`declare const task: string;`).",
  );
}
rmSync(work, { recursive: true, force: true });
console.log(
  `check:docs: all ${blocks.length} \`\`\`ts blocks in ${docs.length} files compile (strict, noUncheckedIndexedAccess; nodenext and bundler).`,
);

function defaultDocs() {
  const docsDir = join(docsRoot, "docs");
  const inDocs = readdirSync(docsDir)
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => join(docsDir, name));
  return [join(docsRoot, "README.md"), ...inDocs];
}

function fail(message) {
  console.error(message);
  process.exit(1);
}
