// Every repository path the docs name must exist: `code` spans that start with a top-level folder of the
// repository (src/, test/, docs/, ...) and relative Markdown links, with their #anchors. Paths git ignores
// (built or generated output such as dist/, docs/api/, bench/results/) and globs are not files to check.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * @param root the repository (where named paths must exist)
 * @param docsRoot where the Markdown files are read (the repository, or a copy of its docs)
 * @param files Markdown files, relative to `docsRoot`
 * @returns problems, each `file:line: ...`
 */
export function checkPaths(root, docsRoot, files) {
  const topLevel = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !["node_modules", ".git", ".tmp", "dist"].includes(entry.name))
    .map((entry) => entry.name);
  const problems = [];
  const ignored = gitIgnored(root);
  for (const file of files) {
    const lines = readFileSync(join(docsRoot, file), "utf8").split("\n");
    let fenced = false;
    lines.forEach((line, index) => {
      if (/^\s*```/.test(line)) fenced = !fenced;
      if (fenced) return;
      const where = `${file}:${index + 1}`;
      for (const match of line.matchAll(/`([^`\s]+)`/g)) {
        const path = (match[1] ?? "").replace(/:\d+(?::\d+)?$/, "");
        if (!topLevel.some((dir) => path.startsWith(`${dir}/`)) || /[*{<]/.test(path)) continue;
        if (!existsSync(join(root, path)) && !ignored(path))
          problems.push(`${where}: \`${path}\` does not exist`);
      }
      for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] ?? "";
        if (/^[a-z]+:/i.test(target)) continue;
        const [pathPart = "", anchor] = target.split("#");
        const path =
          pathPart === ""
            ? file
            : relative(docsRoot, resolve(docsRoot, dirname(file), pathPart))
                .split("\\")
                .join("/");
        const inDocs = existsSync(join(docsRoot, path));
        if (!inDocs && !existsSync(join(root, path)) && !ignored(path)) {
          problems.push(`${where}: the link \`${target}\` points at \`${path}\`, which does not exist`);
        } else if (anchor && path.endsWith(".md")) {
          const markdown = readFileSync(join(inDocs ? docsRoot : root, path), "utf8");
          if (!headingSlugs(markdown).has(anchor))
            problems.push(`${where}: the link \`${target}\`: \`${path}\` has no heading #${anchor}`);
        }
      }
    });
  }
  return problems;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingSlugs(markdown) {
  const slugs = new Set();
  const counts = new Map();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? undefined : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    slugs.add(seen === 0 ? base : `${base}-${seen}`);
  }
  return slugs;
}

/** Whether git ignores a path (built or generated output); without git, nothing counts as ignored. */
function gitIgnored(root) {
  return (path) => spawnSync("git", ["check-ignore", "-q", "--no-index", path], { cwd: root }).status === 0;
}
