import { defineConfig } from "tsup";

// One entry per subpath export. ESM-only dependencies (p-limit, p-retry) are bundled into
// the CJS build so `require("rungs")` works on every Node the engines field allows (function-timeout too).
export default defineConfig({
  entry: {
    index: "src/index.ts",
    testing: "src/testing/index.ts",
    vitest: "src/vitest/index.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  splitting: true,
  treeshake: true,
  noExternal: ["p-limit", "p-retry", "yocto-queue", "is-network-error", "function-timeout"],
});
