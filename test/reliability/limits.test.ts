// Every limit on every route: each time option refused past 2³¹−1 ms (the set of time options is found in
// src, not listed), counts and sizes refused when NaN, negative, huge or a string, on every entry (options,
// config), every object option checked for what rungs calls on it, secret-shaped keys masked in config errors.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, ladderFromConfig, parseLadderConfig } from "../../src/config/index.js";
import {
  Budget,
  CircuitBreaker,
  CircuitBreakers,
  calibrate,
  continueUntilComplete,
  defineRubric,
  escalateAcross,
  InvalidArgumentError,
  jsPattern,
  judgeRule,
  matches,
  nonEmpty,
  predicate,
  RetryQuota,
  retryWithContext,
  treeSplit,
} from "../../src/index.js";
import { ollamaModel } from "../../src/providers/ollama/index.js";
import { scriptedModel } from "../../src/testing/index.js";

const model = scriptedModel("m", ["ok"], { whenDone: "repeat-last" });
const refused = (error: unknown) => InvalidArgumentError.isInstance(error) || ConfigError.isInstance(error);
const throwsRefusal = (make: () => unknown): boolean => {
  try {
    make();
  } catch (error) {
    return refused(error);
  }
  return false;
};

/** Every `fooMs` / `fooTimeoutMs` field declared in src (option interfaces and the config schema). */
function declaredTimeFields(): string[] {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".ts"))
        for (const [, name] of readFileSync(path, "utf8").matchAll(
          /^\s+(?:readonly )?([a-z][A-Za-z]*Ms)\??:/gm,
        ))
          names.add(name as string);
    }
  };
  walk("src");
  return [...names].sort();
}

const big = 2 ** 31;
/** For each time field: how an option or config takes it, or why it is not an input (measured, reported). */
const timeInputs: Record<string, Array<(ms: number) => unknown> | { notAnInput: string }> = {
  attemptTimeoutMs: [
    (ms) => retryWithContext(model, { attemptTimeoutMs: ms }),
    (ms) => escalateAcross([{ model, attemptTimeoutMs: ms }]),
    (ms) => parseLadderConfig({ ladder: [{ model: "ollama:x", attemptTimeoutMs: ms }] }),
  ],
  deadlineMs: [(ms) => new Budget({ deadlineMs: ms })],
  openMs: [
    (ms) => new CircuitBreaker({ openMs: ms }),
    (ms) => new CircuitBreakers({ openMs: ms }),
    (ms) => parseLadderConfig({ ladder: ["ollama:x"], breakers: { openMs: ms } }),
  ],
  probeTimeoutMs: [
    (ms) => new CircuitBreakers({ probeTimeoutMs: ms }),
    (ms) => parseLadderConfig({ ladder: ["ollama:x"], breakers: { probeTimeoutMs: ms } }),
  ],
  timeoutMs: [
    (ms) => ollamaModel({ model: "m", timeoutMs: ms }),
    (ms) => predicate("p", () => true, { timeoutMs: ms }),
    (ms) => matches("m", "a", { timeoutMs: ms }),
    (ms) => jsPattern(/a/, { timeoutMs: ms }),
    (ms) => judgeRule("j", model, { criteria: "c", timeoutMs: ms }),
  ],
  ruleTimeoutMs: [(ms) => defineRubric({ id: "r", rules: [nonEmpty()], ruleTimeoutMs: ms })],
  initialDelayMs: [(ms) => ollamaModel({ model: "m", retry: { initialDelayMs: ms } })],
  maxDelayMs: [(ms) => ollamaModel({ model: "m", retry: { maxDelayMs: ms } })],
  maxRetryAfterMs: [(ms) => ollamaModel({ model: "m", retry: { maxRetryAfterMs: ms } })],
  delayMs: [(ms) => scriptedModel("s", ["x"], { delayMs: ms })],
  chunkDelayMs: [(ms) => scriptedModel("s", ["x"], { chunkDelayMs: ms })],
  ttlMs: { notAnInput: "rungs/redis (redisStatsStore): covered by test/redis/stats-store.test.ts" },
  blockedTtlMs: { notAnInput: "rungs/redis (redisStatsStore): covered by test/redis/stats-store.test.ts" },
  durationMs: { notAnInput: "measured: an attempt's or a model's time in records" },
  timeToFirstTokenMs: { notAnInput: "measured: a streamed attempt's start to its first part, in records" },
  retryAfterMs: { notAnInput: "read from a server's Retry-After, capped by maxRetryAfterMs" },
  remainingMs: { notAnInput: "Budget's answer" },
};

describe("time options", () => {
  it("the table names every time field declared in src", () => {
    expect(declaredTimeFields().filter((name) => !(name in timeInputs))).toEqual([]);
  });

  it("every time option is refused past 2³¹−1 ms and accepted at it", () => {
    for (const [name, takes] of Object.entries(timeInputs)) {
      if (!Array.isArray(takes)) continue;
      for (const take of takes) {
        expect({ name, refusedAt2e31: throwsRefusal(() => take(big)) }).toEqual({
          name,
          refusedAt2e31: true,
        });
        expect({ name, acceptedAtMax: !throwsRefusal(() => take(big - 1)) }).toEqual({
          name,
          acceptedAtMax: true,
        });
      }
    }
  });
});

/** Where a count or size enters: options and config. */
const countInputs: Record<string, (n: unknown) => unknown> = {
  "retryWithContext maxAttempts": (n) => retryWithContext(model, { maxAttempts: n as number }),
  "escalateAcross maxFeedbackChars": (n) => escalateAcross([{ model }], { maxFeedbackChars: n as number }),
  "escalateAcross rung maxAttempts": (n) => escalateAcross([{ model, maxAttempts: n as number }]),
  "continueUntilComplete maxContinuations": (n) =>
    continueUntilComplete(model, { maxContinuations: n as number }),
  "treeSplit concurrency": (n) =>
    treeSplit(model, { promptLimit: { chars: 1000 }, concurrency: n as number }),
  "treeSplit maxDepth": (n) => treeSplit(model, { promptLimit: { chars: 1000 }, maxDepth: n as number }),
  "CircuitBreakers failureThreshold": (n) => new CircuitBreakers({ failureThreshold: n as number }),
  "RetryQuota capacity": (n) => new RetryQuota({ capacity: n as number }),
  "Budget maxCalls": (n) => new Budget({ maxCalls: n as number }),
  "Budget maxOutputTokens": (n) => new Budget({ maxOutputTokens: n as number }),
  "ollamaModel maxLineChars": (n) => ollamaModel({ model: "m", maxLineChars: n as number }),
  "ollamaModel retry maxRetries": (n) => ollamaModel({ model: "m", retry: { maxRetries: n as number } }),
  "config maxAttempts": (n) => parseLadderConfig({ ladder: ["ollama:x"], maxAttempts: n }),
  "config rung attempts": (n) => parseLadderConfig({ ladder: [{ model: "ollama:x", maxAttempts: n }] }),
  "config maxFeedbackChars": (n) => parseLadderConfig({ ladder: ["ollama:x"], maxFeedbackChars: n }),
  "config breakers failureThreshold": (n) =>
    parseLadderConfig({ ladder: ["ollama:x"], breakers: { failureThreshold: n } }),
};

describe("counts and sizes", () => {
  it("NaN, ±Infinity, negative, fractional, past 2^53 and numeric strings are refused everywhere (property)", () => {
    const bad = fc.oneof(
      fc.constantFrom(
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        -1,
        0.5,
        2 ** 53,
        1e308,
      ),
      fc.integer({ min: -1_000_000, max: -1 }),
      fc.integer({ min: 1, max: 100 }).map(String),
    );
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(countInputs)), bad, (where, value) => {
        expect({ where, value, refused: throwsRefusal(() => countInputs[where]?.(value)) }).toEqual({
          where,
          value,
          refused: true,
        });
      }),
      { numRuns: 400 },
    );
  });
});

describe("options that take an object are checked for what rungs calls on them", () => {
  const objectInputs: Record<string, () => unknown> = {
    "calibrate rubric": () => calibrate({} as never, { accept: ["x"], reject: [] }),
    "escalateAcross store": () => escalateAcross([{ model }], { store: {} as never }),
    "escalateAcross rubric": () => escalateAcross([{ model }], { rubric: {} as never }),
    "escalateAcross ladder model": () => escalateAcross([{ model: {} as never }]),
    "retryWithContext clock": () => retryWithContext(model, { clock: {} as never }),
    "treeSplit notesModel": () => treeSplit(model, { promptLimit: { chars: 100 }, notesModel: {} as never }),
    "judgeRule model": () => judgeRule("j", {} as never, { criteria: "c" }),
    "ladderFromConfig breakers": () =>
      ladderFromConfig(
        { ladder: ["ollama:x"] },
        { providers: { ollama: () => model }, breakers: {} as never },
      ),
    "ladderFromConfig rubrics": () =>
      ladderFromConfig(
        { ladder: ["ollama:x"], rubric: "x" },
        { providers: { ollama: () => model }, rubrics: { x: {} as never } },
      ),
  };
  for (const [name, make] of Object.entries(objectInputs)) {
    it(`${name}: an object without the methods is refused with an InvalidArgumentError or ConfigError`, async () => {
      let error: unknown;
      try {
        await make();
      } catch (caught) {
        error = caught;
      }
      expect(refused(error)).toBe(true);
    });
  }
});

describe("secret-shaped values are masked in config errors, keys and paths included", () => {
  const secrets = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9]{12,20}$/).map((s) => `sk-${s}`),
    fc.stringMatching(/^[A-Za-z0-9]{8,16}$/).map((s) => `Bearer ${s}`),
  );
  it("as a value, an unknown key, a model name and an escalation name (property)", () => {
    fc.assert(
      fc.property(secrets, (secret) => {
        const configs: unknown[] = [
          { ladder: ["ollama:x"], extra: secret },
          { ladder: ["ollama:x"], [secret]: 1 },
          { models: { [secret]: "ollama:x" }, start: "nope", escalation: {} },
          { models: { a: "ollama:x" }, start: "a", escalation: { [secret]: "a" } },
        ];
        const token = secret.replace(/^Bearer /, "");
        for (const config of configs) {
          let message = "";
          try {
            parseLadderConfig(config);
            ladderFromConfig(config, { providers: { ollama: () => model } });
          } catch (error) {
            message = `${(error as Error).message} ${JSON.stringify((error as ConfigError).issues ?? [])}`;
          }
          expect(message).not.toContain(token);
        }
      }),
      { numRuns: 100 },
    );
  });
});
