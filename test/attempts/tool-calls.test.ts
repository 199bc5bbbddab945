// An answer that calls tools goes through the attempt engine as an answer: not `empty`, its calls kept on
// the attempt, the returned generation and the records.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  defineRubric,
  type ExhaustedError,
  escalateAcross,
  predicate,
  RungsEvents,
  recordRun,
  retryWithContext,
} from "../../src/index.js";
import { scriptedModel } from "../../src/testing/index.js";

const call = { id: "c1", name: "get_weather", input: { city: "Paris" } };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("tool calls through the engine", () => {
  it("accepts an answer with tool calls and no text, and returns its calls", async () => {
    const model = retryWithContext(
      scriptedModel("m", [{ text: "", finishReason: "tool-calls", toolCalls: [call] }]),
    );
    const generation = await model.generate({ prompt: "Weather in Paris?" });
    expect(generation.toolCalls).toEqual([call]);
    expect(generation.finishReason).toBe("tool-calls");
    expect(generation.trace?.attempts?.[0]).toMatchObject({ accepted: true, toolCalls: [call] });
  });

  it("still fails an answer with neither text nor tool calls as empty", async () => {
    const error = (await retryWithContext(scriptedModel("m", [""]), { maxAttempts: 1 })
      .generate({ prompt: "x" })
      .catch((e: unknown) => e)) as ExhaustedError;
    expect(error.attempts[0]?.kind).toBe("empty");
  });

  it("returns the best attempt's tool calls with onExhausted: best, and the records keep every attempt's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rungs-tools-"));
    dirs.push(dir);
    const events = new RungsEvents();
    const recorder = recordRun(events, dir);
    const ladder = escalateAcross([scriptedModel("small", [{ text: "", toolCalls: [call] }])], {
      rubric: defineRubric({ id: "prose", rules: [predicate("has-text", (output) => output.length > 0)] }),
      onExhausted: "best",
    });
    const generation = await ladder.generate({ prompt: "x" }, { events });
    await recorder.close();
    expect(generation.verdict?.accepted).toBe(false);
    expect(generation.toolCalls).toEqual([call]);
    const record = JSON.parse(readFileSync(join(dir, "attempt_1.json"), "utf8"));
    expect(record.toolCalls).toEqual([call]);
  });
});
