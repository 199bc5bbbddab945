// Shared pieces of the reliability suite: planted secrets, a leak check, and a settle loop on a manual clock.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { registerSecret } from "../../src/redact.js";
import type { ManualClock } from "../../src/testing/index.js";

/**
 * Secrets planted in errors, bodies, causes and URLs. Each has a different shape: a provider-style `sk-`
 * key, a Google-style key in a `?key=` URL, a Bearer token, URL userinfo, and an arbitrary key a provider
 * registered (as `ollamaModel({ apiKey })` does) that no pattern would recognise.
 */
export const secrets = {
  skKey: "sk-rungsfault-0123456789abcdef",
  googleKey: "AIzaSyRungsFault0123456789abcdefghij",
  bearer: "eyRungsBearerToken.0123456789",
  password: "hunter2-rungs-pw",
  registered: "Zq7_rungs_registered_secret",
} as const;
registerSecret(secrets.registered);

/** Secret-bearing text in the shapes providers echo back (error messages, bodies, URLs). */
export function secretText(variant: number): string {
  switch (variant % 5) {
    case 0:
      return `Incorrect API key provided: ${secrets.skKey}.`;
    case 1:
      return `GET https://generativelanguage.googleapis.com/v1/models?key=${secrets.googleKey} failed`;
    case 2:
      return `request headers: {"authorization":"Bearer ${secrets.bearer}"}`;
    case 3:
      return `connect ECONNREFUSED https://admin:${secrets.password}@10.0.0.7:11434/api/chat`;
    default:
      return `the key ${secrets.registered} was refused`;
  }
}

/** The names of the planted secrets that appear in `text`. */
export function secretsIn(text: string): string[] {
  return Object.entries(secrets)
    .filter(([, secret]) => text.includes(secret))
    .map(([name]) => name);
}

/**
 * Every planted secret found in `values`, each shown as `JSON.stringify` and `util.inspect` show it (and, for
 * errors, the message and stack), by name.
 */
export function leakedSecrets(...values: unknown[]): string[] {
  const seen = new Set<string>();
  for (const value of values) {
    let json = "";
    try {
      json = JSON.stringify(value) ?? "";
    } catch {
      json = "";
    }
    const extra = value instanceof Error ? `${value.message}\n${value.stack}` : "";
    for (const name of secretsIn(`${json}\n${inspect(value, { depth: 12 })}\n${extra}`)) seen.add(name);
  }
  return [...seen];
}

/** Resolves on the next turn of the event loop (after pending microtasks and I/O callbacks). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How a promise ended, without throwing. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Settles `promise` by moving `clock` forward in `stepMs` steps (hung calls and rules end at their deadline
 * or time limit; nothing real sleeps). Returns undefined when it did not settle within `maxSteps`.
 */
export async function settleOnClock<T>(
  promise: Promise<T>,
  clock: ManualClock,
  stepMs: number,
  maxSteps: number,
): Promise<Settled<T> | undefined> {
  let settled: Settled<T> | undefined;
  promise.then(
    (value) => {
      settled = { ok: true, value };
    },
    (error: unknown) => {
      settled = { ok: false, error };
    },
  );
  // Runs without a hang settle in microtasks (scripted models answer at once): one turn drains them.
  await nextTurn();
  for (let step = 0; settled === undefined && step < maxSteps; step += 1) await clock.advance(stepMs);
  return settled;
}

/** What a vitest run of fixture files in a child process gave: its exit status, stderr, and each file's result. */
export interface FixtureRun {
  status: number | null;
  stderr: string;
  byFile: Record<string, { status: string; message: string } | undefined>;
}

/**
 * Runs vitest in a child process with `config` (fixture files and the setup under test) and its JSON report
 * written to `outputFile`: the tests of the test setup check a real run, not a stub of one.
 */
export function runFixtureSuite(config: string, outputFile: string): FixtureRun {
  const child = spawnSync(
    process.execPath,
    [
      "node_modules/vitest/vitest.mjs",
      "run",
      "--config",
      config,
      "--reporter=json",
      `--outputFile=${outputFile}`,
    ],
    { cwd: process.cwd(), encoding: "utf8", timeout: 120_000, env: { ...process.env, CI: "1" } },
  );
  const report = JSON.parse(readFileSync(outputFile, "utf8")) as {
    testResults: Array<{
      name: string;
      status: string;
      message: string;
      assertionResults?: Array<{ failureMessages?: string[] }>;
    }>;
  };
  // A file's message, or (when the file itself did not fail, its tests did) its tests' failure messages.
  const messageOf = (r: (typeof report.testResults)[number]) =>
    r.message || (r.assertionResults ?? []).flatMap((a) => a.failureMessages ?? []).join("\n");
  const byFile = Object.fromEntries(
    report.testResults.map((r) => [r.name.split("/").pop(), { status: r.status, message: messageOf(r) }]),
  );
  return { status: child.status, stderr: child.stderr, byFile };
}
