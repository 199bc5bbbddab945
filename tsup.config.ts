import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { defineConfig } from "tsup";
import { languageDataFile, languageDataFromLangdetect } from "./src/rubric/ifeval/language-profiles.js";

// One entry per subpath export. ESM-only dependencies (p-limit, p-retry) are bundled into
// the CJS build so `require("rungs")` works on every Node the engines field allows (function-timeout too).
export default defineConfig({
  entry: {
    index: "src/index.ts",
    testing: "src/testing/index.ts",
    ifeval: "src/rubric/ifeval/index.ts",
    ollama: "src/providers/ollama/index.ts",
    "ai-sdk": "src/providers/ai-sdk.ts",
    vitest: "src/vitest/index.ts",
    redis: "src/redis/index.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  // `import.meta.url` in the CJS build (rungs/ifeval reads its language data relative to the bundle).
  shims: true,
  target: "node20",
  splitting: true,
  treeshake: true,
  // Optional peer dependencies, loaded only by their subpaths (rungs/ollama, rungs/ai-sdk, rungs/redis): never bundled.
  external: ["ollama", "ai", "ioredis"],
  noExternal: ["p-limit", "p-retry", "yocto-queue", "is-network-error", "function-timeout"],
  // rungs/ifeval's language profiles: one JSON file beside the bundles, shared by ESM and CJS, so the
  // tables ship once and are neither bundled twice nor source-mapped.
  async onSuccess() {
    mkdirSync("dist", { recursive: true });
    const data = languageDataFromLangdetect(createRequire(import.meta.url));
    writeFileSync(`dist/${languageDataFile}`, JSON.stringify(data));
  },
});
