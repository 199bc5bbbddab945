// The public surface: what `import ... from "rungs"` (and each subpath) offers, and that the docs cover it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as root from "../src/index.js";
import * as otelEntry from "../src/otel/index.js";
import * as aiSdk from "../src/providers/ai-sdk.js";
import * as ollamaEntry from "../src/providers/ollama/index.js";
import * as ifeval from "../src/rubric/ifeval/index.js";
import * as testing from "../src/testing/index.js";

/** Every runtime name the main entry exports. A new one must be documented (README.md or docs/) and listed here. */
const rootNames = [
  "BlockedTaskError",
  "Budget",
  "BudgetExhaustedError",
  "CallerCodeError",
  "CircuitBreaker",
  "CircuitBreakers",
  "ExhaustedError",
  "InvalidArgumentError",
  "JudgeReplyError",
  "NoProgressError",
  "ProviderError",
  "RegexTimeoutError",
  "RetryQuota",
  "RungsError",
  "RungsEvents",
  "StatsStoreError",
  "calibrate",
  "consoleReporter",
  "continueUntilComplete",
  "costAwareRouting",
  "defaultMapPrompt",
  "defaultReducePrompt",
  "defineModel",
  "defineRubric",
  "escalateAcross",
  "failureKindOf",
  "failureKinds",
  "fromFunction",
  "isBreakerRegistry",
  "jsPattern",
  "json",
  "jsonFileStatsStore",
  "judgeRule",
  "length",
  "matches",
  "memoryStatsStore",
  "messageText",
  "nonEmpty",
  "notMatches",
  "partialTextOf",
  "predicate",
  "recordRun",
  "renderMessages",
  "renderPrompt",
  "renderedChars",
  "retryWithContext",
  "structured",
  "taskDirFromPath",
  "transportRetriesOf",
  "treeSplit",
];

const docsText = [
  readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8"),
  ...readdirSync(join(import.meta.dirname, "..", "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => readFileSync(join(import.meta.dirname, "..", "docs", name), "utf8")),
].join("\n");

describe("public surface", () => {
  it("the main entry exports exactly the listed runtime names, no internals", () => {
    expect(Object.keys(root).sort()).toEqual([...rootNames].sort());
    // Helpers the main entry used to leak: they stay internal.
    for (const internal of [
      "sleep",
      "redactText",
      "registerSecret",
      "compilePattern",
      "countUnits",
      "addUsage",
    ]) {
      expect(root).not.toHaveProperty(internal);
    }
  });

  it("the docs name every runtime export of the main entry", () => {
    const undocumented = rootNames.filter((name) => !new RegExp(`\\b${name}\\b`).test(docsText));
    expect(undocumented).toEqual([]);
  });

  it("no entry exports a name that collides with a peer's default import (import ollama from 'ollama')", () => {
    const peerDefaults = ["ollama", "ai", "vitest"];
    for (const entry of [root, ollamaEntry, aiSdk, ifeval, testing, otelEntry]) {
      for (const name of peerDefaults) expect(entry).not.toHaveProperty(name);
    }
    expect(typeof ollamaEntry.ollamaModel).toBe("function");
  });

  it("rungs/otel exports withOtel alone, and the docs name it", () => {
    expect(Object.keys(otelEntry).sort()).toEqual(["withOtel"]);
    expect(docsText).toMatch(/\bwithOtel\b/);
    expect(docsText).toContain('from "rungs/otel"');
  });
});
