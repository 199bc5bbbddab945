// A global guard: any unhandled rejection or MaxListenersExceededWarning fails the run, and a process warning
// that a test did not capture (test/support/warnings.ts, captureWarnings) fails that test — a passing run
// prints no warning.
import { afterAll, afterEach, expect } from "vitest";

const problems: string[] = [];
/** Warnings nobody captured during the current test. */
const stray: string[] = [];

process.on("unhandledRejection", (reason) => {
  problems.push(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
});
process.on("warning", (warning) => {
  if (warning.name === "MaxListenersExceededWarning") problems.push(`${warning.name}: ${warning.message}`);
});

// Every warning reaches process.emitWarning (Node's own too); captureWarnings spies on it, so what arrives
// here was not captured. It is still printed (so it can be seen), and the test fails.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const message = warning instanceof Error ? warning.message : String(warning);
  const options = rest[0];
  const code =
    typeof options === "object" && options !== null
      ? (options as { code?: string }).code
      : typeof rest[1] === "string"
        ? rest[1]
        : (warning as { code?: string }).code;
  const name = warning instanceof Error ? warning.name : "";
  if (name !== "MaxListenersExceededWarning") {
    stray.push(`unexpected process warning${code === undefined ? "" : ` [${code}]`} ${message}`);
  }
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

afterEach(() => {
  if (stray.length === 0) return;
  const found = stray.splice(0);
  throw new Error(
    `Test guard tripped in "${expect.getState().currentTestName}":\n${found.join("\n")}\n` +
      "Capture the warnings a test expects (captureWarnings from test/support/warnings.ts) and assert on them.",
  );
});

afterAll(async () => {
  // Let pending microtasks and timers settle so late rejections and warnings are seen.
  await new Promise((resolve) => setTimeout(resolve, 10));
  problems.push(...stray.splice(0));
  if (problems.length > 0) throw new Error(`Test guard tripped:\n${problems.join("\n")}`);
});
