// `npm run check:docs` holds the docs' tables and named paths to the source: on a copy of the docs with a
// table row, a hand-written list, a path or a link altered, it fails, names the place, shows the diff and the
// command that fixes it; `npm run docs:tables` (docs-tables.mjs --write) regenerates the generated tables.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDirs } from "../support/temp-dirs.js";

const root = resolve(import.meta.dirname, "..", "..");
const tempDir = useTempDirs("check-docs");

/** A copy of README.md and docs/*.md, as the check reads them. */
function copyDocs(): string {
  const dir = tempDir();
  mkdirSync(join(dir, "docs"));
  cpSync(join(root, "README.md"), join(dir, "README.md"));
  cpSync(join(root, "docs"), join(dir, "docs"), {
    recursive: true,
    filter: (path) => !path.includes(`${join("docs", "api")}`),
  });
  return dir;
}

function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  expect(text, `${file} should contain ${from}`).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

// Each run reads the source with the TypeScript compiler: seconds, more on a busy machine, hence the timeouts.
function run(script: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, "scripts", script), ...args], {
    cwd: root,
    encoding: "utf8",
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * The blocks compile against the built package (dist/): a fresh clone that runs `npm test` before any build
 * (the README's set-up block) builds it here first, as `npm run check:docs` asks a person to.
 */
function ensureBuilt(): void {
  if (existsSync(join(root, "dist", "index.d.ts"))) return;
  const built = spawnSync("npm", ["run", "build"], { cwd: root, encoding: "utf8" });
  expect(built.status, `${built.stdout}${built.stderr}`).toBe(0);
}

describe("check:docs against the source", () => {
  it("compiles each block with noUncheckedIndexedAccess, as the project's own settings do", () => {
    ensureBuilt();
    const dir = copyDocs();
    // A block that compiles under plain `strict` only: an indexed record is `string | undefined` with the flag.
    const block = [
      "```ts",
      "declare const answers: Record<string, string>;",
      'const answer: string = answers["paris"];',
      "console.log(answer);",
      "```",
      "",
    ].join("\n");
    writeFileSync(
      join(dir, "docs/streaming.md"),
      `${readFileSync(join(dir, "docs/streaming.md"), "utf8")}\n${block}`,
    );

    const failed = run("check-docs.mjs", "--docs-root", dir);
    expect(failed.status).toBe(1);
    expect(failed.output).toMatch(
      /docs\/streaming\.md:\d+:\d+ error TS2322 \[nodenext\]: Type 'string \| undefined'/,
    );
    expect(failed.output).toMatch(/check:docs: 2 error\(s\) in 1 of \d+ ```ts blocks/);
  }, 240_000);

  it("fails on an altered generated row with the diff and the fix command, and docs:tables repairs it", () => {
    const dir = copyDocs();
    // The events table of the Model contract, generated from RungsEventMap: rename one event in the docs.
    edit(dir, "docs/model-contract.md", "| `task-block` |", "| `task-refused` |");

    const failed = run("check-docs.mjs", "--docs-root", dir);
    expect(failed.status).toBe(1);
    expect(failed.output).toMatch(/docs\/model-contract\.md:\d+: the generated "events" table is stale/);
    expect(failed.output).toContain("  - | `task-refused` |");
    expect(failed.output).toContain("  + | `task-block` |");
    expect(failed.output).toContain("npm run docs:tables");

    expect(run("docs-tables.mjs", "--write", "--docs-root", dir).status).toBe(0);
    expect(readFileSync(join(dir, "docs/model-contract.md"), "utf8")).toBe(
      readFileSync(join(root, "docs/model-contract.md"), "utf8"),
    );
  }, 120_000);

  it("fails on a hand-written list that lost a key, a path that does not exist, a dead anchor, a non-event", () => {
    const dir = copyDocs();
    // escalation.md's skip reasons are written by hand and checked against SkipReason.
    edit(dir, "docs/escalation.md", "   - `escalated`:", "   - escalated:");
    edit(
      dir,
      "docs/architecture.md",
      "`test/core-imports.test.ts`",
      "`test/no-such-dir/core-imports.test.ts`",
    );
    edit(dir, "README.md", "(docs/model-contract.md#errors)", "(docs/model-contract.md#no-such-heading)");
    // A sentence naming an event that is not one (an old name left behind by a rename).
    edit(dir, "docs/escalation.md", "a `task-block` event", "a `task-blocked` event");

    const failed = run("check-docs.mjs", "--docs-root", dir);
    expect(failed.status).toBe(1);
    expect(failed.output).toMatch(
      /docs\/escalation\.md:\d+: the hand-written "skip-reasons" list .* missing `escalated`/,
    );
    expect(failed.output).toMatch(
      /docs\/architecture\.md:\d+: `test\/no-such-dir\/core-imports\.test\.ts` does not exist/,
    );
    expect(failed.output).toMatch(
      /README\.md:\d+: .*`docs\/model-contract\.md` has no heading #no-such-heading/,
    );
    expect(failed.output).toMatch(
      /docs\/escalation\.md:\d+: `task-blocked` is called an event, but RungsEventMap has no such event/,
    );
  }, 120_000);
});
