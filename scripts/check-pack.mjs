// Package budget and lean root entry, checked on the built package (run after `npm run build`):
// - `npm pack --dry-run --json`: at most 1.5 MB packed and 5 MB unpacked, and the IFEval language data
//   shipped once (one JSON file, no bundle or source map carrying the tables);
// - the root entry (`rungs`, ESM and CJS) never loads the IFEval pack, ollama, ai or OpenTelemetry: its
//   module graph in dist/ (static and dynamic imports, requires) reaches none of them.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const maxPacked = 1.5 * 1024 * 1024;
const maxUnpacked = 5 * 1024 * 1024;
/** No file but the language data may be this large (a bundle or map carrying the tables would be). */
const maxOtherFile = 512 * 1024;
const languageData = "dist/ifeval-language-data.json";

const problems = [];
const [pack] = JSON.parse(
  execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }),
);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
console.log(`npm pack: ${mb(pack.size)} packed, ${mb(pack.unpackedSize)} unpacked, ${pack.entryCount} files`);
if (pack.size > maxPacked) problems.push(`packed size ${mb(pack.size)} is over the ${mb(maxPacked)} budget`);
if (pack.unpackedSize > maxUnpacked) {
  problems.push(`unpacked size ${mb(pack.unpackedSize)} is over the ${mb(maxUnpacked)} budget`);
}
if (!pack.files.some((file) => file.path === languageData))
  problems.push(`${languageData} is not in the package`);
for (const file of pack.files) {
  if (file.path !== languageData && file.size > maxOtherFile) {
    problems.push(
      `${file.path} is ${mb(file.size)}: only ${languageData} may be that large (data bundled again?)`,
    );
  }
}

// Nothing in the package points outside it: a source map whose sources are not shipped (nor embedded)
// makes a user's vitest print "Sourcemap ... points to missing source files" and stack traces name
// node_modules/rungs/src/*.ts, which does not exist. Every sourceMappingURL must name a shipped map, and
// every map's sources must be shipped files or carry their content.
const shipped = new Set(pack.files.map((file) => file.path));
let maps = 0;
for (const file of pack.files) {
  const path = join(root, file.path);
  if (/\.(c|m)?js$/.test(file.path)) {
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(path, "utf8"))?.[1];
    if (url !== undefined && !url.startsWith("data:")) {
      const target = join(dirname(file.path), url);
      if (!shipped.has(target)) problems.push(`${file.path} names a source map that is not shipped: ${url}`);
    }
  }
  if (!file.path.endsWith(".map")) continue;
  maps += 1;
  const map = JSON.parse(readFileSync(path, "utf8"));
  const missing = (map.sources ?? []).filter(
    (source, index) =>
      typeof map.sourcesContent?.[index] !== "string" &&
      !shipped.has(join(dirname(file.path), map.sourceRoot ?? "", source)),
  );
  if (missing.length > 0) {
    problems.push(
      `${file.path} points to ${missing.length} source file(s) not in the package (e.g. ${missing[0]}), without their content`,
    );
  }
}
console.log(`source maps: ${maps} shipped; each checked to point only inside the package`);

// The root entry's module graph, followed through relative imports and requires inside dist/.
const forbidden = [
  /^ollama(\/|$)/,
  /^ioredis(\/|$)/,
  /^ai(\/|$)/,
  /^@ai-sdk\//,
  /^langdetect(\/|$)/,
  /^vitest(\/|$)/,
  /^@opentelemetry\//,
];
for (const entry of ["dist/index.js", "dist/index.cjs"]) {
  const seen = new Set();
  const bare = new Set();
  const queue = [join(root, entry)];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, "utf8");
    if (code.includes("ifeval-language-data")) problems.push(`${entry} loads the IFEval pack (via ${file})`);
    if (code.includes("assertPeerInstalled(")) problems.push(`${entry} loads an optional peer (via ${file})`);
    const specifiers = code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g);
    for (const [, specifier] of specifiers) {
      if (specifier.startsWith(".")) queue.push(resolve(dirname(file), specifier));
      else bare.add(specifier);
    }
  }
  for (const specifier of bare) {
    if (forbidden.some((pattern) => pattern.test(specifier))) problems.push(`${entry} loads "${specifier}"`);
  }
  for (const file of seen) {
    if (/[/\\](ifeval|ollama|ai-sdk|vitest|otel)\.(c?js)$/.test(file))
      problems.push(`${entry} loads ${file}`);
  }
  console.log(`${entry}: ${seen.size} files; packages: ${[...bare].sort().join(", ")}`);
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`check-pack: ${problem}`);
  process.exit(1);
}
console.log("check-pack: within budget; the root entry loads neither rungs/ifeval's data, ollama nor ai");
