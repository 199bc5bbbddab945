import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RungsEvents } from "../../src/index.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { recordRun, taskDirFromPath } from "../../src/record/record-run.js";
import { defineRubric } from "../../src/rubric/rubric.js";
import { scriptedModel } from "../../src/testing/index.js";
import { readRun } from "../../src/view/read-run.js";
import { RunReadError } from "../../src/view/run-read-error.js";
import { noTodoRubric } from "../support/stream-rubrics.js";
import { useTempDirs } from "../support/temp-dirs.js";

const tempDir = useTempDirs("view-read");
const write = (file: string, data: unknown) => {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, typeof data === "string" ? data : JSON.stringify(data));
};

describe("readRun", () => {
  it("reads what recordRun writes: tasks, outcomes, rules, feedback, figures per rung", async () => {
    const dir = tempDir();
    const events = new RungsEvents();
    const recorder = recordRun(events, dir, { taskDir: taskDirFromPath });
    const rubric = defineRubric({
      id: "has-ok",
      rules: [{ id: "says-ok", description: "Say ok.", check: (text: string) => text.includes("ok") }],
    });
    const ladder = escalateAcross(
      [scriptedModel("small", ["nope", "nope"]), scriptedModel("large", ["ok", "still no"])],
      {
        rubric,
      },
    );
    await ladder.generate({ prompt: "say ok" }, { events, path: "task-a" });
    await ladder.generate({ prompt: "say ok" }, { events, path: "task-b" }).catch(() => undefined); // small "nope", large "still no": exhausted
    const summary = await recorder.close();

    const { view, details } = await readRun(dir, {
      prices: { small: { inputPerMillion: 1, outputPerMillion: 2 } },
    });
    expect(view.tasks.map((t) => [t.name, t.outcome, t.attempts, t.answeredBy])).toEqual([
      ["task-a", "accepted", 2, "large"],
      ["task-b", "exhausted", 2, undefined],
    ]);
    expect(view.source).toBe("summary");
    expect(view.outcomes).toEqual({ accepted: 1, exhausted: 1, blocked: 0, unfinished: 0 });
    expect(view.rungs.map((r) => [r.modelId, r.rung, r.attempts, r.accepted])).toEqual(
      Object.entries(summary.byModel).map(([id, m], rung) => [id, rung, m.attempts, m.accepted]),
    );
    expect(view.tasks[0]!.failedRules).toEqual(["says-ok"]);
    // Prices for one model of two: the total is left out, and the page says which model had none.
    expect(view.costUsd).toBeUndefined();
    expect(view.unpriced).toEqual(["large"]);
    const [first, second] = details[0]!.attempts;
    expect([first!.text, first!.rules[0]!.pass, second!.text, second!.accepted]).toEqual([
      "nope",
      false,
      "ok",
      true,
    ]);
    expect(second!.feedbackChars).toBeGreaterThan(0);
    expect(second!.feedback).toContain("rule says-ok");
    expect(details[1]!.events.join("\n")).toMatch(/exhausted after 2 attempt\(s\) \(limit: everyRungTried\)/);
  });

  it("reads a streamed run: the early stop and each attempt's time to first token, not as notes", async () => {
    const dir = tempDir();
    const events = new RungsEvents();
    const recorder = recordRun(events, dir);
    const rubric = noTodoRubric;
    const ladder = escalateAcross(
      [scriptedModel("small", [`TODO ${"later ".repeat(50)}`]), scriptedModel("large", ["done"])],
      { rubric },
    );
    for await (const _part of ladder.stream({ prompt: "go" }, { events })) {
      // read to the end
    }
    await recorder.close();
    const { details } = await readRun(dir);
    const [first, second] = details[0]!.attempts;
    expect(first).toMatchObject({ kind: "rejected", stoppedEarly: true, notes: [] });
    expect(first!.text).toContain("TODO");
    expect(first!.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(second!.stoppedEarly).toBeUndefined();
    expect(second!.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
  });

  it("shows records it does not fully understand: unknown fields as notes, bad JSON as a warning, no summary", async () => {
    const dir = tempDir();
    write(join(dir, "t1", "attempt_1.json"), {
      modelId: 7, // not a string
      accepted: "yes", // not a boolean
      verdict: { results: [{ ruleId: "r", pass: false }, "junk", null], passed: "x" },
      usage: null,
      renamedLater: { status: "done" },
      trace: {
        continuation: {
          pieces: [{ index: 0, chars: 5, finishReason: "length" }, null],
          stoppedBy: "maxContinuations",
        },
      },
    });
    write(join(dir, "t1", "attempt_2.json"), "{ not json");
    write(join(dir, "t1", "attempt_2.txt"), "text without a readable record");
    write(join(dir, "t1", "attempt_3.json"), { status: "started", modelId: "m", rung: 1 }); // killed mid-call
    write(join(dir, "t2", "attempt_10.json"), [1, 2]);
    const { view, details } = await readRun(dir);
    expect(view.source).toBe("records");
    expect(view.warnings[0]).toMatch(/No summary\.json/);
    expect(view.warnings.some((w) => w.startsWith(join("t1", "attempt_2.json")))).toBe(true);
    expect(view.tasks.map((t) => [t.name, t.outcome, t.attempts])).toEqual([
      ["t1", "unfinished", 3],
      ["t2", "unfinished", 1],
    ]);
    const [one, two] = details[0]!.attempts;
    expect(one).toMatchObject({
      n: 1,
      modelId: "(unknown model)",
      accepted: false,
      rules: [{ ruleId: "r", pass: false }],
    });
    expect(one!.text).toBeUndefined();
    expect(one!.notes).toEqual(['renamedLater: {"status":"done"}']);
    expect(one!.nodes.map((n) => n.label)).toEqual(["piece 1", "piece 2", "stopped"]);
    expect(two!.text).toBe("text without a readable record");
    expect(details[0]!.attempts[2]).toMatchObject({ n: 3, modelId: "m", unfinished: true, notes: [] });
    // Counted per rung only once ended: the started one has no outcome or tokens yet.
    expect(view.rungs.map((r) => r.modelId)).not.toContain("m");
    expect(details[1]!.attempts[0]!.notes[0]).toMatch(/not an object/);
  });

  it("lists a task the summary names without records: a blocked task's run makes no attempt", async () => {
    const dir = tempDir();
    write(join(dir, "a", "attempt_1.json"), { status: "ended", modelId: "m", accepted: true });
    write(join(dir, "b", "summary.json"), { blocked: [{ path: "b", taskId: "task-b", status: "blocked" }] });
    write(join(dir, "summary.json"), {
      tasks: { a: { status: "accepted" }, b: { status: "blocked" } },
      byModel: { m: { attempts: 1, accepted: 1, usage: {} } },
    });
    const { view, details } = await readRun(dir);
    expect(view.tasks.map((t) => [t.name, t.outcome, t.attempts])).toEqual([
      ["a", "accepted", 1],
      ["b", "blocked", 0],
    ]);
    expect(view.outcomes).toMatchObject({ accepted: 1, blocked: 1 });
    expect(details[1]!.events).toEqual(["refused: task task-b is blocked (exhausted in an earlier run)"]);
  });

  it("masks secrets in a record written elsewhere, as recordRun masks them", async () => {
    const dir = tempDir();
    const key = "sk-live0123456789abcdef";
    write(join(dir, "attempt_1.json"), { modelId: "m", error: { message: `401 for Bearer ${key}` } });
    write(join(dir, "attempt_1.txt"), `my key is ${key}`);
    const { details } = await readRun(dir);
    const [attempt] = details[0]!.attempts;
    expect(`${attempt!.text} ${attempt!.error}`).not.toContain(key);
    expect(attempt!.text).toBe("my key is ***");
  });

  it("refuses a directory with no records, a file, and a missing directory, naming the fix", async () => {
    const dir = tempDir();
    await expect(readRun(dir)).rejects.toThrow(
      /No attempt records \(attempt_N\.json\) in .*: pass the directory/,
    );
    write(join(dir, "file.txt"), "x");
    await expect(readRun(join(dir, "file.txt"))).rejects.toThrow(/is a file: pass the run directory/);
    const error = await readRun(join(dir, "missing")).catch((e: unknown) => e);
    expect(RunReadError.isInstance(error)).toBe(true);
    expect((error as RunReadError).path).toBe(join(dir, "missing"));
    write(join(dir, "a", "attempt_1.json"), {});
    write(join(dir, "b", "attempt_1.json"), {});
    await expect(readRun(dir, { maxRecords: 1 })).rejects.toThrow(/over 1 attempt records/);
  });
});
