// Class "super-linear time on model output": the redactor and every IFEval rule run in linear time on
// hostile text. Growth itself is measured in bench/ (`npm run bench -- linear`); here each scan of a
// 50 K-char hostile answer must end far inside a bound a quadratic scan misses by minutes.
import { describe, expect, it, vi } from "vitest";
import { ifevalSubjects } from "../../bench/linear/ifeval-subjects.js";
import { redactText } from "../../src/redact.js";
import { followInstructions, instructionIds } from "../../src/rubric/ifeval/index.js";
import { parseJudgeReply } from "../../src/rubric/judge.js";

const n = 50_000;
const hostile: Record<string, string> = {
  "a-a-…": "a-".repeat(n / 2),
  "sk-sk-…": "sk-".repeat(n / 3),
  "<<<…": "<".repeat(n),
  "[[[…": "[".repeat(n),
  "newlines…x": `${"\n".repeat(n)}x`,
  "spaces…x": `${" ".repeat(n)}x`,
  "markup mix": "x:*<[ ,.'\"`-\n".repeat(n / 12),
};
// Generous for a loaded 2-core machine: the linear scans take a few ms; the quadratic ones took 3–10 s at this size
// (loose mode repeats the same scans on up to eight variants of the text; the bench runs it).
const boundMs = 2_000;

function timed(fn: () => unknown): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

describe("linear time on hostile text", () => {
  it("redactText: 50 K chars of each hostile shape in well under the bound", () => {
    for (const [shape, text] of Object.entries(hostile)) {
      expect({ shape, slow: timed(() => redactText(text)) > boundMs }).toEqual({ shape, slow: false });
    }
  });

  it("every IFEval rule: 50 K chars of each hostile shape in well under the bound", () => {
    expect(ifevalSubjects.map((s) => s.id).sort()).toEqual([...instructionIds].sort());
    for (const { id, kwargs } of ifevalSubjects) {
      // Warm-up: the language rule loads its profiles once, on first use.
      followInstructions({ prompt: "Write an email", instruction_id_list: [id], kwargs: [kwargs] }, "Hello.");
      for (const [shape, text] of Object.entries(hostile)) {
        const ms = timed(() =>
          followInstructions({ prompt: "Write an email", instruction_id_list: [id], kwargs: [kwargs] }, text),
        );
        expect({ id, shape, slow: ms > boundMs }).toEqual({ id, shape, slow: false });
      }
    }
  });
});

describe("deep JSON nesting is refused before JSON.parse (which slows sharply on it)", () => {
  it("IFEval json_format and a judge's reply: 1 M levels of [ are not JSON, and JSON.parse never sees them", () => {
    const parse = vi.spyOn(JSON, "parse");
    try {
      const deep = "[".repeat(1_000_000);
      const verdict = followInstructions(
        { prompt: "Answer in JSON", instruction_id_list: ["detectable_format:json_format"], kwargs: [{}] },
        deep,
      );
      expect(verdict).toEqual([false]);
      expect(() => parseJudgeReply(deep)).toThrow(/nested too deeply/);
      expect(parse.mock.calls.filter(([text]) => String(text).length >= 1_000_000)).toEqual([]);
      // Shallow JSON still parses as before.
      expect(parseJudgeReply('{"score": 1, "reason": "ok"}')).toEqual({ score: 1, reason: "ok" });
    } finally {
      parse.mockRestore();
    }
  });
});

describe("a config's escalation map is walked once", () => {
  it("a chain of 20,000 models, and 20,000 unknown names, expand far inside the bound (each was walked to the end: n²)", async () => {
    const { ConfigError, expandLadder } = await import("../../src/config/index.js");
    const names = Array.from({ length: 20_000 }, (_, i) => `m${i}`);
    const chain = {
      models: Object.fromEntries(names.map((name) => [name, `ollama:${name}`])),
      start: "m0",
      escalation: Object.fromEntries(names.slice(1).map((name, i) => [names[i], name])),
    };
    expect(timed(() => expect(expandLadder(chain)).toHaveLength(20_000))).toBeLessThan(boundMs);
    // A cycle at the end of the chain is still found, once.
    const looped = { ...chain, escalation: { ...chain.escalation, m19999: "m10000" } };
    let cycles: unknown[] = [];
    expect(
      timed(() => {
        try {
          expandLadder(looped);
        } catch (error) {
          cycles = (error as InstanceType<typeof ConfigError>).issues.filter((i) => /cycle/.test(i.message));
        }
      }),
    ).toBeLessThan(boundMs);
    expect(cycles).toHaveLength(1);
    // Every name unknown: each issue names a few defined names, not all 20,000.
    const unknown = { ladder: names.map((name) => name) };
    let longest = 0;
    expect(
      timed(() => {
        try {
          expandLadder({ ...unknown, models: chain.models, ladder: names.map((n) => `x${n}`) } as never);
        } catch (error) {
          longest = Math.max(
            ...(error as InstanceType<typeof ConfigError>).issues.map((i) => i.message.length),
          );
        }
      }),
    ).toBeLessThan(boundMs);
    expect(longest).toBeLessThan(1_000);
  });
});

describe("a config's refused entries are taken out in one copy", () => {
  it("5,000 unknown keys are all reported, far inside the bound (each was taken out by copying the whole config: n²)", async () => {
    const { checkLadderConfig } = await import("../../src/config/parse.js");
    const config = {
      ladder: ["ollama:x"],
      ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`unknown${i}`, i])),
    };
    let issues: unknown[] = [];
    expect(
      timed(() => {
        issues = checkLadderConfig(config).issues;
      }),
    ).toBeLessThan(boundMs);
    expect(issues).toHaveLength(5_000);
  });
});
