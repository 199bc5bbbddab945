// Type-level: `generation.value` is inferred from the schema, with no cast, through the engines and the
// wrappers above them; untyped code keeps its types. Checked by `tsc --noEmit` (test/ is in tsconfig), run by
// vitest as ordinary tests.
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  continueUntilComplete,
  defineRubric,
  escalateAcross,
  type Generation,
  json,
  type Model,
  nonEmpty,
  predicate,
  type Rubric,
  type Rule,
  retryWithContext,
  type StreamingModel,
  structured,
  treeSplit,
  type Verdict,
} from "../../src/index.js";
import { withOtel } from "../../src/otel/index.js";
import { scriptedModel } from "../../src/testing/index.js";

const Answer = z.object({
  answer: z.string(),
  confidence: z.number(),
  asOf: z.string().transform((s) => new Date(s)),
});
type AnswerOut = z.output<typeof Answer>; // { answer: string; confidence: number; asOf: Date }

const local = scriptedModel("local", ['{"answer": "Paris", "confidence": 1, "asOf": "2026-01-01"}'], {
  whenDone: "repeat-last",
});
const cloud = scriptedModel("cloud", ["unused"], { whenDone: "repeat-last" });

describe("structured: value types", () => {
  it("a rubric with a structured rule is a Rubric<string, schema output>", () => {
    const rubric = defineRubric({ id: "a", rules: [nonEmpty(), structured("shape", Answer)] });
    expectTypeOf(rubric).toEqualTypeOf<Rubric<string, AnswerOut>>();
    expectTypeOf<Awaited<ReturnType<typeof rubric.evaluate>>["value"]>().toEqualTypeOf<
      AnswerOut | undefined
    >();
    expectTypeOf(structured("shape", Answer)).toEqualTypeOf<Rule<string, AnswerOut>>();
    expectTypeOf(json("shape", Answer)).toEqualTypeOf<Rule<string, AnswerOut>>();
  });

  it("infers value through retryWithContext, escalateAcross, continueUntilComplete and treeSplit", async () => {
    const rubric = defineRubric({ id: "a", rules: [structured("shape", Answer)] });
    const retried = retryWithContext(local, { rubric, maxAttempts: 3 });
    expectTypeOf(retried).toEqualTypeOf<StreamingModel<AnswerOut>>();
    const ladder = escalateAcross([retried, { model: cloud, maxAttempts: 2 }], { rubric });
    expectTypeOf(ladder).toEqualTypeOf<StreamingModel<AnswerOut>>();
    const wrapped = treeSplit(continueUntilComplete(ladder), { promptLimit: { chars: 50_000 } });
    expectTypeOf(wrapped).toEqualTypeOf<StreamingModel<AnswerOut>>();
    const generation = await wrapped.generate({ prompt: "Capital of France, as JSON?" });
    expectTypeOf(generation).toEqualTypeOf<Generation<AnswerOut>>();
    expectTypeOf(generation.value).toEqualTypeOf<AnswerOut | undefined>();
    if (generation.value !== undefined) expectTypeOf(generation.value.asOf).toEqualTypeOf<Date>();
    const overRetry = continueUntilComplete(retryWithContext(local, { rubric }));
    expectTypeOf(overRetry).toEqualTypeOf<StreamingModel<AnswerOut>>();
    expectTypeOf(withOtel(ladder)).toEqualTypeOf<StreamingModel<AnswerOut>>();
  });

  it("a predicate returning { pass, value } types the value too", () => {
    const rubric = defineRubric({
      id: "count",
      rules: [predicate("count", (text: string) => ({ pass: true, value: text.length }))],
    });
    expectTypeOf(retryWithContext(local, { rubric })).toEqualTypeOf<StreamingModel<number>>();
  });

  it("untyped code keeps its types: Model, Generation, Rubric and Verdict without a type argument", async () => {
    const plain = defineRubric({ id: "p", rules: [nonEmpty(), predicate("p", (t: string) => t.length > 0)] });
    expectTypeOf(plain).toEqualTypeOf<Rubric<string>>();
    let model = retryWithContext(local, { rubric: plain });
    expectTypeOf(model).toEqualTypeOf<StreamingModel>();
    model = escalateAcross([model, cloud]); // reassigning an untyped ladder still compiles
    expectTypeOf(retryWithContext(local)).toEqualTypeOf<StreamingModel>();
    const generation: Generation = await model.generate({ prompt: "hi" });
    expectTypeOf(generation.value).toBeUnknown();
    // Typed values flow into untyped slots.
    const typed = retryWithContext(local, {
      rubric: defineRubric({ id: "t", rules: [structured("s", Answer)] }),
    });
    const asModel: Model = typed;
    const asRubric: Rubric = defineRubric({ id: "t", rules: [structured("s", Answer)] });
    const asRule: Rule = structured("s", Answer);
    const verdict: Verdict | undefined = (await typed.generate({ prompt: "x" })).verdict;
    expectTypeOf(asModel).toEqualTypeOf<Model>();
    expectTypeOf(asRubric.rules).toEqualTypeOf<readonly Rule<string>[]>();
    expectTypeOf(asRule).toEqualTypeOf<Rule>();
    expectTypeOf(verdict).toEqualTypeOf<Verdict | undefined>();
    // An explicit output type argument, and rules over another output type, still compile as before.
    expectTypeOf(defineRubric<string>({ id: "e", rules: [nonEmpty()] })).toEqualTypeOf<Rubric<string>>();
    const onNumbers = defineRubric({ id: "n", rules: [predicate("positive", (n: number) => n > 0)] });
    expectTypeOf(onNumbers).toEqualTypeOf<Rubric<number>>();
  });
});
