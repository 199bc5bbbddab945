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
  "streamModel",
  "structured",
  "taskDirFromPath",
  "transportRetriesOf",
  "treeSplit",
  "validToolCalls",
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

// docs/naming.md is the vocabulary; these hold the names to it.
describe("names follow docs/naming.md", () => {
  const naming = readFileSync(join(import.meta.dirname, "..", "docs", "naming.md"), "utf8");
  const srcFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? srcFiles(join(dir, entry.name))
        : entry.name.endsWith(".ts")
          ? [join(dir, entry.name)]
          : [],
    );
  const src = join(import.meta.dirname, "..", "src");

  it("every event is named noun-then-verb and listed in the guide's event table", () => {
    const events = new root.RungsEvents();
    // The event map's keys, from a sink that listens to none: read them from the guide and the source alike.
    const eventsSource = readFileSync(join(src, "events.ts"), "utf8");
    const declared = [...eventsSource.matchAll(/^ {2}"([a-z]+-[a-z]+)": \(event/gm)].map((m) => m[1]!);
    expect(declared.length).toBeGreaterThanOrEqual(10);
    for (const name of declared) {
      expect(name, "noun-then-verb, the verb in its base form").toMatch(
        /^[a-z]+-(start|end|skip|exhaust|resume|block|continue|split|retry|warn|stream|discard)$/,
      );
      expect(naming, `docs/naming.md lists the event ${name}`).toContain(`\`${name}\``);
      expect(events.listenerCount(name as root.RungsEventName)).toBe(0);
    }
  });

  it("every limit an error can name is in the guide", () => {
    const limitsSource = readFileSync(join(src, "errors", "exhausted-error.ts"), "utf8");
    const block = limitsSource.slice(limitsSource.indexOf("export type ExhaustionLimit"));
    const limits = [...block.slice(0, block.indexOf(";")).matchAll(/"(\w+)"/g)].map((m) => m[1]!);
    expect(limits.length).toBeGreaterThanOrEqual(8);
    for (const limit of limits)
      expect(naming, `docs/naming.md names the limit ${limit}`).toContain(`\`${limit}\``);
  });

  it("a cap is named max + what it counts (a size carries its unit)", () => {
    // Options rungs does not name: ioredis' and p-retry's, passed through.
    const foreign = new Set(["maxRetriesPerRequest", "maxTimeout"]);
    const caps = new Set<string>();
    for (const file of srcFiles(src)) {
      for (const m of readFileSync(file, "utf8").matchAll(/^\s+(max[A-Z]\w*)\??:/gm)) caps.add(m[1]!);
    }
    expect(caps.size).toBeGreaterThan(10);
    const counted =
      /^max(Attempts|UnfinishedAttempts|Calls|Continuations|Depth|Retries|Records|Candidates|Issues|InFlight|Length|\w*(Chars|Tokens|Ms|Bytes))$/;
    for (const cap of caps) if (!foreign.has(cap)) expect(cap).toMatch(counted);
  });

  it("no retired word is left in src/, the README or docs/ (but the guide's own table)", () => {
    const retiredSection = naming.slice(
      naming.indexOf("## Retired words"),
      naming.indexOf("## The design's names"),
    );
    const retired = [...retiredSection.matchAll(/^\| (.+?) \| /gm)]
      .slice(2)
      .flatMap((m) => [...m[1]!.matchAll(/`([\w-]+)`/g)].map((w) => w[1]!))
      // Event words that are also plain English are checked as event names only.
      .filter((w) => !["continuation", "split", "exhausted", "warning"].includes(w));
    expect(retired).toContain("giveUp");
    const docsDir = join(import.meta.dirname, "..", "docs");
    const files = [
      ...srcFiles(src),
      join(import.meta.dirname, "..", "README.md"),
      ...readdirSync(docsDir)
        .filter((f) => f.endsWith(".md") && f !== "naming.md")
        .map((f) => join(docsDir, f)),
    ];
    const found: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const word of retired) if (new RegExp(`\\b${word}\\b`).test(text)) found.push(`${file}: ${word}`);
      for (const event of ["continuation", "split", "exhausted", "warning"]) {
        // process.on("warning") is Node's own event, not rungs'.
        if (new RegExp(`(?<!process\\.)\\b(on|emit|listening|subscribe)\\([^)]*"${event}"`).test(text)) {
          found.push(`${file}: event "${event}"`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
