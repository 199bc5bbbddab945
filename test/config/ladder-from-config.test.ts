import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConfigError,
  configJsonSchema,
  expandLadder,
  ladderFromConfig,
  loadLadder,
  loadLadderConfig,
  parseLadderConfig,
} from "../../src/config/index.js";
import { ExhaustedError, type Model, StatsStoreError } from "../../src/index.js";
import { memoryStatsStore } from "../../src/record/memory-stats-store.js";
import { hang, type ScriptedModel, scriptedModel } from "../../src/testing/index.js";
import { ask, containsOk } from "../attempts/helpers.js";
import { captureWarnings } from "../support/warnings.js";

/** Providers whose models are scripted: `test:<name>` answers from `scripts[name]` (default "ok"). */
function scriptedProviders(scripts: Record<string, string[]> = {}) {
  const made = new Map<string, ScriptedModel>();
  const factory = (name: string): Model => {
    const model = scriptedModel(`test:${name}`, scripts[name] ?? ["ok"], { whenDone: "repeat-last" });
    made.set(name, model);
    return model;
  };
  return { providers: { test: factory }, made, calls: (name: string) => made.get(name)?.calls.length ?? 0 };
}

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

describe("the escalation map form", () => {
  const chain = {
    models: { "sonnet-off": "test:off", "sonnet-low": "test:low", "opus-high": "test:high" },
    escalation: { "sonnet-off": "sonnet-low", "sonnet-low": "opus-high" },
  };

  it("an empty map is a single rung and behaves exactly as that model alone", async () => {
    const { providers, made } = scriptedProviders({ off: ["the answer"] });
    const ladder = ladderFromConfig(
      { models: chain.models, start: "sonnet-off", escalation: {} },
      { providers },
    );
    expect(ladder.rungs.map((r) => r.modelId)).toEqual(["test:off"]);
    const alone = await scriptedModel("test:off", ["the answer"]).generate(ask("q"));
    const generation = await ladder.generate(ask("q"));
    expect(generation.text).toBe(alone.text);
    expect(generation.modelId).toBe(alone.modelId);
    expect(made.get("off")!.calls.length).toBe(1);
  });

  it("a task's first run is never escalated; a failed run moves the next one along the map", async () => {
    const { providers, calls } = scriptedProviders({ off: ["no"], low: ["no", "ok"], high: ["ok"] });
    const store = memoryStatsStore();
    const ladder = ladderFromConfig(
      { ...chain, start: "sonnet-off", maxAttempts: 1, rubric: "ok" },
      { providers, rubrics: { ok: containsOk }, store },
    );
    expect(ladder.rungs.map((r) => r.name)).toEqual(["sonnet-off", "sonnet-low", "opus-high"]);
    // A different task's first run starts at the start even while another task is escalated.
    await expect(ladder.generate(ask("q", { taskId: "a" }))).rejects.toThrow(ExhaustedError);
    await expect(ladder.generate(ask("q", { taskId: "b" }))).rejects.toThrow(ExhaustedError);
    expect(calls("off")).toBe(2);
    await expect(ladder.generate(ask("q", { taskId: "a" }))).rejects.toThrow(ExhaustedError);
    expect(calls("low")).toBe(1);
    expect(calls("off")).toBe(2);
    expect((await ladder.generate(ask("q", { taskId: "a" }))).modelId).toBe("test:high");
  });

  it("the top of the chain stays where it is", async () => {
    const { providers, calls } = scriptedProviders({ off: ["no"], low: ["no"], high: ["no", "no", "ok"] });
    const store = memoryStatsStore();
    const ladder = ladderFromConfig(
      { ...chain, start: "sonnet-off", rubric: "ok" },
      { providers, rubrics: { ok: containsOk }, store },
    );
    await expect(ladder.generate(ask("q", { taskId: "t" }))).rejects.toThrow(ExhaustedError);
    store.unblock("t");
    await expect(ladder.generate(ask("q", { taskId: "t" }))).rejects.toThrow(ExhaustedError);
    store.unblock("t");
    const generation = await ladder.generate(ask("q", { taskId: "t" }));
    expect(generation.modelId).toBe("test:high");
    expect([calls("off"), calls("low"), calls("high")]).toEqual([1, 1, 3]);
  });

  it("escalates from the configured start: rungs below it are not on the ladder", async () => {
    const { providers, calls } = scriptedProviders({ low: ["no"], high: ["ok"] });
    const ladder = ladderFromConfig(
      { ...chain, start: "sonnet-low", rubric: "ok" },
      { providers, rubrics: { ok: containsOk } },
    );
    expect(ladder.rungs.map((r) => r.name)).toEqual(["sonnet-low", "opus-high"]);
    expect((await ladder.generate(ask("q"))).modelId).toBe("test:high");
    expect(calls("off")).toBe(0);
    // A start that escalates nowhere is one rung; a reference works as a name too.
    expect(
      expandLadder(parseLadderConfig({ start: "test:solo", escalation: { "test:a": "test:b" } })).length,
    ).toBe(1);
  });
});

describe("the ladder form", () => {
  it("rungs by reference or name, with attempts, feedback, options, skip conditions and engine options", async () => {
    const seen: { model: string; settings: Readonly<Record<string, unknown>> }[] = [];
    const local = scriptedModel("test:local", ["no", "still no"]);
    const cloud = scriptedModel("test:cloud", ["ok"], { whenDone: "repeat-last" });
    const providers = {
      test: (model: string, settings: Readonly<Record<string, unknown>>) => {
        seen.push({ model, settings });
        return model === "local" ? local : cloud;
      },
    };
    const ladder = ladderFromConfig(
      {
        models: {
          fast: { model: "test:local", maxAttempts: 2, feedbackMode: "brief", options: { temperature: 0 } },
        },
        ladder: [
          "fast",
          {
            model: "test:cloud",
            skipIf: [{ metadata: { private: true }, reason: "private data stays local" }],
          },
        ],
        rubric: "ok",
        maxAttempts: 5,
        maxFeedbackChars: 500,
        onExhausted: "best",
        breakers: { failureThreshold: 2, openMs: 1000 },
        id: "my-ladder",
      },
      { providers, rubrics: { ok: containsOk } },
    );
    expect(ladder.id).toBe("my-ladder");
    expect(seen).toEqual([
      { model: "local", settings: { temperature: 0 } },
      { model: "cloud", settings: {} },
    ]);
    expect(ladder.rungs.map((r) => [r.name, r.maxAttempts, r.feedbackMode])).toEqual([
      ["fast", 2, "brief"],
      ["test:cloud", 1, "full"],
    ]);
    // Private data: the cloud rung is skipped with the configured reason; the best answer comes back.
    const privateRun = await ladder.generate(ask("q", { private: true }));
    expect(privateRun.verdict?.accepted).toBe(false);
    expect(privateRun.trace?.skips).toMatchObject([
      { modelId: "test:cloud", reason: "disabled", detail: "private data stays local" },
    ]);
    expect(local.calls.length).toBe(2);
    expect((await ladder.generate(ask("q", { private: false }))).modelId).toBe("test:cloud");
  });

  it("a config store path is a JSON stats file beside the config file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rungs-config-"));
    try {
      const file = join(dir, "ladder.yaml");
      await writeFile(file, "ladder: [test:a]\nstore: state/stats.json\nlearning: { minAcceptRate: 0.5 }\n");
      const { providers } = scriptedProviders();
      const ladder = await loadLadder(file, { providers });
      await ladder.generate(ask("q", { taskClass: "c" }));
      expect(await ladder.store?.stats("c", "test:a")).toEqual({ accepted: 1, failed: 0 });
      expect((ladder.store as { path?: string }).path).toBe(join(dir, "state", "stats.json"));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("run settings from the config: whenUnavailable, a whole-run deadline, tree-split", () => {
  const unreadable = () => ({
    ...memoryStatsStore(),
    blockedAt: () => {
      throw new Error("stats.json: unexpected end of JSON input");
    },
  });

  it("whenUnavailable: fail-closed stops the run on an unreadable store; the default goes on", async () => {
    const { providers, calls } = scriptedProviders({ a: ["ok"] });
    const warnings = captureWarnings();
    const open = ladderFromConfig({ ladder: ["test:a"] }, { providers, store: unreadable() });
    expect((await open.generate(ask("q", { taskId: "t" }))).text).toBe("ok");
    expect(warnings.map((w) => w.code)).toContain("RUNGS_STATS_STORE_ERROR");
    const closed = ladderFromConfig(
      { ladder: ["test:a"], whenUnavailable: "fail-closed" },
      { providers, store: unreadable() },
    );
    const error = await closed.generate(ask("q", { taskId: "t" })).catch((e: unknown) => e);
    expect(StatsStoreError.isInstance(error)).toBe(true);
    expect(calls("a")).toBe(0); // the fail-closed ladder's model (made last) was never called
  });

  it("deadlineMs bounds the whole run: a hung call is stopped with the deadline limit", async () => {
    const ladder = ladderFromConfig(
      { ladder: ["test:slow", "test:slower"], deadlineMs: 50 },
      { providers: { test: (name) => scriptedModel(`test:${name}`, [hang]) } },
    );
    const error = await ladder.generate(ask("q")).catch((e: unknown) => e);
    expect(ExhaustedError.isInstance(error)).toBe(true);
    expect((error as ExhaustedError).limit).toBe("deadline");
    expect(issuesOf(() => parseLadderConfig({ ladder: ["test:a"], deadlineMs: 2 ** 31 }))[0]!.path).toBe(
      "deadlineMs",
    );
  });

  it("split: a request whose context is over split.chars is answered through a map-reduce tree", async () => {
    const { providers, calls } = scriptedProviders({ a: ["notes ok"] });
    const ladder = ladderFromConfig(
      { ladder: ["test:a"], split: { chars: 2_000, concurrency: 2 } },
      { providers },
    );
    const context = Array.from({ length: 6 }, (_, i) => `Document ${i}. ${"Some words here. ".repeat(60)}`);
    const answer = await ladder.generate({ messages: [{ role: "user", content: "Summarise." }], context });
    expect(answer.trace?.split?.shards).toBeGreaterThan(1);
    expect(calls("a")).toBeGreaterThan(2);
    // Within the budget: one call, untouched.
    const small = scriptedProviders({ a: ["ok"] });
    const direct = ladderFromConfig({ ladder: ["test:a"], split: { chars: 2_000 } }, small);
    await direct.generate({ messages: [{ role: "user", content: "hi" }], context: ["short"] });
    expect(small.calls("a")).toBe(1);
  });
});

describe("bad configs give the documented errors", () => {
  const { providers } = scriptedProviders();

  it("a misspelt key: its path, its value and a did-you-mean", () => {
    const issues = issuesOf(() =>
      ladderFromConfig({ ladder: [{ model: "test:a", maxAttemps: 2 }], maxAttempt: 3 }, { providers }),
    );
    expect(issues).toMatchObject([
      { path: "ladder[0].maxAttemps", value: 2, suggestion: "maxAttempts" },
      { path: "maxAttempt", value: 3, suggestion: "maxAttempts" },
    ]);
  });

  it("a wrong value: its path, the value and what is accepted", () => {
    const issues = issuesOf(() =>
      ladderFromConfig(
        { ladder: ["test:a", { model: "test:b", maxAttempts: 0, feedbackMode: "loud" }, 7] },
        { providers },
      ),
    );
    expect(issues.map((i) => i.path)).toEqual([
      "ladder[1].maxAttempts",
      "ladder[1].feedbackMode",
      "ladder[2]",
    ]);
    expect(issues[1]).toMatchObject({ value: "loud", message: 'must be one of "full", "brief", "none"' });
    expect(issues[2]!.message).toMatch(/must be a string or an object/);
    expect(() => ladderFromConfig({ ladder: [] }, { providers })).toThrow(/ladder: .*1/);
  });

  it("cycles, unknown names, providers and rubrics are refused before any call", () => {
    const factory = scriptedProviders();
    expect(
      issuesOf(() =>
        ladderFromConfig(
          {
            start: "a",
            escalation: { a: "b", b: "c", c: "b" },
            models: { a: "test:a", b: "test:b", c: "test:c" },
          },
          factory,
        ),
      ),
    ).toMatchObject([{ path: "escalation.b", message: expect.stringMatching(/cycle: b → c → b/) }]);
    expect(
      issuesOf(() => ladderFromConfig({ ladder: ["fats"], models: { fast: "test:a" } }, factory)),
    ).toMatchObject([{ path: "ladder[0]", value: "fats", suggestion: "fast" }]);
    expect(issuesOf(() => ladderFromConfig({ ladder: ["tset:a"] }, factory))).toMatchObject([
      { path: "ladder[0]", message: expect.stringMatching(/no provider "tset"/), suggestion: "test:a" },
    ]);
    expect(
      issuesOf(() =>
        ladderFromConfig({ ladder: ["test:a"], rubric: "oK" }, { ...factory, rubrics: { ok: containsOk } }),
      ),
    ).toMatchObject([{ path: "rubric", suggestion: "ok" }]);
    const refusing = {
      providers: {
        test: () => {
          throw new Error("host must be a URL");
        },
      },
    };
    expect(issuesOf(() => ladderFromConfig({ ladder: ["test:a"] }, refusing))[0]!.message).toMatch(
      /"test" provider refused it: host must be a URL/,
    );
    // Models were made (to check the references) but none was called.
    expect([...factory.made.values()].every((m) => m.calls.length === 0)).toBe(true);
  });

  it("every problem at once: key typos, a wrong value, a cycle-free unknown provider and an unknown rubric", async () => {
    const factory = scriptedProviders();
    const config = {
      ladder: [{ model: "test:a", maxAttemps: 2 }, "tset:b", { model: "test:c", maxAttempts: 0 }],
      rubric: "answr",
      maxAttempt: 3,
    };
    const expected = [
      { path: "ladder[0].maxAttemps", suggestion: "maxAttempts" },
      { path: "maxAttempt", suggestion: "maxAttempts" },
      { path: "ladder[2].maxAttempts" },
      { path: "ladder[1]", message: expect.stringMatching(/no provider "tset"/), suggestion: "test:b" },
      { path: "rubric", suggestion: "answer" },
    ];
    const options = { ...factory, rubrics: { answer: containsOk } };
    const issues = issuesOf(() => ladderFromConfig(config, options));
    expect(issues).toHaveLength(expected.length);
    expect(issues).toEqual(expect.arrayContaining(expected.map((e) => expect.objectContaining(e))));
    // The same from a file (loadLadder), and the form rules join the list too.
    const dir = await mkdtemp(join(tmpdir(), "rungs-config-"));
    try {
      const file = join(dir, "ladder.json");
      await writeFile(file, JSON.stringify({ ...config, learning: { minAcceptRate: 0.5 } }));
      const error = await loadLadder(file, options).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ConfigError.isInstance(error)).toBe(true);
      const paths = (error as ConfigError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining([...expected.map((e) => e.path), "learning"]));
      expect((error as ConfigError).message).toContain("(6 problems)");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect([...factory.made.values()].every((m) => m.calls.length === 0)).toBe(true);
  });

  it("shape rules JSON Schema cannot say: ladder or escalation, start with escalation, learning with a store", () => {
    expect(issuesOf(() => parseLadderConfig({}))[0]!.message).toMatch(/needs a `ladder`/);
    expect(issuesOf(() => parseLadderConfig({ ladder: ["test:a"], start: "test:a" }))[0]!.message).toMatch(
      /not both/,
    );
    expect(issuesOf(() => parseLadderConfig({ escalation: {} }))[0]!.path).toBe("start");
    expect(
      issuesOf(() => parseLadderConfig({ ladder: ["test:a"], learning: { minAcceptRate: 0.2 } }))[0]!.path,
    ).toBe("learning");
  });

  it("files: YAML with the line of a syntax error, JSON, duplicate keys, a missing file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rungs-config-"));
    try {
      const yaml = join(dir, "a.yaml");
      await writeFile(yaml, "ladder:\n  - test:a\n  bad: [\n");
      await expect(loadLadderConfig(yaml)).rejects.toThrow(/does not parse: .*line/);
      const json = join(dir, "a.json");
      await writeFile(json, JSON.stringify({ ladder: ["test:a"], maxAttempts: 2 }));
      expect((await loadLadderConfig(json)).maxAttempts).toBe(2);
      const dup = join(dir, "dup.yml");
      await writeFile(dup, "ladder: [test:a]\nmaxAttempts: 2\nmaxAttempts: 3\n");
      await expect(loadLadderConfig(dup)).rejects.toThrow(/does not parse: .*unique/i);
      // Nested mappings too, with the line (one pass with a set per mapping: the parser's own check was
      // quadratic in a mapping's size).
      const nested = join(dir, "nested.yml");
      await writeFile(nested, "ladder: [test:a]\nmodels:\n  fast: test:a\n  slow: test:b\n  fast: test:c\n");
      await expect(loadLadderConfig(nested)).rejects.toThrow(/unique; "fast" is given twice \(line 5\)/);
      await expect(loadLadderConfig(join(dir, "none.yaml"))).rejects.toThrow(/does not exist/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the JSON Schema", () => {
  let schema: Record<string, unknown>;
  beforeAll(() => {
    schema = configJsonSchema();
  });
  afterAll(() => {});

  it("describes every top-level key and refuses unknown ones, so editors complete and flag them", () => {
    expect(schema.additionalProperties).toBe(false);
    const properties = schema.properties as Record<string, { description?: string }>;
    expect(Object.keys(properties)).toEqual(
      expect.arrayContaining(["ladder", "models", "start", "escalation", "rubric", "maxAttempts", "store"]),
    );
    for (const [key, value] of Object.entries(properties)) {
      expect(value.description, key).toBeTypeOf("string");
    }
  });
});

describe("secrets in a refused config", () => {
  it("a value under a secret-looking key is never shown", () => {
    const secret = "sk-live-0123456789abcdef0123456789abcdef";
    const error = (() => {
      try {
        ladderFromConfig(
          { ladder: [{ model: "test:a", apiKey: secret }], store: { token: secret } },
          scriptedProviders(),
        );
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(error.issues.map((i) => i.value)).toEqual(["***", { token: "***" }]);
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.issues)).not.toContain(secret);
  });
});

describe("maxUnfinishedAttempts in the config", () => {
  // What a worker killed during its attempt on the bottom rung leaves in the store.
  const crashed = () =>
    memoryStatsStore({
      version: 1,
      stats: {},
      blocked: {},
      tasks: {
        t: {
          failures: 0,
          rung: 0,
          modelId: "test:a",
          feedback: [],
          updatedAt: 1,
          started: { rung: 0, modelId: "test:a", at: 1 },
        },
      },
    });

  it("reaches the engine: at 2 the run after one killed worker tries the rung again, by default it climbs", async () => {
    const config = { ladder: ["test:a", "test:b"] };
    const twice = scriptedProviders();
    const again = await ladderFromConfig(
      { ...config, maxUnfinishedAttempts: 2 },
      { ...twice, store: crashed() },
    ).generate(ask("q", { taskId: "t" }));
    expect(again.modelId).toBe("test:a");
    const once = scriptedProviders();
    const climbed = await ladderFromConfig(config, { ...once, store: crashed() }).generate(
      ask("q", { taskId: "t" }),
    );
    expect(climbed.modelId).toBe("test:b");
    expect(once.calls("a")).toBe(0);
  });

  it("is refused outside 1..8 with its path", () => {
    for (const bad of [0, 9, 1.5]) {
      expect(
        JSON.stringify(issuesOf(() => parseLadderConfig({ ladder: ["test:a"], maxUnfinishedAttempts: bad }))),
      ).toMatch(/maxUnfinishedAttempts/);
    }
  });
});
