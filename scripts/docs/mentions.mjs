// Names the docs mention in prose must exist in the source: a `noun-verb` code span called an event
// ("a `task-block` event", "`rung-skip` events") must be one of RungsEventMap's events, so a renamed event
// left in a sentence fails the check like a stale table does.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * @param docsRoot where the Markdown files are read
 * @param files Markdown files, relative to `docsRoot`
 * @param facts the source facts (source-facts.mjs)
 * @returns problems, each `file:line: ...`
 */
export function checkMentions(docsRoot, files, facts) {
  const events = new Set(facts.events.map((event) => event.name));
  const problems = [];
  for (const file of files) {
    let fenced = false;
    readFileSync(join(docsRoot, file), "utf8")
      .split("\n")
      .forEach((line, index) => {
        if (/^\s*```/.test(line)) fenced = !fenced;
        if (fenced) return;
        for (const match of line.matchAll(/`([a-z]+(?:-[a-z]+)+)` events?\b/g)) {
          const name = match[1] ?? "";
          if (!events.has(name))
            problems.push(
              `${file}:${index + 1}: \`${name}\` is called an event, but RungsEventMap has no such event (it has ${[...events].map((e) => `\`${e}\``).join(", ")})`,
            );
        }
      });
  }
  return problems;
}
