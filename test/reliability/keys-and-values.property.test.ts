// Prototype-named keys wherever a string keys a lookup (ids, task classes, finish reasons from the wire,
// config names, stored fields), and values JSON cannot hold (BigInt, functions, symbols, shared
// references, cycles) in metadata, answers and events: every public route treats them as data (property).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, ladderFromConfig } from "../../src/config/index.js";
import {
  CircuitBreakers,
  consoleReporter,
  defineModel,
  defineRubric,
  escalateAcross,
  memoryStatsStore,
  nonEmpty,
  RungsEvents,
  recordRun,
  retryWithContext,
  taskDirFromPath,
} from "../../src/index.js";
import { ollamaModel } from "../../src/providers/ollama/index.js";
import { jsonFileStatsStore } from "../../src/record/json-file-stats-store.js";
import { recordingModel, scriptedModel } from "../../src/testing/index.js";
import { cli } from "../cli/helpers.js";
import { chatResponse, type FakeOllama, json, startFakeOllama } from "../e2e/fake-ollama.js";
import { useTempDirs } from "../support/temp-dirs.js";
import { captureWarnings } from "../support/warnings.js";

const tempDir = useTempDirs("keys");
const protoNames = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];
const key = fc.oneof(fc.constantFrom(...protoNames), fc.string({ minLength: 1, maxLength: 8 }));

describe("prototype-named keys are data", () => {
  it("stats stores (memory and JSON file) keep and read back task classes, model ids and task ids (property)", async () => {
    await fc.assert(
      fc.asyncProperty(key, key, fc.constantFrom(...protoNames), async (taskClass, modelId, absent) => {
        fc.pre(absent !== taskClass && absent !== modelId);
        const path = join(tempDir(), "stats.json");
        for (const store of [memoryStatsStore(), jsonFileStatsStore(path)]) {
          await store.record({ taskClass, modelId, accepted: true });
          await store.block(modelId, 7);
          const failure = { attempts: [1], modelId, kind: "rejected" as const };
          await store.recordTaskFailure(taskClass, { rung: 0, modelId, failure, at: 1, keep: 3 });
          expect(await store.stats(taskClass, modelId)).toEqual({ accepted: 1, failed: 0 });
          expect(await store.blockedAt(modelId)).toBe(7);
          expect((await store.getTaskState(taskClass))?.failures).toBe(1);
          // A name the store never saw finds nothing, even when Object.prototype has it.
          expect(await store.blockedAt(absent)).toBeUndefined();
          expect(await store.getTaskState(absent)).toBeUndefined();
          expect(await store.stats(absent, absent)).toEqual({ accepted: 0, failed: 0 });
        }
        const reread = jsonFileStatsStore(path);
        expect(await reread.stats(taskClass, modelId)).toEqual({ accepted: 1, failed: 0 });
        expect(({} as Record<string, unknown>).accepted).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  });

  it("rungs unblock of a task id Object.prototype has: not blocked, no escalation found", async () => {
    for (const name of protoNames) {
      const dir = tempDir();
      const path = join(dir, "stats.json");
      const store = jsonFileStatsStore(path);
      await store.block("other", 1);
      const { stdout, code } = await cli(["unblock", name, "-s", "stats.json"], { cwd: dir });
      expect(code).toBe(0);
      expect(stdout).toBe(`"${name}" was not blocked; nothing changed.\n`);
    }
  });

  it("breakers, records and task dirs keep a prototype-named model id apart (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...protoNames), async (id) => {
        const breakers = new CircuitBreakers();
        expect(breakers.get(id).state).toBe("closed");
        const events = new RungsEvents();
        const recorder = recordRun(events, tempDir(), { taskDir: taskDirFromPath });
        await escalateAcross([{ model: scriptedModel(id, ["ok"]) }]).generate(
          { prompt: "q", metadata: { taskId: id } },
          { events, path: id },
        );
        const summary = await recorder.close();
        expect(summary.byModel[id]?.attempts).toBe(1);
        expect(summary.tasks[id]?.status).toBe("accepted");
      }),
      { numRuns: 12 },
    );
  });

  it("a config naming a model or escalation step after a prototype property: a name like any other", () => {
    // "__proto__" would be dropped silently by any JSON tool on the way: refused by name instead.
    expect(() =>
      ladderFromConfig(
        { models: { ["__proto__"]: "ollama:x" }, start: "__proto__", escalation: {} },
        { providers: { ollama: (model) => scriptedModel(model, ["ok"]) } },
      ),
    ).toThrow(/"__proto__".*rename it/);
    for (const name of protoNames.filter((n) => n !== "__proto__")) {
      const ladder = ladderFromConfig(
        { models: { [name]: "ollama:x", top: "ollama:y" }, start: name, escalation: { [name]: "top" } },
        { providers: { ollama: (model) => scriptedModel(model, ["ok"]) } },
      );
      expect(ladder.rungs.map((rung) => rung.modelId)).toEqual(["x", "y"]);
      // A name nobody defines is refused, even when Object.prototype has it.
      expect(() =>
        ladderFromConfig(
          { models: { a: "ollama:x" }, start: "a", escalation: { a: name } },
          { providers: { ollama: (model) => scriptedModel(model, ["ok"]) } },
        ),
      ).toThrow(ConfigError);
    }
  });

  describe("a finish reason from the wire", () => {
    let server: FakeOllama;
    beforeAll(async () => {
      server = await startFakeOllama();
    });
    afterAll(() => server.close());
    it("named after a prototype property is an unknown reason ('other'), not a lookup hit", async () => {
      for (const reason of protoNames) {
        server.script((res) => json(res, 200, chatResponse("hi", { done_reason: reason, eval_count: 1 })));
        const model = ollamaModel({ model: "m", host: server.url, stream: false, retry: { maxRetries: 0 } });
        const generation = await model.generate({ messages: [{ role: "user", content: "q" }] });
        expect({ reason, finish: generation.finishReason }).toEqual({ reason, finish: "other" });
      }
    });
  });
});

describe("values JSON cannot hold", () => {
  const strange = fc.constantFrom<() => unknown>(
    () => 10n,
    () => () => 1,
    () => Symbol("s"),
    () => {
      const cycle: Record<string, unknown> = { name: "c" };
      cycle.self = cycle;
      return cycle;
    },
    () => {
      const shared = { rule: "r" };
      return { a: shared, b: [shared, shared] };
    },
  );

  it("in metadata, answers' values and events: the run ends, every record is JSON, the cassette is written (property)", async () => {
    // An answer whose value is a BigInt cannot go into the cassette: that is a warning, checked below.
    const warnings = captureWarnings();
    await fc.assert(
      fc.asyncProperty(strange, strange, async (makeMeta, makeValue) => {
        const dir = tempDir();
        const events = new RungsEvents();
        const lines: string[] = [];
        consoleReporter(events, { level: "verbose", write: (line) => lines.push(line) });
        const recorder = recordRun(events, join(dir, "run"));
        const answering = defineModel("d", async () => ({ text: "answer", value: makeValue() }));
        const model = retryWithContext(recordingModel(answering, join(dir, "cassette.jsonl")), {
          rubric: defineRubric({ id: "r", rules: [nonEmpty()] }),
        });
        const generation = await model.generate(
          { prompt: "q", metadata: { strange: makeMeta(), taskClass: "t" } as never },
          { events },
        );
        expect(generation.text).toBe("answer");
        await recorder.close().catch(() => {}); // a write error is reported there; the run itself must not break
        for (const file of readdirSync(join(dir, "run")).filter((name) => name.endsWith(".json")))
          expect(() => JSON.parse(readFileSync(join(dir, "run", file), "utf8"))).not.toThrow();
        expect(lines.length).toBeGreaterThan(0);
      }),
      { numRuns: 25 },
    );
    for (const warning of warnings) {
      expect(warning.code).toBe("RUNGS_CASSETTE_WRITE_ERROR");
      expect(warning.message).toMatch(/cannot be written as JSON \(Do not know how to serialize a BigInt\)/);
    }
  });
});
