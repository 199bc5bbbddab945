import type { StandardSchemaV1 } from "@standard-schema/spec";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import {
  CallerCodeError,
  continueUntilComplete,
  defaultMapPrompt,
  defineRubric,
  ExhaustedError,
  escalateAcross,
  type Generation,
  InvalidArgumentError,
  json,
  length,
  type Model,
  predicate,
  renderMessages,
  retryWithContext,
  structured,
  treeSplit,
} from "../../src/index.js";
import { manualClock, scriptedModel } from "../../src/testing/index.js";

const Answer = z.object({ answer: z.string(), confidence: z.number().min(0).max(1) });
const answerRubric = () => defineRubric({ id: "answer", rules: [structured("answer-shape", Answer)] });
const ask = { prompt: "What is the capital of France? Reply with JSON." };

/** A hand-written Standard Schema (no library): a positive integer, sync or async. */
function positiveInt(mode: "sync" | "async"): StandardSchemaV1<unknown, number> {
  const validate = (value: unknown): StandardSchemaV1.Result<number> =>
    typeof value === "number" && Number.isInteger(value) && value > 0
      ? { value }
      : { issues: [{ message: "expected a positive integer", path: ["n"] }] };
  return {
    "~standard": {
      version: 1,
      vendor: "hand-written",
      validate: mode === "sync" ? validate : async (value) => validate(value),
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("structured: finding and validating", () => {
  it("gives the parsed value of a ```json fenced answer", async () => {
    const verdict = await answerRubric().evaluate(
      'Sure! Here it is:\n\n```json\n{ "answer": "Paris", "confidence": 0.9 }\n```\nAnything else?',
    );
    expect(verdict.accepted).toBe(true);
    expect(verdict.value).toEqual({ answer: "Paris", confidence: 0.9 });
  });

  it("gives the parsed value of JSON in prose, skipping brackets that are not it", async () => {
    const verdict = await answerRubric().evaluate(
      'As noted [1], the answer is {"answer": "Paris", "confidence": 1} (see {name} above).',
    );
    expect(verdict.value).toEqual({ answer: "Paris", confidence: 1 });
  });

  it("gives the schema's OUTPUT: transforms and defaults applied", async () => {
    const schema = z.object({ n: z.string().transform(Number), tag: z.string().default("none") });
    const verdict = await defineRubric({ id: "r", rules: [structured("s", schema)] }).evaluate('{"n": "42"}');
    expect(verdict.value).toEqual({ n: 42, tag: "none" });
  });

  it("takes the first candidate the schema accepts: an example object before the answer does not win", async () => {
    const verdict = await answerRubric().evaluate(
      'The format is {"answer": "<city>"}. My answer: {"answer": "Paris", "confidence": 0.8}',
    );
    expect(verdict.value).toEqual({ answer: "Paris", confidence: 0.8 });
  });

  it("fails with the schema's issues (path: message), bounded by maxIssues", async () => {
    const rubric = defineRubric({
      id: "r",
      rules: [
        structured("s", z.object({ a: z.string(), b: z.number(), c: z.array(z.boolean()) }), {
          maxIssues: 2,
        }),
      ],
    });
    const verdict = await rubric.evaluate('{"a": 1, "b": "x", "c": [true, 3]}');
    expect(verdict.accepted).toBe(false);
    expect("value" in verdict).toBe(false);
    const message = verdict.violations[0]?.message ?? "";
    expect(message).toMatch(/^Schema issues: a: .+; b: .+ \(\+1 more\)\.$/);
    const deep = await defineRubric({
      id: "r",
      rules: [structured("s", z.object({ c: z.array(z.boolean()) }))],
    }).evaluate('{"c": [true, 3]}');
    expect(deep.violations[0]?.message).toMatch(/^Schema issues: c\[1\]: /);
  });

  it("says why when nothing parses, nothing is found, or a candidate is too large or too deep", async () => {
    const message = async (text: string, options = {}) =>
      (await defineRubric({ id: "r", rules: [structured("s", Answer, options)] }).evaluate(text))
        .violations[0]?.message;
    expect(await message("no json here at all")).toMatch(/^It is not valid JSON: /);
    expect(await message("   ")).toBe("No JSON found in the output.");
    expect(await message('{"answer": "Paris", "confidence": 1}', { maxJsonChars: 10 })).toBe(
      "The JSON is longer than 10 characters.",
    );
    expect(await message('[[[{"answer": "x"}]]]', { maxDepth: 2, allowProse: false })).toBe(
      "The JSON nests deeper than 2 levels.",
    );
  });

  it("finds only what it is allowed to: no fences, no prose", async () => {
    const fenced = '```json\n{"answer": "Paris", "confidence": 1}\n```';
    const prose = 'It is {"answer": "Paris", "confidence": 1}.';
    const judge = (text: string, options: object) =>
      defineRubric({ id: "r", rules: [structured("s", Answer, options)] }).evaluate(text);
    expect((await judge(fenced, { allowCodeFence: false, allowProse: false })).accepted).toBe(false);
    expect((await judge(fenced, { allowProse: false })).accepted).toBe(true);
    expect((await judge(prose, { allowProse: false })).accepted).toBe(false);
    expect((await judge(prose, { allowCodeFence: false })).accepted).toBe(true);
  });

  it("works with a hand-written Standard Schema, sync and async", async () => {
    for (const mode of ["sync", "async"] as const) {
      const rubric = defineRubric({ id: "r", rules: [structured("n", positiveInt(mode))] });
      expect((await rubric.evaluate("The count:\n```\n7\n```")).value).toBe(7);
      const failed = await rubric.evaluate("-3");
      expect(failed.violations[0]?.message).toBe("Schema issues: n: expected a positive integer.");
    }
  });

  it("an async validate that never settles fails the rule at its time limit", async () => {
    const clock = manualClock();
    const never: StandardSchemaV1<unknown, number> = {
      "~standard": { version: 1, vendor: "hand-written", validate: () => new Promise(() => {}) },
    };
    const rubric = defineRubric({ id: "r", clock, rules: [structured("n", never, { timeoutMs: 1_000 })] });
    const judging = rubric.evaluate('{"n": 1}');
    await clock.advance(1_000);
    const verdict = await judging;
    expect(verdict.accepted).toBe(false);
    expect(verdict.violations[0]).toMatchObject({
      errored: true,
      message: expect.stringMatching(/timed out/),
    });
  });

  it("the caller's abort rejects an async validation, and no further candidate is validated", async () => {
    let calls = 0;
    let settle: (result: StandardSchemaV1.Result<number>) => void = () => {};
    const slow: StandardSchemaV1<unknown, number> = {
      "~standard": {
        version: 1,
        vendor: "hand-written",
        validate: () => {
          calls += 1;
          return new Promise((resolve) => {
            settle = resolve;
          });
        },
      },
    };
    const controller = new AbortController();
    const rubric = defineRubric({ id: "r", rules: [structured("n", slow)] });
    // Three candidates: the whole answer does not parse; two prose spans do.
    const judging = rubric.evaluate("first [1] then [2, 3]", { signal: controller.signal });
    await Promise.resolve();
    controller.abort(new Error("stop"));
    await expect(judging).rejects.toThrow("stop");
    settle({ issues: [{ message: "no" }] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
  });

  it("a validate that throws fails the rule (errored); a TypeError is the caller's bug", async () => {
    const throwing = (error: Error): StandardSchemaV1 => ({
      "~standard": {
        version: 1,
        vendor: "hand-written",
        validate: () => {
          throw error;
        },
      },
    });
    const failed = await defineRubric({
      id: "r",
      rules: [structured("s", throwing(new Error("no")))],
    }).evaluate("1");
    expect(failed.violations[0]).toMatchObject({ errored: true, message: "rule threw: Error: no" });
    await expect(
      defineRubric({ id: "r", rules: [structured("s", throwing(new TypeError("bug")))] }).evaluate("1"),
    ).rejects.toSatisfy((e: unknown) => CallerCodeError.isInstance(e));
  });

  it("is required by default; a value is kept out of JSON (records) but readable", async () => {
    const rubric = defineRubric({
      id: "r",
      threshold: 0.5,
      rules: [structured("s", Answer), length("short", { max: 1_000 })],
    });
    expect(rubric.rules[0]?.required).toBe(true);
    const rejected = await rubric.evaluate("not json");
    expect(rejected.score).toBe(0.5);
    expect(rejected.accepted).toBe(false);
    const verdict = await rubric.evaluate('{"answer": "Paris", "confidence": 1}');
    expect(verdict.value).toEqual({ answer: "Paris", confidence: 1 });
    expect(JSON.parse(JSON.stringify(verdict))).not.toHaveProperty("value");
    expect(
      (await defineRubric({ id: "r", rules: [structured("s", Answer, { required: false })] }).evaluate("1"))
        .results[0]?.required,
    ).toBe(false);
  });

  it("the first passing value-giving rule, in rule order, gives the verdict's value", async () => {
    const rubric = defineRubric({
      id: "r",
      rules: [
        predicate("fails", () => ({ pass: false, value: "not me" })),
        json("whole", z.object({ answer: z.string() })),
        predicate("later", () => ({ pass: true, value: "nor me" })),
      ],
    });
    expect((await rubric.evaluate('{"answer": "Paris"}')).value).toEqual({ answer: "Paris" });
  });

  it("refuses what is not a Standard Schema, and bad options, at construction", () => {
    for (const notSchema of [undefined, null, {}, { answer: z.string() }, "schema", () => true]) {
      const error = (() => {
        try {
          structured("s", notSchema as never);
        } catch (e) {
          return e;
        }
      })();
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).parameter).toBe("schema");
      expect((error as Error).message).toMatch(
        /^structured: "schema" must be a Standard Schema \(zod 4, valibot/,
      );
    }
    expect(() => structured("", Answer)).toThrow(InvalidArgumentError);
    expect(() => structured("s", Answer, { maxCandidates: 0 })).toThrow(/maxCandidates/);
    expect(() => structured("s", Answer, { maxCandidates: 101 })).toThrow(/at most 100/);
    expect(() => structured("s", Answer, { allowProze: false } as never)).toThrow(InvalidArgumentError);
  });
});

describe("structured: hostile answers", () => {
  it("1 MB of brackets, quotes and fences: fails with a reason, parsing at most maxCandidates candidates", async () => {
    const parse = vi.spyOn(JSON, "parse");
    const texts = [
      "{".repeat(1 << 20),
      "[".repeat(1 << 19) + "]".repeat(1 << 19),
      '{"'.repeat(1 << 19),
      "```json\n{".repeat(1 << 16),
      "[]".repeat(1 << 19),
    ];
    const rubric = defineRubric({ id: "r", rules: [structured("s", Answer)] });
    for (const text of texts) {
      parse.mockClear();
      const verdict = await rubric.evaluate(text);
      expect(verdict.accepted).toBe(false);
      expect(verdict.violations[0]?.message?.length).toBeLessThan(400);
      expect(parse.mock.calls.length).toBeLessThanOrEqual(8);
      const parsedChars = parse.mock.calls.reduce((sum, [arg]) => sum + String(arg).length, 0);
      expect(parsedChars).toBeLessThanOrEqual(8 * text.length);
    }
  });
});

describe("structured in the engines", () => {
  it("retryWithContext: the schema's issues reach the retried request; the accepted generation has the value", async () => {
    const model = scriptedModel("m", [
      '```json\n{"answer": 42, "confidence": 2}\n```',
      '```json\n{"answer": "Paris", "confidence": 0.9}\n```',
    ]);
    const generation = await retryWithContext(model, { rubric: answerRubric() }).generate(ask);
    expect(generation.value).toEqual({ answer: "Paris", confidence: 0.9 });
    expect(generation.text).toContain("```json");
    expect(model.calls).toHaveLength(2);
    const retried = model.calls[1]!.request;
    const violations = retried.feedback?.[0]?.violations ?? [];
    expect(violations[0]?.ruleId).toBe("answer-shape");
    expect(violations[0]?.message).toMatch(/answer: .*expected string/i);
    expect(violations[0]?.message).toMatch(/confidence: .*(<=1|too big)/i);
    // And the provider sees them: the rendered prompt of the retry carries the issue text.
    const rendered = renderMessages(retried)
      .map((m) => m.content)
      .join("\n");
    expect(rendered).toMatch(/answer: .*expected string/i);
    expect(model.calls[0]!.request.feedback).toBeUndefined();
  });

  it("escalateAcross under continueUntilComplete and treeSplit: the value reaches the top", async () => {
    const local = scriptedModel("local", ["I think it is Paris."]);
    const cloud = scriptedModel("cloud", ['{"answer": "Paris", "confidence": 0.7}']);
    const model = treeSplit(
      continueUntilComplete(escalateAcross([local, cloud], { rubric: answerRubric() })),
      { promptLimit: { chars: 100_000 } },
    );
    const generation = await model.generate(ask);
    expect(generation.value).toEqual({ answer: "Paris", confidence: 0.7 });
    expect(generation.modelId).toBe("cloud");
    expect(local.calls).toHaveLength(1);
  });

  it("treeSplit over a ladder: notes are not judged by the schema; the answer's value reaches the top", async () => {
    const model = scriptedModel(
      "m",
      [
        (request) =>
          request.messages[0]?.content === defaultMapPrompt
            ? "notes: the capital is Paris"
            : '{"answer": "Paris", "confidence": 0.6}',
      ],
      { whenDone: "repeat-last" },
    );
    // The notes go to the model without the schema's rubric (notesModel): notes are not answers.
    const reader = treeSplit(escalateAcross([model], { rubric: answerRubric() }), {
      promptLimit: { chars: 3_000 },
      concurrency: 1,
      notesModel: escalateAcross([model]),
    });
    const book = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: ${"filler text ".repeat(20)}`).join(
      "\n\n",
    );
    const generation = await reader.generate({ ...ask, context: [book] });
    expect(generation.trace?.split?.shards).toBeGreaterThan(1);
    expect(generation.value).toEqual({ answer: "Paris", confidence: 0.6 });
  });

  it("a nested engine's value passes through an outer engine without a rubric", async () => {
    const inner = retryWithContext(scriptedModel("m", ['{"answer": "Paris", "confidence": 1}']), {
      rubric: answerRubric(),
    });
    const generation = await escalateAcross([inner]).generate(ask);
    expect(generation.value).toEqual({ answer: "Paris", confidence: 1 });
  });

  it("onExhausted 'best' returns the best attempt with its value when the value rule passed", async () => {
    const rubric = defineRubric({
      id: "r",
      rules: [structured("s", Answer), predicate("never", () => false)],
    });
    const model = scriptedModel("m", ['{"answer": "Paris", "confidence": 1}', "nothing"]);
    const best = await retryWithContext(model, { rubric, maxAttempts: 2, onExhausted: "best" }).generate(ask);
    expect(best.verdict?.accepted).toBe(false);
    expect(best.value).toEqual({ answer: "Paris", confidence: 1 });
    const thrown = await retryWithContext(scriptedModel("m", ["x", "y"]), {
      rubric: answerRubric(),
      maxAttempts: 2,
    })
      .generate(ask)
      .catch((e: unknown) => e);
    expect(ExhaustedError.isInstance(thrown)).toBe(true);
  });

  it("continueUntilComplete keeps a value for one piece, none for a stitched text", async () => {
    const value = { answer: "Paris", confidence: 1 };
    // A model whose generations carry a value (as an engine's do), the first one cut off.
    const pieces = (steps: readonly Generation<typeof value>[]): Model<typeof value> => {
      let call = 0;
      return { id: "valued", generate: async () => steps[call++]! };
    };
    const whole = { text: "{}", finishReason: "stop", usage: {}, modelId: "valued", value } as const;
    const cut = { ...whole, finishReason: "length" } as const;
    expect((await continueUntilComplete(pieces([whole])).generate(ask)).value).toEqual(value);
    const stitched = await continueUntilComplete(pieces([cut, { ...whole, text: "more" }])).generate(ask);
    expect(stitched.text).toBe("{}more");
    expect(stitched).not.toHaveProperty("value");
    // Under an engine the stitched text is judged whole, so the value is the whole answer's.
    const inner = scriptedModel("m", [
      { text: '{"answer": "Pa', finishReason: "length" },
      'ris", "confidence": 1}',
    ]);
    const generation = await retryWithContext(continueUntilComplete(inner), {
      rubric: answerRubric(),
    }).generate(ask);
    expect(generation.value).toEqual(value);
  });
});
