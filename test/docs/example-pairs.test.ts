// Doc examples meant to go together run together: every ```yaml block that names its file in a first-line
// comment (`# ladder.yaml`) is written to a scratch directory with every ```ts block of the same page that
// reads that file (`"./ladder.yaml"`), and the block is run there, as a reader would run it, against a
// loopback Ollama server that OLLAMA_HOST names. The pairs are found in README.md and docs/*.md, not listed.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import tsup from "../../tsup.config.js";
import { answer, cli } from "../cli/helpers.js";
import { type FakeOllama, startFakeOllama } from "../e2e/fake-ollama.js";

interface Block {
  lang: string;
  code: string;
  line: number;
}

function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^```(\w+)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end += 1;
    blocks.push({ lang: open[1]!, code: lines.slice(start + 1, end).join("\n"), line: start + 2 });
    i = end;
  }
  return blocks;
}

interface Pair {
  page: string;
  file: string;
  data: string;
  code: string;
  line: number;
}

async function pairs(): Promise<Pair[]> {
  const pages = [
    "README.md",
    ...(await readdir("docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
  ];
  const found: Pair[] = [];
  for (const page of pages.sort()) {
    const blocks = blocksOf(await readFile(page, "utf8"));
    const files = new Map<string, string>();
    for (const block of blocks) {
      const name = /^#\s*([\w.-]+\.(?:ya?ml|json))\s*$/.exec(block.code.split("\n")[0] ?? "")?.[1];
      if (name !== undefined && (block.lang === "yaml" || block.lang === "json")) files.set(name, block.code);
    }
    for (const block of blocks) {
      if (block.lang !== "ts") continue;
      for (const [file, data] of files) {
        if (block.code.includes(`"./${file}"`))
          found.push({ page, file, data, code: block.code, line: block.line });
      }
    }
  }
  return found;
}

/** `"rungs"`, `"rungs/config"`, ... → the source entry tsup builds each from (no build needed). */
function fromSource(code: string): string {
  const entries = (tsup as { entry: Record<string, string> }).entry;
  return code.replace(/from "rungs(\/[\w-]+)?"/g, (_, sub: string | undefined) => {
    const name = sub === undefined ? "index" : sub.slice(1);
    const entry = entries[name];
    if (entry === undefined) throw new Error(`no build entry for "rungs${sub ?? ""}"`);
    return `from ${JSON.stringify(pathToFileURL(resolve(entry)).href)}`;
  });
}

const tsx = pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href;

function run(
  file: string,
  cwd: string,
  host: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", tsx, file],
      { cwd, env: { ...process.env, OLLAMA_HOST: host, NODE_OPTIONS: "" }, timeout: 60_000 },
      (error, stdout, stderr) => {
        done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
      },
    );
  });
}

describe("doc examples that go together", () => {
  let server: FakeOllama;
  let found: Pair[] = [];
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startFakeOllama();
    found = await pairs();
  });
  afterAll(async () => {
    await server.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("finds the pairs (docs/config.md's ladder.yaml and its loadLadder snippet among them)", () => {
    expect(found.map((p) => `${p.page}:${p.file}`)).toContain("docs/config.md:ladder.yaml");
  });

  it("runs each ts block beside the file it reads", async () => {
    for (const pair of found) {
      const dir = await mkdtemp(join(tmpdir(), "rungs-doc-pair-"));
      dirs.push(dir);
      await writeFile(join(dir, pair.file), pair.data);
      await writeFile(join(dir, "example.mts"), fromSource(pair.code));
      server.script(...Array.from({ length: 10 }, () => answer("42")));
      const result = await run("example.mts", dir, server.url);
      expect(result.code, `${pair.page}:${pair.line} with ${pair.file}:\n${result.stderr}`).toBe(0);
      expect(result.stderr, `${pair.page}:${pair.line}`).toBe("");
    }
  }, 120_000);

  it("the rungs command line takes each named config file with its built-in providers", async () => {
    for (const pair of found) {
      const dir = await mkdtemp(join(tmpdir(), "rungs-doc-pair-"));
      dirs.push(dir);
      await writeFile(join(dir, pair.file), pair.data);
      // Providers are built in; a rubric is the caller's (a --setup module), so a named one is replaced by
      // the built-in non-empty rubric here.
      const rubric = /^rubric:/m.test(pair.data) ? ["--rubric", "non-empty"] : [];
      const check = await cli(["check", "--config", pair.file, ...rubric], {
        cwd: dir,
        env: { OLLAMA_HOST: server.url },
      });
      expect(check.code, `${pair.page}: rungs check --config ${pair.file}\n${check.stderr}`).toBe(0);
    }
  });
});
