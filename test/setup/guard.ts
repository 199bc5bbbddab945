// A global guard: any unhandled rejection or MaxListenersExceededWarning fails the run.
import { afterAll } from "vitest";

const problems: string[] = [];

process.on("unhandledRejection", (reason) => {
  problems.push(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
});
process.on("warning", (warning) => {
  if (warning.name === "MaxListenersExceededWarning") problems.push(`${warning.name}: ${warning.message}`);
});

afterAll(async () => {
  // Let pending microtasks and timers settle so late rejections are seen.
  await new Promise((resolve) => setTimeout(resolve, 10));
  if (problems.length > 0) throw new Error(`Test guard tripped:\n${problems.join("\n")}`);
});
