import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

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
    config: "src/config/index.ts",
    // The `rungs` bin (package.json "bin": dist/cli.js); its shebang line is kept by esbuild.
    cli: "src/cli/main.ts",
    redis: "src/redis/index.ts",
  },
  format: ["esm", "cjs"],
  define: { __RUNGS_VERSION__: JSON.stringify(version) },
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  splitting: true,
  treeshake: true,
  // Optional peer dependencies, loaded only by their subpaths (rungs/ollama, rungs/ai-sdk, rungs/redis): never bundled.
  external: ["ollama", "ai", "ioredis"],
  noExternal: ["p-limit", "p-retry", "yocto-queue", "is-network-error", "function-timeout"],
  // The config's JSON Schema ships beside the code (rungs/config.schema.json), made from the zod schema.
  async onSuccess() {
    const { configJsonSchema } = await import(`${process.cwd()}/dist/config.js`);
    await writeFile("dist/config.schema.json", `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  },
});
