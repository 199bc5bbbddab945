// The `rungs` bin as separate processes sharing one stats file: escalation and blocking survive a respawn.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answer } from "../cli/helpers.js";
import { type FakeOllama, startFakeOllama } from "./fake-ollama.js";

const main = resolve("src/cli/main.ts");
// tsx by path: the processes run in a temporary folder, where the bare name does not resolve.
const tsx = pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href;

function rungs(
  args: string[],
  cwd: string,
  host: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", tsx, main, ...args],
      { cwd, env: { ...process.env, OLLAMA_HOST: host, NODE_OPTIONS: "" }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe("rungs run in separate processes sharing a store", () => {
  let server: FakeOllama;
  let dir: string;
  beforeAll(async () => {
    server = await startFakeOllama();
    dir = await mkdtemp(join(tmpdir(), "rungs-cli-proc-"));
    // One model per run, as a dispatcher runs it: a failed run leaves the task a rung higher.
    await writeFile(
      join(dir, "ladder.yaml"),
      "ladder: [ollama:small, ollama:big]\nmaxAttempts: 1\nstore: stats.json\n",
    );
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a failed task starts escalated in the next process, stays blocked once blocked until unblocked, and success resets it", async () => {
    const run = (prompt: string) =>
      rungs(["run", "-c", "ladder.yaml", "-p", prompt, "--task-id", "T-1"], dir, server.url);
    const models = () => server.chats.map((c) => c.body.model);

    server.script(answer(""));
    const first = await run("one");
    expect(first.code).toBe(1);
    expect(models()).toEqual(["small"]);

    server.script(answer(""));
    const second = await run("two");
    expect(second.code).toBe(1);
    expect(models()).toEqual(["small", "big"]);
    expect(second.stderr).toMatch(
      /\[resume\] task "T-1" has failed 1 attempt\(s\).*starting at rung 1 \("ollama:big"\)/,
    );
    expect(second.stderr).toMatch(/\[skip\] escalate rung 0 ollama:small: escalated/);
    // The earlier process's failure reached the big model as feedback.
    expect(JSON.stringify(server.chats[1]!.body.messages)).toContain(
      "of an earlier run (model ollama:small) failed: empty",
    );

    const third = await run("three");
    expect(third.code).toBe(3);
    expect(third.stderr).toContain('task "T-1" is blocked');
    expect(third.stderr).toContain(`rungs unblock T-1 --store ${join(dir, "stats.json")}`);
    expect(server.chats).toHaveLength(2);

    const unblock = await rungs(["unblock", "T-1", "--store", "stats.json"], dir, server.url);
    expect(unblock.code).toBe(0);

    server.script(answer("done"));
    const fourth = await run("four");
    expect(fourth.code).toBe(0);
    expect(fourth.stdout).toBe("done\n");
    expect(models()).toEqual(["small", "big", "big"]);

    // Success reset the task: its next run starts at the bottom again.
    server.script(answer("again"));
    const fifth = await run("five");
    expect(fifth.code).toBe(0);
    expect(models()).toEqual(["small", "big", "big", "small"]);
    expect(fifth.stderr).not.toContain("[resume]");
  }, 180_000);
});

describe("rungs run stopped by a signal", () => {
  let server: FakeOllama;
  let dir: string;
  beforeAll(async () => {
    server = await startFakeOllama();
    dir = await mkdtemp(join(tmpdir(), "rungs-cli-signal-"));
    await writeFile(join(dir, "ladder.yaml"), "ladder: [ollama:small]\n");
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const) {
    it(`${signal} during a call: the call is aborted, the record's summary written, the stop labelled, exit ${code}`, async () => {
      // The model never answers: only the signal ends the run.
      server.script(() => undefined);
      const before = server.chats.length;
      const child = spawn(
        process.execPath,
        ["--import", tsx, main, "run", "-c", "ladder.yaml", "-p", "hi", "--record", `rec-${signal}`],
        { cwd: dir, env: { ...process.env, OLLAMA_HOST: server.url, NODE_OPTIONS: "" } },
      );
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((done) => child.once("exit", (status) => done(status)));
      await server.untilChats(before + 1);
      child.kill(signal);
      const status = await exited;
      expect(status, stderr).toBe(code);
      expect(stderr).toContain(`rungs: interrupted (${signal}); no answer`);
      expect(stderr).toMatch(/rungs: recorded 1 attempt\(s\) in /);
      const summary = JSON.parse(await readFile(join(dir, `rec-${signal}`, "summary.json"), "utf8"));
      expect(summary.attempts).toBe(1);
    }, 60_000);
  }
});
