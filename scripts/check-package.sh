#!/usr/bin/env bash
# Installs a packed rungs tarball into an empty scratch project and checks that it works as a user sees it:
# `import` (ESM), `require` (CJS), isInstance across both copies, and TypeScript types under NodeNext.
set -euo pipefail
tarball="$1"
dir="$2"
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
npm init -y >/dev/null
npm i --no-audit --no-fund --silent "$tarball" typescript@5.9.3 @types/node@20

cat > esm.mjs <<'JS'
import { defineModel, ExhaustedError, RungsError } from "rungs";
import { scriptedModel } from "rungs/testing";
import { createRequire } from "node:module";
const cjs = createRequire(import.meta.url)("rungs");
const model = defineModel("echo", async (request) => ({ text: request.messages[0].content }));
const out = await model.generate({ messages: [{ role: "user", content: "ping" }] });
if (out.text !== "ping") throw new Error("ESM generate failed");
const scripted = scriptedModel("s", ["pong"]);
if ((await scripted.generate({ prompt: "ping" })).text !== "pong") throw new Error("rungs/testing failed");
const foreign = new cjs.ExhaustedError({ limit: "maxAttempts", attempts: [] });
if (foreign instanceof ExhaustedError) throw new Error("expected two copies (ESM and CJS)");
if (!ExhaustedError.isInstance(foreign) || !RungsError.isInstance(foreign)) throw new Error("isInstance failed across copies");
console.log("ESM ok; isInstance works across the ESM and CJS copies");
JS
cat > cjs.cjs <<'JS'
const { defineModel, Budget } = require("rungs");
const { scriptedModel } = require("rungs/testing");
(async () => {
  const model = defineModel("echo", async () => ({ text: "pong" }));
  const out = await model.generate({ prompt: "ping" }, { budget: new Budget({ maxCalls: 1 }) });
  if (out.text !== "pong") throw new Error("CJS generate failed");
  const scripted = scriptedModel("s", ["x"]);
  await scripted.generate({ prompt: "ping" });
  console.log("CJS ok");
})().catch((error) => { console.error(error); process.exit(1); });
JS
cat > types.ts <<'TS'
import { defineModel, type Generation, type Model } from "rungs";
import { scriptedModel } from "rungs/testing";
const model: Model = defineModel("m", async () => ({ text: "x" }));
const scripted: Model = scriptedModel("s", ["y"]);
export async function run(): Promise<Generation> {
  await scripted.generate({ prompt: "ping" });
  return model.generate({ messages: [{ role: "user", content: "hi" }] });
}
TS
cat >> types.ts <<'TS'
import { ladderFromConfig, type LadderConfig } from "rungs/config";
const config: LadderConfig = { ladder: ["test:a"] };
export const ladder: Model = ladderFromConfig(config, { providers: { test: () => model } });
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "noEmit": true, "skipLibCheck": false, "types": ["node"] }, "files": ["types.ts"] }
JSON
cat > peers.mjs <<'JS'
// Optional peers are not installed here: rungs/ollama must name the install command, from ESM and CJS.
import { createRequire } from "node:module";
const expected = 'rungs/ollama needs the "ollama" package: npm i ollama';
const esm = await import("rungs/ollama").then(() => "loaded", (error) => error.message);
if (esm !== expected) throw new Error(`ESM import of rungs/ollama without ollama: got ${JSON.stringify(esm)}`);
let cjs = "loaded";
try { createRequire(import.meta.url)("rungs/ollama"); } catch (error) { cjs = error.message; }
if (cjs !== expected) throw new Error(`CJS require of rungs/ollama without ollama: got ${JSON.stringify(cjs)}`);
// rungs/otel without @opentelemetry/api names its install command too.
const otelExpected = 'rungs/otel needs the "@opentelemetry/api" package: npm i @opentelemetry/api';
const otelEsm = await import("rungs/otel").then(() => "loaded", (error) => error.message);
if (otelEsm !== otelExpected) throw new Error(`ESM import of rungs/otel without the API: got ${JSON.stringify(otelEsm)}`);
let otelCjs = "loaded";
try { createRequire(import.meta.url)("rungs/otel"); } catch (error) { otelCjs = error.message; }
if (otelCjs !== otelExpected) throw new Error(`CJS require of rungs/otel without the API: got ${JSON.stringify(otelCjs)}`);
// rungs/ai-sdk takes the model object from the caller and needs no `ai` at run time.
await import("rungs/ai-sdk");
console.log(`missing peer ok: ${expected}; ${otelExpected}`);
JS
cat > ifeval.mjs <<'JS'
// rungs/ifeval reads its language data from the one JSON file in the package (langdetect is not installed).
import { createRequire } from "node:module";
const record = { key: 1, prompt: "p", instruction_id_list: ["language:response_language"], kwargs: [{ language: "de" }] };
const german = "Dies ist ein ganz normaler deutscher Satz über das Wetter von heute und morgen.";
const english = "This is an ordinary English sentence about the weather today and tomorrow.";
const esm = await import("rungs/ifeval");
const cjs = createRequire(import.meta.url)("rungs/ifeval");
for (const [name, pack] of [["ESM", esm], ["CJS", cjs]]) {
  const verdicts = [pack.followInstructions(record, german)[0], pack.followInstructions(record, english)[0]];
  if (verdicts[0] !== true || verdicts[1] !== false) throw new Error(`${name} rungs/ifeval language check: ${verdicts}`);
}
console.log("rungs/ifeval ok: language data loaded by ESM and CJS from one file");
JS
node esm.mjs
node cjs.cjs
node peers.mjs
node ifeval.mjs
npx --no-install tsc -p tsconfig.json && echo "types ok"
# The `rungs` bin: help, and a config run through a provider from a --setup module (no ollama installed).
npx --no-install rungs --help | grep unblock >/dev/null
echo "bin ok"
printf 'ladder: [echo:hello]\nmaxAttempts: 2\n' > ladder.yaml
cat > setup.mjs <<'JS'
export const providers = { echo: (model) => ({ id: `echo:${model}`, generate: async () => ({ text: model, finishReason: "stop", usage: {}, modelId: `echo:${model}` }) }) };
JS
npx --no-install rungs check --config ladder.yaml --setup setup.mjs | grep echo:hello >/dev/null
test "$(npx --no-install rungs run --config ladder.yaml --setup setup.mjs --prompt hi 2>/dev/null)" = "hello"
echo "rungs check and run ok"
# `rungs view` from the package: its page script ships built (dist/view-client.js; esbuild is not installed
# here), and the page it writes carries the data and that script inline.
npx --no-install rungs run --config ladder.yaml --setup setup.mjs --prompt hi --record rec >/dev/null 2>&1
npx --no-install rungs view rec --out view.html | grep "1 tasks" >/dev/null
grep -q 'id="rungs-data"' view.html && grep -q "Content-Security-Policy" view.html
test "$(wc -c < view.html)" -gt 50000
echo "rungs view ok"
# RUNGS_LOG is read as rungs loads: the packed build must keep that (a bundler once dropped it as a bare import).
cat > envlog.mjs <<'JS'
import { escalateAcross, defineRubric, matches } from "rungs";
import { scriptedModel } from "rungs/testing";
const rubric = defineRubric({ id: "r", rules: [matches("ok", /ok/)] });
await escalateAcross([scriptedModel("a", ["no"]), scriptedModel("b", ["ok"])], { rubric }).generate({ prompt: "q" });
JS
for entry in esm cjs; do
  if [ "$entry" = esm ]; then run=(node envlog.mjs); else run=(node -e 'const r=require("rungs");const t=require("rungs/testing");r.escalateAcross([t.scriptedModel("a",["no"]),t.scriptedModel("b",["ok"])],{rubric:r.defineRubric({id:"r",rules:[r.matches("ok",/ok/)]})}).generate({prompt:"q"})'); fi
  on="$(RUNGS_LOG=1 "${run[@]}" 2>&1)"
  off="$(RUNGS_LOG=off "${run[@]}" 2>&1)"
  unknown="$(RUNGS_LOG=loud "${run[@]}" 2>&1)"
  case "$on" in *"[rungs] escalate/attempt["*) ;; *) echo "RUNGS_LOG=1 printed no [rungs] line ($entry): $on"; exit 1 ;; esac
  case "$off" in *"[rungs]"*) echo "RUNGS_LOG=off printed lines ($entry)"; exit 1 ;; esac
  case "$unknown" in *RUNGS_LOG_UNKNOWN*) ;; *) echo "RUNGS_LOG=loud did not warn ($entry)"; exit 1 ;; esac
done
echo "RUNGS_LOG: on, off and an unknown value behave as documented (ESM and CJS)"
node -e 'const s = require("rungs/config.schema.json"); if (s.additionalProperties !== false) process.exit(1)'
echo "schema ok"

# Matcher types as a user gets them: `types: ["rungs/vitest"]` in tsconfig (rungs/vitest loaded through
# vitest's setupFiles, so no test imports it), in an ESM and in a CommonJS project, with a test that imports
# rungs/vitest too (both declarations then meet). The ESM and CJS copies of the declarations must not clash
# ("Two different types with this name exist").
npm i --no-audit --no-fund --silent vitest@4
for kind in module commonjs; do
  rm -rf "vitest-$kind" && mkdir "vitest-$kind"
  printf '{ "name": "vitest-%s", "private": true, "type": "%s" }\n' "$kind" "$kind" > "vitest-$kind/package.json"
  cat > "vitest-$kind/tsconfig.json" <<'JSON'
{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022", "strict": true, "noEmit": true, "skipLibCheck": false, "types": ["node", "rungs/vitest"] }, "include": ["*.ts"] }
JSON
  cat > "vitest-$kind/setup-files.test.ts" <<'TS'
// rungs/vitest is loaded by vitest's setupFiles: this file does not import it.
import { defineRubric, nonEmpty, type RuleContext } from "rungs";
import { expect, it } from "vitest";
const rubric = defineRubric({ id: "r", rules: [nonEmpty()] });
declare const ctx: RuleContext;
it("judges", async () => {
  await expect("an answer").toSatisfyRubric(rubric);
  await expect("an answer").toSatisfyRubric(rubric, { modelId: "m" });
  await expect("an answer").toSatisfyRubric(rubric, ctx);
  await expect(rubric).toBeCalibratedOn({ accept: ["yes"], reject: [""] });
});
TS
  cat > "vitest-$kind/imports.test.ts" <<'TS'
// This one imports rungs/vitest as well: its declarations meet the ones `types` loaded.
import "rungs/vitest";
import { defineRubric, nonEmpty } from "rungs";
import { expect, it } from "vitest";
it("judges", async () => {
  await expect("x").toSatisfyRubric(defineRubric({ id: "r", rules: [nonEmpty()] }));
});
TS
  (cd "vitest-$kind" && npx --no-install tsc -p tsconfig.json) || { echo "types: [\"rungs/vitest\"] fails to type-check in a $kind project"; exit 1; }
done
echo "rungs/vitest matcher types ok (types: [\"rungs/vitest\"], ESM and CJS projects)"
