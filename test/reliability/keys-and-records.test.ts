// Class "ids as plain-object keys" and the records: ids from outside (model ids, task ids, task classes)
// never touch a prototype, one rule holds for non-string ids, stores keep every key through a reload, and
// records never lose, merge or overwrite an attempt.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  escalateAcross,
  InvalidArgumentError,
  jsonFileStatsStore,
  type Model,
  RungsEvents,
  recordRun,
  retryWithContext,
} from "../../src/index.js";
import { replayModel, scriptedModel } from "../../src/testing/index.js";
import { useTempDirs } from "../support/temp-dirs.js";

const tempDir = useTempDirs("keys");
afterEach(() => {
  delete (Object.prototype as Record<string, unknown>).attempts;
});
const ask = (metadata?: Record<string, unknown>) =>
  ({
    messages: [{ role: "user" as const, content: "q" }],
    ...(metadata === undefined ? {} : { metadata }),
  }) as never;

describe("ids from outside as keys", () => {
  it('a replayed model id "__proto__" recorded by recordRun counts as a model and pollutes nothing', async () => {
    const events = new RungsEvents();
    const recorder = recordRun(events, tempDir());
    const model = replayModel([{ modelId: "__proto__", request: ask(), generation: { text: "ok" } }]);
    await retryWithContext(model).generate(ask(), { events });
    const summary = await recorder.close();
    expect(({} as Record<string, unknown>).attempts).toBeUndefined();
    expect(Object.hasOwn(summary.byModel, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(summary.byModel, "__proto__")?.value?.attempts).toBe(1);
    const file = JSON.parse(readFileSync(join(recorder.dir, "summary.json"), "utf8")) as {
      byModel: Record<string, { attempts: number }>;
    };
    expect(Object.hasOwn(file.byModel, "__proto__")).toBe(true);
  });

  it("a non-string taskId or taskClass is refused before any call, naming the fix", async () => {
    const store = jsonFileStatsStore(join(tempDir(), "stats.json"));
    const model = scriptedModel("m", ["x"], { whenDone: "repeat-last" });
    for (const metadata of [{ taskId: 7 }, { taskClass: 3 }, { taskId: "" }]) {
      const error = await retryWithContext(model, { store, maxAttempts: 1 })
        .generate(ask(metadata))
        .catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/must be a non-empty string/);
    }
    expect(model.calls).toHaveLength(0);
    expect((await store.toJSON()).blocked).toEqual({});
  });

  it('a "__proto__" task id and task class survive a reload of the stats file', async () => {
    const path = join(tempDir(), "stats.json");
    const store = jsonFileStatsStore(path);
    await store.block("__proto__", 1_000);
    await store.record({ taskClass: "__proto__", modelId: "__proto__", accepted: true });
    await store.flush();
    // A fresh process: the file is read anew.
    const copy = path.replace("stats.json", "copy.json");
    writeFileSync(copy, readFileSync(path));
    const reloaded = jsonFileStatsStore(copy);
    expect(await reloaded.blockedAt("__proto__")).toBe(1_000);
    expect(await reloaded.stats("__proto__", "__proto__")).toEqual({ accepted: 1, failed: 0 });
  });
});

describe("records never lose, merge or overwrite an attempt", () => {
  it("two task names that sanitize alike get two directories", async () => {
    const events = new RungsEvents();
    const recorder = recordRun(events, tempDir(), { taskDir: (path) => path.split("/")[0] });
    for (const task of ["a?b", "a*b"]) {
      await retryWithContext(scriptedModel("m", [task])).generate(ask(), { events, path: task });
    }
    await recorder.close();
    const taskDirs = readdirSync(recorder.dir)
      .filter((name) => name !== "summary.json")
      .sort();
    expect(taskDirs).toHaveLength(2);
    const texts = taskDirs
      .map((dir) => readFileSync(join(recorder.dir, dir, "attempt_1.txt"), "utf8"))
      .sort();
    expect(texts).toEqual(["a*b", "a?b"]);
  });

  it("a trace that does not serialise and a taskDir that throws: the record is still written and reported", async () => {
    const events = new RungsEvents();
    const warnings: string[] = [];
    events.on("run-warn", (w) => warnings.push(w.code));
    const recorder = recordRun(events, tempDir(), {
      taskDir: () => {
        throw new Error("no dir for you");
      },
    });
    const odd: Model = {
      id: "odd",
      generate: async () => ({
        text: "the answer",
        finishReason: "stop",
        usage: {},
        modelId: "odd",
        trace: { huge: 10n } as never,
      }),
    };
    const answer = await escalateAcross([{ model: odd }]).generate(ask(), { events });
    expect(answer.text).toBe("the answer");
    const summary = await recorder.close().catch((e: unknown) => e);
    expect(readFileSync(join(recorder.dir, "attempt_1.txt"), "utf8")).toBe("the answer");
    expect(JSON.parse(readFileSync(join(recorder.dir, "attempt_1.json"), "utf8")).trace).toMatch(
      /not serialisable/,
    );
    expect(warnings).toContain("record-failed");
    expect(String((summary as Error).message)).toMatch(/could not be written/);
  });
});
