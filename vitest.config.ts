import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // temp-dir.ts: one temp dir per test file, which must hold no rungs-* entry when the file ends.
    setupFiles: ["test/setup/guard.ts", "test/setup/temp-dir.ts"],
    testTimeout: 30_000,
    pool: "forks",
    // Every core: vitest's default leaves one idle (one worker on a 2-core machine), and much of the suite
    // waits on loopback servers and child processes. 105 s → 67 s on the 2-core development machine.
    maxWorkers: "100%",
    projects: [
      {
        extends: true,
        // An `exclude` replaces vitest's default one, so node_modules is named again: test/ai-sdk-7 has its
        // own install (ai 7 and its dependencies, whose packages ship test files of their own).
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/redis/**", "**/node_modules/**"],
        },
      },
      {
        // Only these files need a redis-server: the global setup starts one (and stops it) for them alone.
        extends: true,
        test: {
          name: "redis",
          include: ["test/redis/**/*.test.ts"],
          globalSetup: ["test/setup/redis-server.ts"],
        },
      },
    ],
  },
});
