import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { escalateAcross, RungsEvents } from "../../src/index.js";
import { jsonFileStatsStore } from "../../src/record/json-file-stats-store.js";
import { recordRun } from "../../src/record/record-run.js";
import { scriptedModel } from "../../src/testing/index.js";
import { type FakeOllama, startFakeOllama } from "../e2e/fake-ollama.js";
import { noTodoRubric } from "../support/stream-rubrics.js";
import { answer, cli, notFound } from "./helpers.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "rungs-cli-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("rungs --help and usage", () => {
  it("every command has --help with the exit codes; usage errors exit 2", async () => {
    const top = await cli(["--help"], { cwd: dir });
    expect(top.code).toBe(0);
    for (const command of ["run", "check", "stats", "blocked", "unblock", "replay"]) {
      expect(top.stdout).toContain(command);
      const help = await cli([command, "--help"], { cwd: dir });
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/Usage: rungs \w+/);
      expect(help.stdout, command).toContain("Exit codes:");
    }
    expect((await cli([], { cwd: dir })).code).toBe(2);
    const unknown = await cli(["rnu"], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Did you mean run\?/);
    expect((await cli(["run", "--prompt", "x"], { cwd: dir })).stderr).toMatch(/--config/);
  });
});

describe("rungs check", () => {
  it("prints the ladder a config expands to, and a bad config's problems with exit 2", async () => {
    await writeFile(
      join(dir, "ladder.yaml"),
      [
        "models:",
        "  off: ollama:qwen3:8b",
        "  high: { model: 'ollama:gpt-oss:120b', maxAttempts: 2, skipIf: [{ metadata: { private: true }, reason: stays local }] }",
        "start: off",
        "escalation: { off: high }",
        "rubric: non-empty",
      ].join("\n"),
    );
    const ok = await cli(["check", "--config", "ladder.yaml"], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/0 +off \(ollama:qwen3:8b\) +ollama:qwen3:8b +1 +full/);
    expect(ok.stdout).toMatch(
      /1 +high \(ollama:gpt-oss:120b\) +ollama:gpt-oss:120b +2 +full +- +stays local/,
    );

    await writeFile(join(dir, "bad.yaml"), "ladder:\n  - model: ollama:a\n    maxAttemps: 2\n");
    const bad = await cli(["check", "-c", "bad.yaml"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("ladder[0].maxAttemps: unknown key");
    expect(bad.stderr).toContain('did you mean "maxAttempts"?');
    expect(bad.stderr).toContain("got 2");
    const rubric = await cli(["check", "-c", "ladder.yaml", "--rubric", "non-empyt"], { cwd: dir });
    expect(rubric.code).toBe(2);
    expect(rubric.stderr).toContain('did you mean "non-empty"?');
    // Every problem in one report: a key typo, an unknown provider and an unknown rubric.
    await writeFile(join(dir, "all.yaml"), "ladder: [olama:a]\nrubric: non-empyt\nmaxAttempt: 2\n");
    const all = await cli(["check", "-c", "all.yaml"], { cwd: dir });
    expect(all.code).toBe(2);
    expect(all.stderr).toContain("(3 problems)");
    expect(all.stderr).toContain('did you mean "maxAttempts"?');
    expect(all.stderr).toContain('no provider "olama"');
    expect(all.stderr).toContain('did you mean "non-empty"?');
  });
});

describe("rungs run against a loopback Ollama server", () => {
  let server: FakeOllama;
  beforeEach(async () => {
    server = await startFakeOllama();
  });
  afterEach(async () => {
    await server.close();
  });

  it("a two-rung config whose first model answers 404 climbs to the second; progress shows it; replay reads the record", async () => {
    await writeFile(join(dir, "ladder.yaml"), "ladder:\n  - ollama:missing-model\n  - ollama:qwen3:8b\n");
    server.script(notFound, answer("the answer"));
    const run = await cli(["run", "-c", "ladder.yaml", "--prompt", "What is 6*7?", "--record", "runs/1"], {
      cwd: dir,
      env: { OLLAMA_HOST: server.url },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("the answer\n");
    expect(server.chats.map((c) => c.body.model)).toEqual(["missing-model", "qwen3:8b"]);
    const lines = run.stderr.split("\n");
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[attempt 1\] escalate rung 0 ollama:missing-model: model-not-found in \d+ms/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[attempt 2\] escalate rung 1 ollama:qwen3:8b: accepted in \d+ms/),
    );
    expect(run.stderr).toContain("accepted from ollama:qwen3:8b");

    const replay = await cli(["replay", "runs/1"], { cwd: dir });
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/attempt_1\.json +0 +ollama:missing-model +model-not-found/);
    expect(replay.stdout).toMatch(/attempt_2\.json +1 +ollama:qwen3:8b +accepted/);
    expect(replay.stdout).toContain("2 attempt(s), 1 accepted.");
  });

  it("--json prints the whole Generation; no accepted answer exits 1; a skip condition reads --meta", async () => {
    await writeFile(
      join(dir, "ladder.yaml"),
      "ladder:\n  - ollama:local\n  - { model: 'ollama:cloud', skipIf: [{ metadata: { private: true }, reason: private data stays local }] }\n",
    );
    server.script(answer("  "));
    const failed = await cli(["run", "-c", "ladder.yaml", "-p", "q", "--meta", "private=true"], {
      cwd: dir,
      env: { OLLAMA_HOST: server.url },
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /\[skip\] escalate rung 1 ollama:cloud: disabled \(private data stays local\)/,
    );
    expect(server.chats).toHaveLength(1);

    server.script(answer("fine"));
    const ok = await cli(["run", "-c", "ladder.yaml", "-p", "q", "--json"], {
      cwd: dir,
      env: { OLLAMA_HOST: server.url },
    });
    expect(ok.code).toBe(0);
    const generation = JSON.parse(ok.stdout);
    expect(generation).toMatchObject({
      text: "fine",
      modelId: "ollama:local",
      trace: { attempts: [{ accepted: true }] },
    });
  });
});

describe("rungs run with context documents and a split size", () => {
  let server: FakeOllama;
  beforeEach(async () => {
    server = await startFakeOllama();
  });
  afterEach(async () => {
    await server.close();
  });

  it("--context files reach the model; --split-chars makes a long request a map-reduce tree", async () => {
    await writeFile(join(dir, "ladder.yaml"), "ladder: [ollama:qwen3:8b]\n");
    await writeFile(join(dir, "short.md"), "The launch moved to Tuesday.");
    const env = { OLLAMA_HOST: server.url };
    server.script(answer("Tuesday"));
    const direct = await cli(
      ["run", "-c", "ladder.yaml", "-p", "When is the launch?", "--context", "short.md"],
      {
        cwd: dir,
        env,
      },
    );
    expect(direct.code, direct.stderr).toBe(0);
    expect(server.chats).toHaveLength(1);
    expect(JSON.stringify(server.chats[0]!.body.messages)).toContain("The launch moved to Tuesday.");

    const long = Array.from(
      { length: 4 },
      (_, i) => `Report ${i}. ${"Numbers went up this quarter. ".repeat(60)}`,
    );
    await writeFile(join(dir, "a.md"), long.slice(0, 2).join("\n\n"));
    await writeFile(join(dir, "b.md"), long.slice(2).join("\n\n"));
    server.script(...Array.from({ length: 40 }, () => answer("notes: up")));
    const split = await cli(
      ["run", "-c", "ladder.yaml", "-p", "Summarise.", "--context", "a.md", "b.md", "--split-chars", "2000"],
      { cwd: dir, env },
    );
    expect(split.code, split.stderr).toBe(0);
    expect(split.stdout).toBe("notes: up\n");
    expect(server.chats.length).toBeGreaterThan(3); // the shards' map calls, then the answer
    for (const chat of server.chats.slice(1))
      expect(JSON.stringify(chat.body.messages).length).toBeLessThan(4_000);

    const bad = await cli(["run", "-c", "ladder.yaml", "-p", "x", "--split-chars", "lots"], {
      cwd: dir,
      env,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--split-chars takes a whole number");
    const missing = await cli(["run", "-c", "ladder.yaml", "-p", "x", "--context", "nope.md"], {
      cwd: dir,
      env,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Cannot read --context nope.md");
  });
});

describe("rungs stats, blocked and unblock", () => {
  it("show accept rates, blocked and escalated tasks; unblock lets a task run", async () => {
    const path = join(dir, "stats.json");
    const store = jsonFileStatsStore(path);
    await store.record({ taskClass: "sql", modelId: "ollama:a", accepted: true });
    await store.record({ taskClass: "sql", modelId: "ollama:a", accepted: false });
    const failure = { attempts: [1], modelId: "ollama:a", kind: "rejected" as const };
    await store.recordTaskFailure("t-blocked", { rung: 1, modelId: "ollama:b", failure, at: 1_000, keep: 8 });
    await store.block("t-blocked", 2_000);
    await store.recordTaskFailure("t-escalated", {
      rung: 0,
      modelId: "ollama:a",
      failure,
      at: 3_000,
      keep: 8,
    });

    const stats = await cli(["stats", "--store", "stats.json"], { cwd: dir });
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/sql +ollama:a +1 +1 +0\.50/);
    expect(stats.stdout).toMatch(
      /Blocked tasks \(1\)[\s\S]*t-blocked +1970-01-01T00:00:02\.000Z +ollama:b \(rung 1\) +1/,
    );
    expect(stats.stdout).toMatch(/Escalated tasks \(1\)[\s\S]*t-escalated +1 +ollama:a \(rung 0\)/);

    const blocked = await cli(["blocked", "-s", "stats.json", "--json"], { cwd: dir });
    expect(JSON.parse(blocked.stdout)).toEqual({ "t-blocked": 2_000 });

    const unblock = await cli(["unblock", "t-blocked", "--store", "stats.json"], { cwd: dir });
    expect(unblock.code).toBe(0);
    expect(unblock.stdout).toContain('its next run starts above "ollama:b"');
    expect(await jsonFileStatsStore(path).blockedAt("t-blocked")).toBeUndefined();
    expect(await jsonFileStatsStore(path).getTaskState("t-blocked")).toBeDefined();
    await cli(["unblock", "t-escalated", "--store", "stats.json", "--reset"], { cwd: dir });
    expect(await jsonFileStatsStore(path).getTaskState("t-escalated")).toBeUndefined();
    expect((await cli(["blocked", "-s", "stats.json"], { cwd: dir })).stdout).toBe("No blocked tasks.\n");

    const missing = await cli(["stats", "--store", "nope.json"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/No stats file at/);
    await writeFile(join(dir, "bad.json"), "{oops");
    expect((await cli(["stats", "--store", "bad.json"], { cwd: dir })).code).toBe(4);
    expect((await cli(["replay", "."], { cwd: join(dir) })).code).toBe(2);
    expect(await readdir(dir)).not.toContain("nope.json");
    // An attempt whose process was killed during the call: recorded as started, shown as never ended.
    await mkdir(join(dir, "killed"));
    await writeFile(
      join(dir, "killed", "attempt_1.json"),
      JSON.stringify({ status: "started", index: 1, rung: 1, modelId: "big", path: "escalate/attempt[1]" }),
    );
    expect((await cli(["replay", "killed"], { cwd: dir })).stdout).toMatch(
      /attempt_1\.json +1 +big +started, never ended/,
    );
  });
});

describe("hints and errors an operator acts on", () => {
  it("the blocked-task hint names the store by an absolute path, and works from any directory", async () => {
    await mkdir(join(dir, "conf"));
    await mkdir(join(dir, "elsewhere"));
    await mkdir(join(dir, "third"));
    await writeFile(join(dir, "conf", "ladder.yaml"), "ladder: [ollama:a]\nstore: stats.json\n");
    await jsonFileStatsStore(join(dir, "conf", "stats.json")).block("job 7", 1_000);
    const run = await cli(["run", "-c", "../conf/ladder.yaml", "-p", "x", "--task-id", "job 7"], {
      cwd: join(dir, "elsewhere"),
    });
    expect(run.code).toBe(3);
    const hint = /Run `(rungs unblock .*)` to run it again/.exec(run.stderr)?.[1];
    expect(hint).toBe(`rungs unblock 'job 7' --store ${join(dir, "conf", "stats.json")}`);
    // The hinted command, as a shell would split it, from yet another directory.
    const argv = hint!
      .slice("rungs ".length)
      .match(/'[^']*'|\S+/g)!
      .map((arg) => arg.replace(/^'(.*)'$/, "$1"));
    const unblock = await cli(argv, { cwd: join(dir, "third") });
    expect(unblock.code, unblock.stderr).toBe(0);
    expect(await jsonFileStatsStore(join(dir, "conf", "stats.json")).blockedAt("job 7")).toBeUndefined();
  });

  it("--debug prints a caller bug's stack and its cause's; without it, a hint to use --debug", async () => {
    await writeFile(join(dir, "ladder.yaml"), "ladder: [buggy:m]\n");
    await writeFile(
      join(dir, "setup.mjs"),
      [
        "export const providers = {",
        '  buggy: (model) => ({ id: "buggy:" + model, generate: async () => {',
        "    const settings = undefined;",
        "    return { text: settings.text };",
        "  } }),",
        "};",
      ].join("\n"),
    );
    const args = ["run", "-c", "ladder.yaml", "--setup", "setup.mjs", "-p", "x"];
    const plain = await cli(args, { cwd: dir });
    expect(plain.code).toBe(4);
    expect(plain.stderr).toMatch(/rungs: .*TypeError/);
    expect(plain.stderr).toContain("run with --debug");
    expect(plain.stderr).not.toContain("Caused by:");
    const debug = await cli(["--debug", ...args], { cwd: dir });
    expect(debug.code).toBe(4);
    expect(debug.stderr).toMatch(
      /Caused by: TypeError: Cannot read properties of undefined \(reading 'text'\)\n\s+at .*setup\.mjs:4/,
    );
    // The flag may come after the command too.
    expect((await cli([...args, "--debug"], { cwd: dir })).stderr).toContain("Caused by: TypeError");
  });

  it("--stream shows each attempt's text on stderr as it streams, marks the rejected one, and prints only the accepted answer on stdout", async () => {
    await writeFile(join(dir, "ladder.yaml"), "ladder: [hand:small, hand:large]\nrubric: says-paris\n");
    await writeFile(
      join(dir, "setup.mjs"),
      [
        "const texts = { small: ['Lyon ', 'is nice \\u001b[2J'], large: ['Paris ', 'it is.'] };",
        "const model = (name) => ({",
        '  id: "hand:" + name,',
        "  generate: async () => ({ text: texts[name].join(''), finishReason: 'stop', usage: {}, modelId: 'hand:' + name }),",
        "  async *stream() {",
        "    for (const text of texts[name]) yield { type: 'text-delta', text };",
        "    yield { type: 'finish', generation: { text: texts[name].join(''), finishReason: 'stop', usage: {}, modelId: 'hand:' + name } };",
        "  },",
        "});",
        "const verdict = (ok) => ({ rubricId: 'says-paris', accepted: ok, score: ok ? 1 : 0, passed: ok ? 1 : 0, total: 1,",
        "  results: [{ ruleId: 'paris', pass: ok, score: ok ? 1 : 0, weight: 1, required: false, durationMs: 0, message: ok ? undefined : 'must name Paris' }],",
        "  violations: ok ? [] : [{ ruleId: 'paris', pass: false, score: 0, weight: 1, required: false, durationMs: 0, message: 'must name Paris' }] });",
        "export const providers = { hand: (name) => model(name) };",
        "export const rubrics = { 'says-paris': { id: 'says-paris', rules: [], threshold: 1, evaluate: async (text) => verdict(text.includes('Paris')) } };",
      ].join("\n"),
    );
    const run = await cli(
      ["run", "-c", "ladder.yaml", "--setup", "setup.mjs", "-p", "Capital of France?", "--stream"],
      {
        cwd: dir,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("Paris it is.\n");
    const lines = run.stderr.split("\n");
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const order = [
      at(/^\[stream\] escalate\/attempt\[1\] rung 0 hand:small:$/),
      at(/^Lyon is nice /),
      at(
        /^\[discard\] escalate\/attempt\[1\] hand:small: rejected — paris: must name Paris \(\d+ chars taken back\)$/,
      ),
      at(/^\[stream\] escalate\/attempt\[2\] rung 1 hand:large:$/),
      at(/^Paris it is\.$/),
      at(/^\[attempt 1\] escalate rung 0 hand:small: rejected 0\/1 in/),
      at(/^\[attempt 2\] escalate rung 1 hand:large: accepted 1\/1 in/),
      at(/accepted from hand:large/),
    ];
    expect(
      order.every((index) => index >= 0),
      run.stderr,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // A model's text reaches the terminal escaped, never as a control sequence.
    expect(run.stderr).not.toContain("\u001b");
    expect(run.stderr).toContain("\\u001b[2J");
  });
});

describe("rungs replay of a streamed run", () => {
  it("shows an attempt a prefix rule stopped early", async () => {
    const events = new RungsEvents();
    const recorder = recordRun(events, join(dir, "streamed"));
    const rubric = noTodoRubric;
    const ladder = escalateAcross(
      [scriptedModel("small", [`TODO ${"later ".repeat(50)}`]), scriptedModel("large", ["done"])],
      { rubric },
    );
    for await (const _part of ladder.stream({ prompt: "go" }, { events })) {
      // read to the end
    }
    await recorder.close();
    const replay = await cli(["replay", "streamed"], { cwd: dir });
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/attempt_1\.json +0 +small +rejected, stopped early /);
    expect(replay.stdout).toMatch(/attempt_2\.json +1 +large +accepted /);
  });

  it("stdout is escaped when it is a terminal, and raw to a pipe: a model's answer cannot drive the terminal", async () => {
    await writeFile(join(dir, "ladder.yaml"), "ladder: [hand:m]\n");
    await writeFile(
      join(dir, "setup.mjs"),
      [
        "const text = 'clear \\u001b[2J title \\u001b]0;owned\\u0007 bidi \\u202e end';",
        "export const providers = { hand: (name) => ({ id: 'hand:' + name,",
        "  generate: async () => ({ text, finishReason: 'stop', usage: {}, modelId: 'hand:' + name }) }) };",
      ].join("\n"),
    );
    const run = async (isTTY: boolean) => {
      let stdout = "";
      const code = await runCli(["run", "-c", "ladder.yaml", "--setup", "setup.mjs", "-p", "x"], {
        stdout: { write: (text: string) => (stdout += text), isTTY },
        stderr: { write: () => true },
        env: {},
        cwd: dir,
      });
      return { code, stdout };
    };
    const terminal = await run(true);
    expect(terminal.code).toBe(0);
    for (const control of ["\u001b", "\u0007", "\u202e"]) expect(terminal.stdout).not.toContain(control);
    expect(terminal.stdout).toContain("\\u001b[2J");
    const pipe = await run(false);
    expect(pipe.stdout).toBe("clear \u001b[2J title \u001b]0;owned\u0007 bidi \u202e end\n");
  });
});
