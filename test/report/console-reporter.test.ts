import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  consoleReporter,
  defineRubric,
  escalateAcross,
  InvalidArgumentError,
  matches,
  RungsEvents,
} from "../../src/index.js";
import { memoryStatsStore } from "../../src/record/memory-stats-store.js";
import { manualClock, scriptedModel } from "../../src/testing/index.js";
import { capitalRubric } from "../support/stream-rubrics.js";

const execFileAsync = promisify(execFile);
const fixture = fileURLToPath(new URL("./fixtures/env-log-run.ts", import.meta.url));

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const rubric = defineRubric({ id: "r", rules: [matches("says-ok", /ok/)] });
const ladder = () =>
  escalateAcross(
    [
      scriptedModel("small", [{ text: "nope", usage: { inputTokens: 10, outputTokens: 3 } }]),
      scriptedModel("big", ["ok"]),
    ],
    { rubric },
  );

async function lines(level: "quiet" | "normal" | "verbose"): Promise<string[]> {
  const out: string[] = [];
  const events = new RungsEvents();
  const stop = consoleReporter(events, { level, write: (line) => out.push(line) });
  await ladder().generate({ prompt: "say ok" }, { events });
  stop();
  return out;
}

describe("consoleReporter", () => {
  it("prints a resumed task (normal) and a blocked task (every level), from real runs on a store", async () => {
    for (const level of ["quiet", "normal"] as const) {
      const out: string[] = [];
      const events = new RungsEvents();
      const stop = consoleReporter(events, { level, write: (line) => out.push(line) });
      const store = memoryStatsStore();
      const failing = escalateAcross([scriptedModel("small", ["nope"]), scriptedModel("big", ["nope"])], {
        rubric,
        store,
        maxAttempts: 1,
      });
      const task = { prompt: "say ok", metadata: { taskId: "job-7" } };
      // Run 1 fails on the small rung; run 2 resumes above it and fails the top: the task is given up;
      // run 3 is refused before any call.
      await expect(failing.generate(task, { events })).rejects.toThrow();
      await expect(failing.generate(task, { events })).rejects.toThrow();
      await expect(failing.generate(task, { events })).rejects.toThrow(/blocked/);
      stop();
      const resumed = out.filter((line) => / resumed task "job-7"/.test(line));
      const blocked = out.filter((line) => / blocked task "job-7"/.test(line));
      expect(blocked, level).toHaveLength(1);
      expect(blocked[0]).toMatch(/blocked at \d{4}-\d\d-\d\dT/);
      if (level === "normal") {
        expect(resumed).toHaveLength(1);
        expect(resumed[0]).toMatch(/at rung 1/);
      } else expect(resumed).toHaveLength(0);
    }
  });

  it("normal: one line per attempt with path, model, outcome, verdict, ms and tokens", async () => {
    const out = await lines("normal");
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(
      /^\[rungs\] escalate\/attempt\[1\] small rejected 0\/1 \(0\.00\) \[says-ok\] \d+ms 10→3 tok$/,
    );
    expect(out[1]).toMatch(/^\[rungs\] escalate\/attempt\[2\] big accepted 1\/1 \(1\.00\) \d+ms$/);
  });

  it("verbose adds attempt starts and the failed rules' messages; quiet only skips and exhaustion", async () => {
    const verbose = await lines("verbose");
    expect(verbose.some((l) => /attempt\[1\] start small \(rung 0/.test(l))).toBe(true);
    expect(verbose.some((l) => /^\[rungs\] {3}says-ok: /.test(l))).toBe(true);
    expect(await lines("quiet")).toEqual([]);
    const out: string[] = [];
    const events = new RungsEvents();
    consoleReporter(events, { level: "quiet", write: (l) => out.push(l) });
    await escalateAcross([scriptedModel("m", ["no"])], { rubric })
      .generate({ prompt: "x" }, { events })
      .catch(() => {});
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\[rungs\] escalate exhausted: \w+ after 1 attempt$/);
  });

  describe("a streamed ladder", () => {
    // Rung 1 is stopped early by a prefix rule, rung 2 is rejected at its end, rung 3 is accepted; every
    // model waits 25 ms (on the run's clock) before its first delta, then streams 1-char deltas.
    const streamRubric = capitalRubric;
    async function streamed(level: "normal" | "verbose"): Promise<string[]> {
      const clock = manualClock(1_000);
      const after25 = (text: string) => async () => {
        await clock.advance(25);
        return text;
      };
      const model = (id: string, text: string) => scriptedModel(id, [after25(text)], { streamChunkChars: 1 });
      const ladder = escalateAcross(
        [
          model("r1", `TODO later. ${"and more ".repeat(30)}`),
          model("r2", "Lyon is a fine city."),
          model("r3", "Paris is the capital."),
        ],
        { rubric: streamRubric },
      );
      const out: string[] = [];
      const events = new RungsEvents();
      const stop = consoleReporter(events, { level, write: (line) => out.push(line) });
      for await (const _part of ladder.stream({ prompt: "capital?" }, { events, clock })) {
        // Read every part: the reporter prints from the events, not from the parts.
      }
      stop();
      return out;
    }

    it("normal: per attempt its time to first token and, for a discarded one, why; no line per delta", async () => {
      const out = await streamed("normal");
      // Two lines per discarded attempt (its end, its discard), one for the accepted one, in any order.
      expect(out).toHaveLength(5);
      expect(out).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^\[rungs\] escalate\/attempt\[1\] discard r1: rejected, stopped early, 32 streamed chars taken back: no-todo: failed \(judged on the first 32 chars/,
          ),
          expect.stringMatching(
            /^\[rungs\] escalate\/attempt\[1\] r1 rejected 0\/1 \(0\.00\) \[no-todo\] \d+ms \?→32 tok, first token 25ms, stopped early$/,
          ),
          expect.stringMatching(
            /^\[rungs\] escalate\/attempt\[2\] discard r2: rejected, 20 streamed chars taken back: names-paris: /,
          ),
          expect.stringMatching(
            /^\[rungs\] escalate\/attempt\[2\] r2 rejected 1\/2 \(0\.50\) \[names-paris\] \d+ms, first token 25ms$/,
          ),
          expect.stringMatching(
            /^\[rungs\] escalate\/attempt\[3\] r3 accepted 2\/2 \(1\.00\) \d+ms, first token 25ms$/,
          ),
        ]),
      );
    });

    it("verbose: one first-token line per attempt, however many deltas it streamed", async () => {
      const out = await streamed("verbose");
      expect(out.filter((line) => line.includes("first token after"))).toEqual([
        "[rungs] escalate/attempt[1] first token after 25ms",
        "[rungs] escalate/attempt[2] first token after 25ms",
        "[rungs] escalate/attempt[3] first token after 25ms",
      ]);
      // 3 starts, 3 first tokens, 2 discards, 3 ends, the rejected attempts' rule messages: no delta lines.
      expect(out.length).toBeLessThan(16);
    });

    it("a run that is generated, not streamed, shows no stream facts", async () => {
      const out = await lines("normal");
      expect(out.join("\n")).not.toMatch(/first token|discard|stopped early/);
    });
  });

  it("stops printing once the returned function is called, and refuses bad options", async () => {
    const out: string[] = [];
    const events = new RungsEvents();
    consoleReporter(events, { write: (l) => out.push(l) })();
    await ladder().generate({ prompt: "x" }, { events });
    expect(out).toEqual([]);
    expect(() => consoleReporter(events, { level: "loud" as never })).toThrow(InvalidArgumentError);
    expect(() => consoleReporter({} as never)).toThrow(/must be a RungsEvents/);
  });

  // RUNGS_LOG is read once, as rungs loads: each case is a process of its own, as a user runs one.
  const runWith = async (value: string | undefined, ...args: string[]) => {
    const env = { ...process.env };
    delete env.RUNGS_LOG;
    if (value !== undefined) env.RUNGS_LOG = value;
    const { stderr } = await execFileAsync(process.execPath, ["--import", "tsx", fixture, ...args], { env });
    return { stderr, lines: stderr.split("\n").filter((l) => l.startsWith("[rungs] ")) };
  };

  it("RUNGS_LOG=1 prints attempt lines to stderr for a caller that passes no events, and for a sink it makes", async () => {
    const { lines } = await runWith("1", "--with-sink");
    expect(lines.filter((l) => l.startsWith("[rungs] escalate/attempt["))).toHaveLength(3);
  });

  it("RUNGS_LOG=1 under withOtel prints each attempt once, generated or streamed, with a sink or without", async () => {
    const { lines } = await runWith("1", "--with-otel");
    expect(lines.filter((l) => / traced accepted /.test(l))).toHaveLength(4);
  });

  it.each([undefined, "", "0", "false", "off", "OFF", "no", "none"])(
    "RUNGS_LOG=%j prints nothing",
    async (value) => {
      const { stderr } = await runWith(value);
      expect(stderr).not.toContain("[rungs]");
      expect(stderr).not.toContain("RUNGS_LOG_UNKNOWN");
    },
  );

  it("an unknown RUNGS_LOG value prints nothing but a warning naming the accepted values", async () => {
    const { stderr } = await runWith("loud");
    expect(stderr).not.toContain("[rungs] ");
    expect(stderr).toContain("RUNGS_LOG_UNKNOWN");
    expect(stderr).toContain("Use 1 (or normal), quiet or verbose");
  });
});
