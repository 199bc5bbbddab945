// Classes "smaller ones" and wire values: usage counts are checked where a generation is normalised,
// fields from the wire and from adapters are type-checked (a malformed response names the field), rule
// outcomes are read defensively, request hashing is depth-limited, and a stats store's failed first load
// is retried while two instances on one path share state.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  Budget,
  calibrate,
  defineRubric,
  type ExhaustedError,
  fromFunction,
  InvalidArgumentError,
  jsonFileStatsStore,
  RungsEvents,
  retryWithContext,
} from "../../src/index.js";
import { recordingModel, replayModel, scriptedModel } from "../../src/testing/index.js";
import { useTempDirs } from "../support/temp-dirs.js";

const tempDir = useTempDirs("wire");
const ask = (metadata?: Record<string, unknown>) =>
  ({
    messages: [{ role: "user" as const, content: "q" }],
    ...(metadata === undefined ? {} : { metadata }),
  }) as never;
const rejectFirst = defineRubric({
  id: "r",
  rules: [{ id: "not-bad", check: (text: string) => text !== "bad" }],
});

describe("usage from the wire", () => {
  it('"5", NaN, -3 and 1e308 are dropped with a warning, never summed; the token cap still holds', async () => {
    const answers = [
      { text: "bad", usage: { outputTokens: "5" } },
      { text: "bad", usage: { outputTokens: -3, inputTokens: Number.NaN } },
      // Past 2^53 a count is not exact: a summed total would be wrong.
      { text: "bad", usage: { inputTokens: 1e308 } },
      { text: "good", usage: { outputTokens: 7 } },
    ];
    let call = 0;
    const model = fromFunction("m", async () => answers[call++] as never, { input: "request" });
    const events = new RungsEvents();
    const warnings: string[] = [];
    events.on("run-warn", (w) => warnings.push(`${w.code}: ${w.message}`));
    const answer = await retryWithContext(model, { rubric: rejectFirst }).generate(ask(), { events });
    expect(answer.usage).toEqual({ outputTokens: 7 });
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/^usage-dropped: .*outputTokens = "5"/);

    // A negative count cannot open room under a token cap.
    const budget = new Budget({ maxOutputTokens: 10 });
    let n = 0;
    const spender = fromFunction(
      "spender",
      async () =>
        ({ text: n++ === 0 ? "bad" : "good", usage: { outputTokens: n === 1 ? -1_000 : 8 } }) as never,
      { input: "request" },
    );
    await retryWithContext(spender, { rubric: rejectFirst }).generate(ask(), { budget });
    expect(budget.outputTokensUsed).toBe(8);
  });
});

describe("values from adapters are type-checked", () => {
  it("a finishReason outside the five is a malformed-response failure naming the field", async () => {
    const model = fromFunction("m", async () => ({ text: "x", finishReason: "banana" }) as never, {
      input: "request",
    });
    const error = (await retryWithContext(model, { maxAttempts: 1 })
      .generate(ask())
      .catch((e: unknown) => e)) as ExhaustedError;
    expect(error.attempts[0]?.kind).toBe("server-error");
    expect(error.attempts[0]?.error?.message).toMatch(/malformed response: field "finishReason"/);
  });

  it("a modelId that is not a string is refused the same way", async () => {
    const model = fromFunction("m", async () => ({ text: "x", modelId: 42 }) as never, { input: "request" });
    const error = (await retryWithContext(model, { maxAttempts: 1 })
      .generate(ask())
      .catch((e: unknown) => e)) as ExhaustedError;
    expect(error.attempts[0]?.error?.message).toMatch(/field "modelId"/);
  });
});

describe("rule outcomes read defensively", () => {
  it("a rule that throws a null-prototype object, or returns an outcome whose getters throw, is an errored rule", async () => {
    const rubric = defineRubric({
      id: "odd",
      rules: [
        {
          id: "throws-bare",
          check: () => {
            throw Object.create(null);
          },
        },
        {
          id: "getter",
          check: () =>
            ({
              get pass(): boolean {
                throw new Error("no pass for you");
              },
            }) as never,
        },
      ],
    });
    const verdict = await rubric.evaluate("text");
    expect(verdict.accepted).toBe(false);
    expect(verdict.violations.map((v) => [v.ruleId, v.errored])).toEqual([
      ["throws-bare", true],
      ["getter", true],
    ]);
    const report = await calibrate(rubric, { accept: ["a"], reject: ["b"] });
    expect(report).toBeDefined();
  });
});

describe("request hashing", () => {
  it("20,000-deep metadata gives a clear error, not a stack overflow", async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) deep = { inner: deep };
    const recording = recordingModel(scriptedModel("m", ["ok"]), join(tempDir(), "c.jsonl"));
    const replay = replayModel([{ modelId: "m", request: ask(), generation: { text: "ok" } }], {
      match: { fields: [], metadata: ["deep"] },
    });
    // Recording keeps the answer; the deep part of the recorded request is cut with a marker.
    expect((await recording.generate(ask({ deep }))).text).toBe("ok");
    // Replay keyed on that metadata cannot hash it: a clear error, not a RangeError retried as server-error.
    const error = await replay.generate(ask({ deep })).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/nests deeper than 1000 levels/);
  });
});

describe("jsonFileStatsStore", () => {
  it("a failed first load is retried on the next use", async () => {
    const path = join(tempDir(), "stats.json");
    writeFileSync(path, "{ not json");
    const store = jsonFileStatsStore(path);
    await expect(store.stats("c", "m")).rejects.toThrow(/not valid JSON/);
    writeFileSync(
      path,
      JSON.stringify({ version: 1, stats: { c: { m: { accepted: 2, failed: 1 } } }, blocked: {} }),
    );
    expect(await store.stats("c", "m")).toEqual({ accepted: 2, failed: 1 });
  });

  it("two instances on one path share state: an unblock through one is seen by the other", async () => {
    const path = join(tempDir(), "stats.json");
    const a = jsonFileStatsStore(path);
    const b = jsonFileStatsStore(join(path, "..", "stats.json"));
    await a.block("task", 5);
    expect(await b.blockedAt("task")).toBe(5);
    await b.unblock("task");
    await a.flush();
    expect(await a.blockedAt("task")).toBeUndefined();
  });
});
