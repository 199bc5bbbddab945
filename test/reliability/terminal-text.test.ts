// Class "text from outside reaches a terminal": model ids, answers, error messages and stored task ids go
// through the console reporter, the CLI's tables and its messages. No control character or bidirectional
// override may reach the terminal raw, whatever the text (property).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emit } from "../../src/events.js";
import { consoleReporter, escalateAcross, RungsEvents, recordRun } from "../../src/index.js";
import { scriptedModel } from "../../src/testing/index.js";
import { cli } from "../cli/helpers.js";
import { useTempDirs } from "../support/temp-dirs.js";

const tempDir = useTempDirs("terminal");
// Anything but newline (and tab, outside one-line cells) that a terminal acts on.
// biome-ignore lint/suspicious/noControlCharactersInRegex: what the test looks for.
const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "\u001b[2J",
        "\u001b]0;title\u0007",
        "\r",
        "\b",
        "\u009b31m",
        "\u202e",
        "\u2066",
        "\u0000",
      ),
      fc.string({ maxLength: 4 }),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => `x${parts.join("")}`);

describe("text reaching a terminal carries no raw control character", () => {
  it("consoleReporter: model ids, answers, error messages and rule messages (property)", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const events = new RungsEvents();
        const lines: string[] = [];
        consoleReporter(events, { level: "verbose", write: (line) => lines.push(line) });
        await escalateAcross([{ model: scriptedModel(`m${text}`, [new Error(text), text]) }], {})
          .generate({ prompt: "q" }, { events })
          .catch(() => {});
        // Streamed: the discard's reason (the error's message) and the first-token lines are printed too.
        const streamed = escalateAcross([{ model: scriptedModel(`s${text}`, [new Error(text), text]) }], {});
        try {
          for await (const _part of streamed.stream({ prompt: "q" }, { events })) {
            // read to the end
          }
        } catch {
          // an answer the engine refuses (empty after the hostile text) ends the stream with its error
        }
        expect(lines.some((line) => line.includes(" discard "))).toBe(true);
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) expect(line).not.toMatch(raw);
      }),
      { numRuns: 60 },
    );
  });

  it("the CLI's stats, blocked, unblock and replay output, and its error messages (property)", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const dir = tempDir();
        writeFileSync(
          join(dir, "stats.json"),
          JSON.stringify({
            version: 1,
            stats: { [`c${text}`]: { [`m${text}`]: { accepted: 1, failed: 0 } } },
            blocked: { [`t${text}`]: 1 },
            tasks: {},
          }),
        );
        const events = new RungsEvents();
        const recorder = recordRun(events, join(dir, "run"));
        emit(events, "attempt-end", {
          path: "escalate/attempt[1]",
          timestamp: 1,
          attempt: {
            index: 1,
            rung: 0,
            modelId: `m${text}`,
            path: "escalate/attempt[1]",
            accepted: false,
            kind: "server-error",
            text,
            usage: {},
            startedAt: 0,
            endedAt: 1,
            feedbackChars: 0,
            promptChars: 1,
            error: { name: "ProviderError", message: text },
          },
        });
        await recorder.close();
        mkdirSync(join(dir, "cfg"));
        writeFileSync(
          join(dir, "cfg", "bad.yaml"),
          JSON.stringify({ ladder: [`ollama:x`], [`k${text}`]: text }),
        );
        const runs = [
          await cli(["stats", "-s", "stats.json"], { cwd: dir }),
          await cli(["blocked", "-s", "stats.json"], { cwd: dir }),
          await cli(["unblock", `t${text}`, "-s", "stats.json"], { cwd: dir }),
          await cli(["replay", "run"], { cwd: dir }),
          await cli(["check", "-c", "cfg/bad.yaml"], { cwd: dir }),
          await cli(["stats", "-s", `missing${text}.json`], { cwd: dir }),
        ];
        for (const { stdout, stderr } of runs) {
          expect(stdout).not.toMatch(raw);
          expect(stderr).not.toMatch(raw);
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
