// The types of rungs/ai-sdk against each installed AI SDK major's own types, checked by the type checker
// (`npm run typecheck` covers test/): an app's `fromAiSdk(openai(...))` and `streamText({ model:
// toAiSdk(...) })` must compile with ai 5 (specification v2) and ai 6 (v3), not only run.
import type { LanguageModel as LanguageModel6 } from "ai";
import type { LanguageModel as LanguageModel5 } from "ai-v5";
import { describe, expectTypeOf, it } from "vitest";
import type {
  AiSdkLanguageModel,
  RungsLanguageModelV2,
  RungsLanguageModelV3,
} from "../../src/providers/ai-sdk.js";

type ModelV2 = Exclude<LanguageModel5, string>;
type ModelV3 = Extract<Exclude<LanguageModel6, string>, { specificationVersion: "v3" }>;

describe("rungs/ai-sdk types against the SDK's", () => {
  it("toAiSdk's models are the SDK's language models, doGenerate and doStream alike", () => {
    expectTypeOf<RungsLanguageModelV2>().toExtend<ModelV2>();
    expectTypeOf<RungsLanguageModelV3>().toExtend<ModelV3>();
  });

  it("fromAiSdk takes the SDK's language models of each major", () => {
    expectTypeOf<ModelV2>().toExtend<AiSdkLanguageModel>();
    expectTypeOf<ModelV3>().toExtend<AiSdkLanguageModel>();
  });
});
