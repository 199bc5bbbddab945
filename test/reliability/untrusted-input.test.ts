// State read back from a store is untrusted, and every input path has a size cap: a damaged stats entry is
// skipped with a warning (never a crash, never a file of blocked tasks read as empty); a config, a
// prompt file or FIFO, and standard input past their cap are refused, whatever stat says.
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { loadLadderConfig, maxConfigBytes } from "../../src/config/index.js";
import { jsonFileStatsStore } from "../../src/record/json-file-stats-store.js";
import { answer, cli } from "../cli/helpers.js";
import { type FakeOllama, startFakeOllama } from "../e2e/fake-ollama.js";
import { useTempDirs } from "../support/temp-dirs.js";
import { captureWarnings } from "../support/warnings.js";

const tempDir = useTempDirs("untrusted");

/** The `RUNGS_STATS_STORE_DAMAGED` warnings raised while `work` runs. */
async function damageWarnings(work: () => Promise<void>): Promise<string[]> {
  const captured = captureWarnings();
  const from = captured.length;
  await work();
  return captured
    .slice(from)
    .filter((warning) => warning.code === "RUNGS_STATS_STORE_DAMAGED")
    .map((warning) => warning.message);
}

describe("a stats file with damaged entries", () => {
  const damage = fc.constantFrom<unknown>(-1, "3", null, 1.5, Number.MAX_VALUE, {}, [], "x", true);
  it("keeps every sound entry, skips each damaged one with a warning naming it (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        damage,
        fc.constantFrom("count", "givenUp", "task", "taskClass"),
        async (bad, where) => {
          // An empty object is a sound task class (no models yet).
          fc.pre(!(where === "taskClass" && typeof bad === "object" && bad !== null && !Array.isArray(bad)));
          const dir = tempDir();
          const path = join(dir, "stats.json");
          const file = {
            version: 1,
            stats: {
              good: { m: { accepted: 2, failed: 1 } },
              bad: { m: { accepted: 1, failed: 0 } },
            } as Record<string, unknown>,
            blocked: { blocked: 5, other: 6 } as Record<string, unknown>,
            tasks: {
              kept: { failures: 1, rung: 0, modelId: "m", feedback: [], updatedAt: 1 },
              other: { failures: 1, rung: 0, modelId: "m", feedback: [], updatedAt: 1 },
            } as Record<string, unknown>,
          };
          if (where === "count") file.stats.bad = { m: { accepted: bad, failed: 0 } };
          if (where === "taskClass") file.stats.bad = bad;
          if (where === "givenUp") file.blocked.other = bad;
          if (where === "task")
            file.tasks.other = { failures: bad, rung: 0, modelId: "m", feedback: [], updatedAt: 1 };
          writeFileSync(path, JSON.stringify(file));
          const store = jsonFileStatsStore(path);
          let reads: unknown[] = [];
          const warnings = await damageWarnings(async () => {
            reads = [
              await store.stats("good", "m"),
              await store.blockedAt("blocked"),
              (await store.getTaskState("kept"))?.failures,
            ];
          });
          expect(reads).toEqual([{ accepted: 2, failed: 1 }, 5, 1]);
          const damaged =
            { count: '"bad"', taskClass: '"bad"', givenUp: '"other"', task: '"other"' }[where] ?? "";
          expect({ where, bad, warned: warnings.join("\n").includes(damaged) }).toEqual({
            where,
            bad,
            warned: true,
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("size caps on every input path", () => {
  let server: FakeOllama;
  beforeAll(async () => {
    server = await startFakeOllama();
  });
  afterAll(() => server.close());

  /** A FIFO that a child process fills with `bytes` bytes of "a" (stat says 0 for a FIFO). */
  const fifo = (dir: string, bytes: number): string => {
    const path = join(dir, "fifo");
    execFileSync("mkfifo", [path]);
    const writer = spawn(process.execPath, [
      "-e",
      `const fs=require("fs");const fd=fs.openSync(${JSON.stringify(path)},"w");const b=Buffer.alloc(1<<16,97);let left=${bytes};try{while(left>0){const n=Math.min(left,b.length);fs.writeSync(fd,b,0,n);left-=n}}catch{}`,
    ]);
    writer.on("error", () => {});
    return path;
  };

  it("a config from a FIFO past maxConfigBytes is refused as too large", async () => {
    const dir = tempDir();
    await expect(loadLadderConfig(fifo(dir, maxConfigBytes + 10))).rejects.toThrow(
      new RegExp(`over ${maxConfigBytes} bytes`),
    );
  });

  it("rungs run --file from a FIFO past 10 MB is refused before any call", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "ladder.yaml"), "ladder: [ollama:m]\n");
    const path = fifo(dir, 10_000_010);
    const result = await cli(["run", "-c", "ladder.yaml", "-f", path], {
      cwd: dir,
      env: { OLLAMA_HOST: server.url },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/over 10000000 bytes/);
    expect(server.chats).toHaveLength(0);
  }, 30_000);

  it("standard input: refused past 10 MB, and a character split between chunks arrives whole", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "ladder.yaml"), "ladder: [ollama:m]\n");
    const run = async (chunks: Buffer[]) => {
      const stdin = new PassThrough();
      for (const chunk of chunks) stdin.write(chunk);
      stdin.end();
      let stderr = "";
      const code = await runCli(["run", "-c", "ladder.yaml"], {
        stdout: { write: () => {} },
        stderr: {
          write: (text: string) => {
            stderr += text;
          },
        },
        stdin,
        env: { OLLAMA_HOST: server.url },
        cwd: dir,
      });
      return { code, stderr };
    };
    server.script(answer("ok"));
    const accent = Buffer.from("café au lait", "utf8");
    const split = accent.indexOf(0xc3) + 1; // between the two bytes of "é"
    expect((await run([accent.subarray(0, split), accent.subarray(split)])).code).toBe(0);
    const sent = JSON.stringify(server.chats.at(-1)?.body.messages);
    expect(sent).toContain("café au lait");
    const before = server.chats.length;
    const tooBig = await run([Buffer.alloc(6_000_000, 97), Buffer.alloc(6_000_000, 97)]);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/over 10000000 bytes/);
    expect(server.chats).toHaveLength(before);
  });
});
