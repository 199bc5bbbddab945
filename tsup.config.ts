import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { defineConfig } from "tsup";
import { languageDataFile, languageDataFromLangdetect } from "./src/rubric/ifeval/language-profiles.js";
import { bundleClient } from "./src/view/bundle-client.js";
import { clientFileName } from "./src/view/client-script.js";

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
    otel: "src/otel/index.ts",
  },
  format: ["esm", "cjs"],
  define: { __RUNGS_VERSION__: JSON.stringify(version) },
  dts: true,
  clean: true,
  // No source maps: src/ is not shipped, and maps pointing at it made every user's vitest print "Sourcemap
  // ... points to missing source files" and stack traces name node_modules/rungs/src/*.ts, which does not
  // exist. The bundles are readable (not minified), so a stack trace's dist/ file and line are the truth.
  // scripts/check-pack.mjs refuses a package whose maps point outside it.
  sourcemap: false,
  // `import.meta.url` in the CJS build (rungs/ifeval reads its language data relative to the bundle).
  shims: true,
  target: "node20",
  splitting: true,
  treeshake: true,
  // Optional peer dependencies, loaded only by their subpaths (rungs/ollama, rungs/ai-sdk, rungs/redis,
  // rungs/otel): never bundled.
  // esbuild: only `rungs view` run from source bundles its page script with it; the package ships the file.
  external: ["ollama", "ai", "ioredis", "@opentelemetry/api", "esbuild"],
  noExternal: ["p-limit", "p-retry", "yocto-queue", "is-network-error", "function-timeout"],
  async onSuccess() {
    // rungs/ifeval's language profiles: one JSON file beside the bundles, shared by ESM and CJS, so the
    // tables ship once and are neither bundled twice nor source-mapped.
    mkdirSync("dist", { recursive: true });
    const data = languageDataFromLangdetect(createRequire(import.meta.url));
    writeFileSync(`dist/${languageDataFile}`, JSON.stringify(data));
    // The config's JSON Schema ships beside the code (rungs/config.schema.json), made from the zod schema.
    const { configJsonSchema } = await import(`${process.cwd()}/dist/config.js`);
    await writeFile("dist/config.schema.json", `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    // `rungs view`'s page script (uPlot and jsdiff inlined, minified), read by the CLI and put in each page.
    await writeFile(`dist/${clientFileName}`, await bundleClient("src/view/client/main.ts"));
  },
});
