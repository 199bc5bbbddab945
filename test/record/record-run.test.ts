import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { emit } from "../../src/events.js";
import {
  escalateAcross,
  InvalidArgumentError,
  RungsError,
  RungsEvents,
  type StreamMode,
} from "../../src/index.js";
import { writeFileAtomicSync } from "../../src/record/atomic-write.js";
import { recordRun, taskDirFromPath } from "../../src/record/record-run.js";
import { hang, manualClock, scriptedModel } from "../../src/testing/index.js";
import type { Attempt } from "../../src/trace.js";
import { capitalRubric, todoFirst } from "../support/stream-rubrics.js";
import { useTempDirs } from "../support/temp-dirs.js";

const repo = resolve(fileURLToPath(import.meta.url), "../../..");
const tempDir = useTempDirs("record");

const attempt = (overrides: Partial<Attempt> = {}): Attempt => ({
  index: 1,
  rung: 0,
  modelId: "small",
  path: "escalate",
  accepted: false,
  kind: "rejected",
  text: "an answer",
  finishReason: "stop",
  usage: { inputTokens: 10, outputTokens: 5 },
  startedAt: 1_000,
  endedAt: 1_250,
  feedbackChars: 0,
  promptChars: 40,
  ...overrides,
});
const end = (events: RungsEvents, a: Attempt, path = a.path) =>
  emit(events, "attempt-end", { path, timestamp: a.endedAt, attempt: a });
const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"));

describe("recordRun", () => {
  it("writes each attempt as it ends, and summary.json at close", async () => {
    const dir = join(tempDir(), "run"); // created on demand
    const events = new RungsEvents();
    const recorder = recordRun(events, dir, { clock: manualClock(500) });

    end(events, attempt({ text: "first try" }));
    // On disk before the run goes on, not at close.
    expect(readFileSync(join(dir, "attempt_1.txt"), "utf8")).toBe("first try");
    const first = readJson(join(dir, "attempt_1.json"));
    expect(first).toMatchObject({
      file: "attempt_1.txt",
      kind: "rejected",
      modelId: "small",
      durationMs: 250,
      usage: { inputTokens: 10, outputTokens: 5 },
      textChars: 9,
    });
    emit(events, "rung-skip", {
      path: "escalate",
      timestamp: 1_300,
      skip: { rung: 1, modelId: "mid", reason: "learned", detail: "accept rate 0.1 < 0.3", at: 1_300 },
    });
    end(events, attempt({ index: 2, rung: 2, modelId: "large", accepted: true, kind: undefined as never }));
    expect(existsSync(join(dir, "summary.json"))).toBe(false);

    const summary = await recorder.close();
    expect(readJson(join(dir, "summary.json"))).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(summary).toMatchObject({
      attempts: 2,
      accepted: 1,
      byKind: { rejected: 1 },
      usage: { inputTokens: 20, outputTokens: 10 },
      startedAt: 500,
      endedAt: 500,
      writeErrors: [],
    });
    expect(summary.byModel.large).toMatchObject({ attempts: 1, accepted: 1 });
    expect(summary.skips).toEqual([expect.objectContaining({ reason: "learned", modelId: "mid" })]);
    expect(readJson(join(dir, "attempt_2.json"))).toMatchObject({ accepted: true, kind: null, rung: 2 });
  });

  it("records exhaustion, stops listening at close, and closes once", async () => {
    const dir = tempDir();
    const events = new RungsEvents();
    const recorder = recordRun(events, dir);
    end(events, attempt());
    emit(events, "run-exhaust", {
      path: "escalate",
      timestamp: 2_000,
      limit: "maxAttempts",
      attemptCount: 1,
    });
    const summary = await recorder.close();
    expect(summary.exhausted).toEqual([{ path: "escalate", limit: "maxAttempts", attempts: 1, at: 2_000 }]);
    end(events, attempt({ index: 2 }));
    expect(existsSync(join(dir, "attempt_2.json"))).toBe(false);
    expect(await recorder.close()).toBe(summary);
    expect(events.listenerCount("attempt-end")).toBe(0);
  });

  it("masks secrets in the raw text, errors and verdict messages", async () => {
    const dir = tempDir();
    const events = new RungsEvents();
    const recorder = recordRun(events, dir);
    const key = "sk-live0123456789abcdef";
    end(
      events,
      attempt({
        text: `here is your key ${key}`,
        kind: "auth",
        error: { name: "ProviderError", message: `401 for https://user:pw@host/v1?key=${key}`, status: 401 },
      }),
    );
    await recorder.close();
    for (const file of readdirSync(dir)) {
      const content = readFileSync(join(dir, file), "utf8");
      expect(content).not.toContain(key);
      expect(content).not.toContain("user:pw");
    }
    expect(readFileSync(join(dir, "attempt_1.txt"), "utf8")).toBe("here is your key ***");
  });

  it("keeps tasks apart in their own subdirectories, numbered per task, inside the run directory", async () => {
    const dir = tempDir();
    const events = new RungsEvents();
    const recorder = recordRun(events, join(dir, "run"), { taskDir: taskDirFromPath });
    // Interleaved, as concurrent tasks are.
    end(events, attempt({ text: "a1" }), "ifeval[1000]/escalate");
    end(events, attempt({ text: "b1" }), "ifeval[1001]/escalate");
    end(events, attempt({ text: "a2", index: 2, accepted: true, modelId: "large" }), "ifeval[1000]/escalate");
    end(events, attempt({ text: "evil" }), "../../escape/escalate");
    const summary = await recorder.close();

    expect(readFileSync(join(dir, "run", "ifeval[1000]", "attempt_2.txt"), "utf8")).toBe("a2");
    expect(readFileSync(join(dir, "run", "ifeval[1001]", "attempt_1.txt"), "utf8")).toBe("b1");
    expect(readJson(join(dir, "run", "ifeval[1000]", "summary.json"))).toMatchObject({
      attempts: 2,
      accepted: 1,
    });
    expect(summary.tasks["ifeval[1000]"]).toEqual({
      attempts: 2,
      accepted: 1,
      acceptedBy: "large",
      exhausted: false,
      blocked: false,
      status: "accepted",
    });
    expect(summary.attempts).toBe(4);
    // ".." never climbs out of the run directory.
    expect(readdirSync(dir)).toEqual(["run"]);
    expect(readFileSync(join(dir, "run", "__", "attempt_1.txt"), "utf8")).toBe("evil");
  });

  it("lists a record it could not write, keeps recording, and rejects at close", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "attempt_1.txt", "occupied"), { recursive: true }); // a directory where a file must go
    const events = new RungsEvents();
    const recorder = recordRun(events, dir);
    end(events, attempt());
    end(events, attempt({ index: 2 }));
    expect(recorder.summary.writeErrors).toHaveLength(1);
    expect(existsSync(join(dir, "attempt_1.json"))).toBe(true);
    expect(existsSync(join(dir, "attempt_2.txt"))).toBe(true);
    const error = await recorder.close().catch((e: unknown) => e);
    expect(RungsError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/1 record file\(s\).*attempt_1\.txt/);
    expect(readJson(join(dir, "summary.json")).writeErrors).toHaveLength(1);
  });

  it("refuses bad arguments, naming them", () => {
    const dir = tempDir();
    expect(() => recordRun({} as RungsEvents, dir)).toThrow(InvalidArgumentError);
    const error = (() => {
      try {
        recordRun(new RungsEvents(), dir, { taskDir: "x" as never });
      } catch (e) {
        return e;
      }
    })();
    expect((error as InvalidArgumentError).parameter).toBe("options.taskDir");
    expect(() => recordRun(new RungsEvents(), "")).toThrow(/"dir"/);
  });
});

describe("recordRun on a streamed run", () => {
  const rubric = capitalRubric;
  const long = todoFirst;

  /** Records a stream; `deltas` is what each attempt streamed, as the leaves' events told it. */
  const recordStream = (dir: string) => {
    const events = new RungsEvents();
    const recorder = recordRun(events, dir);
    const deltas = new Map<string, string>();
    events.on("output-stream", ({ path, part }) => {
      if (part.type === "text-delta") deltas.set(path, (deltas.get(path) ?? "") + part.text);
    });
    return { events, recorder, deltas };
  };

  it.each<StreamMode>(["live", "accepted-only"])(
    "%s: each attempt's file holds the text it streamed; the early stop is marked, with its time to first token",
    async (mode) => {
      const dir = tempDir();
      const { events, recorder, deltas } = recordStream(dir);
      const clock = manualClock(1_000);
      const after25 = (text: string) => async () => {
        await clock.advance(25);
        return text;
      };
      const ladder = escalateAcross(
        [
          scriptedModel("r1", [after25(long)], { streamChunkChars: 3 }),
          scriptedModel("r2", [after25("Lyon is a fine city.")]),
          scriptedModel("r3", [after25("Paris is the capital of France.")]),
        ],
        { rubric },
      );
      for await (const _part of ladder.stream(
        { prompt: "The capital of France?" },
        { events, clock, mode },
      )) {
        // read to the end
      }
      const paths = ["escalate/attempt[1]", "escalate/attempt[2]", "escalate/attempt[3]"];
      const texts = [1, 2, 3].map((n) => readFileSync(join(dir, `attempt_${n}.txt`), "utf8"));
      // Exactly what each attempt streamed: rung 1 stopped part-way (the TODO in its text), rung 2 whole.
      expect(texts).toEqual(paths.map((path) => deltas.get(path)));
      expect(texts[0]).toContain("TODO");
      expect(texts[0]!.length).toBeLessThan(long.length / 4);
      expect(texts[1]).toBe("Lyon is a fine city.");
      expect(texts[2]).toBe("Paris is the capital of France.");
      const records = [1, 2, 3].map((n) => readJson(join(dir, `attempt_${n}.json`)));
      expect(
        records.map((r) => [r.modelId, r.kind, r.stoppedEarly, r.timeToFirstTokenMs, r.textChars]),
      ).toEqual([
        ["r1", "rejected", true, 25, texts[0]!.length],
        ["r2", "rejected", undefined, 25, 20],
        ["r3", null, undefined, 25, 31],
      ]);
      const summary = await recorder.close();
      expect(summary).toMatchObject({ attempts: 3, accepted: 1, byKind: { rejected: 2 } });
    },
  );

  it("a consumer that leaves early: the cut-off attempt is on disk when the loop exits, with the text it streamed", async () => {
    const dir = tempDir();
    const { events, recorder, deltas } = recordStream(dir);
    const ladder = escalateAcross([scriptedModel("slow", [`Paris, ${"and on ".repeat(200)}`])], { rubric });
    let seen = 0;
    for await (const part of ladder.stream({ prompt: "?" }, { events })) {
      if (part.type === "text-delta") seen += 1;
      if (seen === 5) break;
    }
    // Before close(): the run beneath wound down as the loop left, and its attempt's record ended.
    const record = readJson(join(dir, "attempt_1.json"));
    expect(record).toMatchObject({ status: "ended", kind: "aborted", modelId: "slow" });
    const text = readFileSync(join(dir, "attempt_1.txt"), "utf8");
    expect(text).toBe(deltas.get("escalate/attempt[1]"));
    expect(text.startsWith("Paris, and")).toBe(true);
    expect(record.textChars).toBe(text.length);
    expect((await recorder.close()).byKind).toEqual({ aborted: 1 });
  });

  it("the caller's abort mid-stream: the attempt's record keeps what it streamed before the abort", async () => {
    const dir = tempDir();
    const { events, recorder } = recordStream(dir);
    const controller = new AbortController();
    const ladder = escalateAcross([scriptedModel("h", [{ chunks: ["Par", "is, ", hang] }])]);
    const reading = (async () => {
      for await (const part of ladder.stream({ prompt: "?" }, { events, signal: controller.signal })) {
        if (part.type === "text-delta" && part.text === "is, ") controller.abort(new Error("user cancelled"));
      }
    })();
    await expect(reading).rejects.toThrow("user cancelled");
    expect(readFileSync(join(dir, "attempt_1.txt"), "utf8")).toBe("Paris, ");
    expect(readJson(join(dir, "attempt_1.json"))).toMatchObject({ kind: "aborted", textChars: 7 });
    await recorder.close();
  });

  it("a generated run's records have no stream fields", async () => {
    const dir = tempDir();
    const events = new RungsEvents();
    const recorder = recordRun(events, dir);
    await escalateAcross([scriptedModel("m", ["Paris."])], { rubric }).generate({ prompt: "?" }, { events });
    const record = readJson(join(dir, "attempt_1.json"));
    expect(record.timeToFirstTokenMs).toBeUndefined();
    expect(record.stoppedEarly).toBeUndefined();
    await recorder.close();
  });
});

describe("writeFileAtomicSync", () => {
  it("leaves the old file whole and no temporary file when the write fails", () => {
    const dir = tempDir();
    const file = join(dir, "summary.json");
    writeFileSync(file, "old");
    writeFileAtomicSync(file, "new");
    expect(readFileSync(file, "utf8")).toBe("new");
    mkdirSync(join(dir, "blocked", "inside"), { recursive: true });
    expect(() => writeFileAtomicSync(join(dir, "blocked"), "data")).toThrow();
    expect(readdirSync(dir).sort()).toEqual(["blocked", "summary.json"]);
  });
});

describe("a run killed mid-write", () => {
  it("keeps every finished attempt, and no file is half-written", async () => {
    const dir = tempDir();
    const child = join(dir, "child.ts");
    const runDir = join(dir, "run");
    // The child records attempts with large outputs as fast as it can until it is killed with SIGKILL
    // (no cleanup of any kind runs), so the kill lands in the middle of some write.
    writeFileSync(
      child,
      `import { RungsEvents } from ${JSON.stringify(join(repo, "src/events.ts"))};
       import { emit } from ${JSON.stringify(join(repo, "src/events.ts"))};
       import { recordRun } from ${JSON.stringify(join(repo, "src/record/record-run.ts"))};
       const events = new RungsEvents();
       recordRun(events, ${JSON.stringify(runDir)});
       for (let i = 1; i <= 5000; i += 1) {
         const text = String(i % 10).repeat(400_000);
         emit(events, "attempt-end", { path: "escalate", timestamp: i, attempt: {
           index: i, rung: 0, modelId: "m", path: "escalate", accepted: false, kind: "rejected", text,
           usage: {}, startedAt: i, endedAt: i, feedbackChars: 0, promptChars: 1 } });
         if (i === 5) process.stdout.write("5 written\\n");
       }
       process.stdout.write("finished without being killed\\n");`,
    );
    const output = await new Promise<string>((done, fail) => {
      let seen = "";
      const proc = execFile(process.execPath, ["--import", "tsx", child], { cwd: repo }, (error) => {
        if (error !== null && error.signal !== "SIGKILL") fail(error);
        else done(seen);
      });
      proc.stdout?.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes("5 written")) proc.kill("SIGKILL");
      });
    });
    expect(output).not.toContain("finished without being killed");

    const files = readdirSync(runDir);
    expect(files).not.toContain("summary.json");
    const records = files.filter((name) => /^attempt_\d+\.json$/.test(name));
    expect(records.length).toBeGreaterThanOrEqual(5);
    const numbers = records.map((name) => Number(name.match(/\d+/)?.[0])).sort((a, b) => a - b);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1)); // contiguous: nothing finished was lost
    for (const name of records) {
      const record = readJson(join(runDir, name)); // parses: never half-written
      const text = readFileSync(join(runDir, record.file), "utf8");
      expect(text).toHaveLength(record.textChars);
    }
    for (const name of files.filter((n) => /^attempt_\d+\.txt$/.test(n))) {
      expect(readFileSync(join(runDir, name), "utf8")).toHaveLength(400_000); // whole, or absent
    }
  });

  it("a process killed during a call leaves that attempt recorded as started, and the ended one whole", async () => {
    const runDir = join(tempDir(), "run");
    const output = await new Promise<string>((done, fail) => {
      let seen = "";
      const proc = execFile(
        process.execPath,
        ["--import", "tsx", join(repo, "test/record/fixtures/killed-run.ts"), runDir],
        { cwd: repo },
        (error) => {
          if (error !== null && error.signal !== "SIGKILL") fail(error);
          else done(seen);
        },
      );
      proc.stdout?.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes("calling large")) proc.kill("SIGKILL");
      });
    });
    expect(output).not.toContain("finished without being killed");
    const first = readJson(join(runDir, "attempt_1.json"));
    expect(first).toMatchObject({ status: "ended", rung: 0, modelId: "small", kind: "rejected" });
    // The violations are shared with the rule results in the verdict: written in both places, not "[cycle]".
    expect(first.verdict.violations).toEqual([
      expect.objectContaining({ ruleId: "is-json", message: "not JSON" }),
    ]);
    expect(JSON.stringify(first)).not.toContain("[cycle]");
    const second = readJson(join(runDir, "attempt_2.json"));
    expect(second).toMatchObject({ status: "started", rung: 1, modelId: "large" });
    expect(second.startedAt).toEqual(expect.any(Number));
    expect(existsSync(join(runDir, "attempt_2.txt"))).toBe(false);
  });

  it("numbers attempts as they start, and close() lists a call that never returned", async () => {
    const dir = tempDir();
    const events = new RungsEvents();
    const recorder = recordRun(events, dir, { clock: manualClock(0) });
    const one = attempt({ index: 1, startedAt: 10, endedAt: 30 });
    const two = attempt({ index: 2, startedAt: 20, endedAt: 25, path: "escalate/attempt[2]" });
    const start = (a: Attempt) =>
      emit(events, "attempt-start", {
        path: a.path,
        timestamp: a.startedAt,
        attempt: {
          index: a.index,
          rung: a.rung,
          modelId: a.modelId,
          path: a.path,
          startedAt: a.startedAt,
          promptChars: a.promptChars,
          feedbackChars: a.feedbackChars,
        },
      });
    start(one);
    expect(readJson(join(dir, "attempt_1.json"))).toMatchObject({ status: "started", index: 1 });
    start(two);
    end(events, two); // ends first, keeps its number
    expect(readJson(join(dir, "attempt_2.json"))).toMatchObject({ status: "ended", index: 2 });
    expect(readJson(join(dir, "attempt_1.json"))).toMatchObject({ status: "started" });
    const hung = attempt({ index: 3, startedAt: 40, path: "escalate/attempt[3]" });
    start(hung);
    end(events, one);
    expect(readJson(join(dir, "attempt_1.json"))).toMatchObject({
      status: "ended",
      index: 1,
      durationMs: 20,
    });
    const summary = await recorder.close();
    expect(summary.attempts).toBe(2);
    expect(summary.unfinished).toEqual([
      { file: "attempt_3.json", path: "escalate/attempt[3]", rung: 0, modelId: "small", startedAt: 40 },
    ]);
  });
});
