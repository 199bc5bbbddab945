#!/usr/bin/env bash
# AI SDK 7 from a user's side (run on Node >= 22, which ai 7 needs): a scratch project with `ai@7` installs the
# packed rungs tarball without peer errors, and the SDK's own MockLanguageModelV4 (specification v4) runs
# through fromAiSdk inside escalateAcross, ESM and CJS; toAiSdk, left to find the installed ai, makes a v4 model
# that ai 7's generateText runs a tool loop with, and that ai 7's streamText streams (the accepted answer only).
set -euo pipefail
tarball="$1"
dir="$2"
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
npm init -y >/dev/null
npm i --no-audit --no-fund --silent ai@7
npm i --no-audit --no-fund "$tarball" >install.log 2>&1 || { cat install.log; echo "installing rungs next to ai@7 failed"; exit 1; }
if grep -Ei "ERESOLVE|peer dep|conflicting peer" install.log; then echo "peer warnings installing rungs next to ai@7"; exit 1; fi
echo "installed ai@$(node -p 'require("ai/package.json").version') and rungs@$(node -p 'require("rungs/package.json").version'): no peer errors"

cat > v4.mjs <<'JS'
import { MockLanguageModelV4 } from "ai/test";
import { defineRubric, escalateAcross, notMatches } from "rungs";
import { fromAiSdk } from "rungs/ai-sdk";
const result = (text) => ({
  content: [{ type: "text", text }],
  finishReason: { unified: "stop", raw: "stop" },
  usage: {
    inputTokens: { total: 12, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 5, text: undefined, reasoning: undefined },
  },
  warnings: [],
});
const small = new MockLanguageModelV4({ provider: "mock", modelId: "small", doGenerate: result("y.unwrap()") });
const large = new MockLanguageModelV4({ provider: "mock", modelId: "large", doGenerate: result("y?") });
if (small.specificationVersion !== "v4") throw new Error(`expected a v4 mock, got ${small.specificationVersion}`);
const rubric = defineRubric({ id: "no-unwrap", rules: [notMatches("no-unwrap", /\.unwrap\(\)/)] });
const answer = await escalateAcross([fromAiSdk(small), fromAiSdk(large)], { rubric }).generate({
  messages: [{ role: "user", content: "fix it" }],
});
const attempts = answer.trace?.attempts?.map((a) => `${a.modelId}:${a.kind ?? "accepted"}`).join(" ");
if (answer.text !== "y?" || attempts !== "mock:small:rejected mock:large:accepted") {
  throw new Error(`unexpected ladder result: ${answer.text} (${attempts})`);
}
console.log(`ai@7 MockLanguageModelV4 through fromAiSdk in escalateAcross: ${attempts}; usage ${JSON.stringify(answer.usage)}`);
JS
node v4.mjs

cat > to-ai-sdk.mjs <<'JS'
import { generateText, jsonSchema, stepCountIs, tool } from "ai";
import { defineRubric, escalateAcross, validToolCalls } from "rungs";
import { toAiSdk } from "rungs/ai-sdk";
import { scriptedModel } from "rungs/testing";
const call = (input) => ({ text: "", finishReason: "tool-calls", toolCalls: [{ id: "c1", name: "getWeather", input }] });
const small = scriptedModel("small", [call({ town: "Lyon" }), "21 °C in Lyon."]);
const large = scriptedModel("large", [call({ city: "Lyon" })]);
const ladder = escalateAcross([small, large], { rubric: defineRubric({ id: "step", rules: [validToolCalls()] }) });
const model = toAiSdk(ladder); // the specification of the installed ai
if (model.specificationVersion !== "v4") throw new Error(`expected a v4 model for ai 7, got ${model.specificationVersion}`);
const seen = [];
const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
const result = await generateText({
  model,
  tools: { getWeather: tool({ inputSchema: jsonSchema(schema), execute: async (input) => (seen.push(input), { celsius: 21 }) }) },
  stopWhen: stepCountIs(3),
  prompt: "How warm is Lyon?",
});
if (JSON.stringify(seen) !== '[{"city":"Lyon"}]' || result.text !== "21 °C in Lyon.") {
  throw new Error(`unexpected tool loop: ${JSON.stringify(seen)} ${result.text}`);
}
console.log(`ai@7 generateText over toAiSdk(ladder): the tool got ${JSON.stringify(seen[0])}; steps answered by ${result.steps.map((s) => s.providerMetadata?.rungs?.modelId).join(", ")}`);
JS
node to-ai-sdk.mjs
cat > stream-text.mjs <<'JS'
import { streamText } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { defineRubric, escalateAcross, notMatches } from "rungs";
import { fromAiSdk, toAiSdk } from "rungs/ai-sdk";
// Each rung streams through its doStream: the first answer is rejected, the second accepted.
const streamed = (text) => ({
  stream: new ReadableStream({
    start(controller) {
      controller.enqueue({ type: "text-start", id: "t" });
      for (const delta of text.match(/.{1,4}/g)) controller.enqueue({ type: "text-delta", id: "t", delta });
      controller.enqueue({ type: "text-end", id: "t" });
      controller.enqueue({
        type: "finish",
        finishReason: { unified: "stop", raw: "stop" },
        usage: { inputTokens: { total: 9 }, outputTokens: { total: 4 } },
      });
      controller.close();
    },
  }),
});
const small = new MockLanguageModelV4({ provider: "mock", modelId: "small", doStream: async () => streamed("let x = y.unwrap();") });
const large = new MockLanguageModelV4({ provider: "mock", modelId: "large", doStream: async () => streamed("let x = y?;") });
const rubric = defineRubric({ id: "no-unwrap", rules: [notMatches("no-unwrap", /\.unwrap\(\)/)] });
const result = streamText({ model: toAiSdk(escalateAcross([fromAiSdk(small), fromAiSdk(large)], { rubric })), prompt: "fix it" });
let text = "";
for await (const chunk of result.textStream) text += chunk;
if (text !== "let x = y?;" || (await result.text) !== text) throw new Error(`streamText glued or lost text: ${JSON.stringify(text)}`);
const rungs = (await result.providerMetadata)?.rungs;
if (rungs?.modelId !== "mock:large" || rungs?.climbed !== true) throw new Error(`unexpected answerer: ${JSON.stringify(rungs)}`);
console.log(`ai@7 streamText over toAiSdk(ladder of two streamed MockLanguageModelV4): ${JSON.stringify(text)}, answered by ${rungs.modelId}`);
JS
node stream-text.mjs
node -e 'const { toAiSdk } = require("rungs/ai-sdk"); const { scriptedModel } = require("rungs/testing"); const v = toAiSdk(scriptedModel("m", ["x"])).specificationVersion; if (v !== "v4") throw new Error("CJS: expected v4, got " + v); console.log("CJS: toAiSdk finds ai 7 (v4)");'
