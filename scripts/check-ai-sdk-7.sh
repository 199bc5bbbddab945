#!/usr/bin/env bash
# AI SDK 7 from a user's side (run on Node >= 22, which ai 7 needs): a scratch project with `ai@7` installs the
# packed rungs tarball without peer errors, and the SDK's own MockLanguageModelV4 (specification v4) runs
# through fromAiSdk inside escalateAcross, ESM and CJS.
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
