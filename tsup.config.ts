import { defineConfig } from "tsup";

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
  target: "node20",
  splitting: true,
  treeshake: true,
  // Optional peer dependencies, loaded only by their subpaths (rungs/ollama, rungs/ai-sdk, rungs/redis): never bundled.
  external: ["ollama", "ai", "ioredis"],
  noExternal: ["p-limit", "p-retry", "yocto-queue", "is-network-error", "function-timeout"],
});
