// The result and the exhaustion, each built in one place (src/attempts/finish.ts).
import { describe, expect, it } from "vitest";
import {
  defineRubric,
  type ExhaustedError,
  escalateAcross,
  matches,
  retryWithContext,
} from "../../src/index.js";
import { scriptedModel } from "../../src/testing/index.js";

const rubric = defineRubric({ id: "r", rules: [matches("ok", /\bok\b/), matches("done", /done/)] });
const ask = { messages: [{ role: "user" as const, content: "q" }] };

describe("finish: the answer and the exhaustion", () => {
  it("onExhausted 'best' returns the best-scoring judged attempt, not accepted, with every attempt", async () => {
    const model = scriptedModel("m", ["nothing", "ok but not finished", "neither"]);
    const best = await retryWithContext(model, { rubric, maxAttempts: 3, onExhausted: "best" }).generate(ask);
    expect(best.text).toBe("ok but not finished");
    expect(best.verdict?.accepted).toBe(false);
    expect(best.trace?.attempts).toHaveLength(3);
    expect(best.usage).toBeDefined();
  });

  it("the error names every rung passed over with its reason, and does not say every rung was tried", async () => {
    const ladder = escalateAcross(
      [
        { model: scriptedModel("local", ["ok"]), skip: () => "private task" },
        scriptedModel("cloud", ["nope"]),
      ],
      { rubric },
    );
    const error = (await ladder.generate(ask).catch((e: unknown) => e)) as ExhaustedError;
    expect(error.limit).toBe("everyRungTried");
    expect(error.skips).toMatchObject([{ modelId: "local", reason: "disabled" }]);
    expect(error.message).toContain('Passed over: "local" disabled (private task)');
    expect(error.message).toContain("every rung left was tried");
    expect(error.message).not.toContain("every rung was tried");
  });

  it("a rubric-error names each errored rule and its error in the message", async () => {
    const crashing = defineRubric({
      id: "c",
      rules: [
        {
          id: "parses",
          check: () => {
            throw new Error("the parser is not loaded");
          },
        },
      ],
    });
    const error = (await retryWithContext(scriptedModel("m", ["x"]), { rubric: crashing })
      .generate(ask)
      .catch((e: unknown) => e)) as ExhaustedError;
    expect(error.limit).toBe("rubricError");
    expect(error.message).toContain('rule "parses"');
    expect(error.message).toContain("the parser is not loaded");
  });
});

describe("ids in the exhaustion message", () => {
  it("a model id with control characters or a terminal escape is quoted, never printed raw (issue 27)", async () => {
    const hostile = "m\u001b[2J\u0007\nx";
    const error = (await escalateAcross([scriptedModel(hostile, ["nope"])], { rubric })
      .generate(ask)
      .catch((e: unknown) => e)) as ExhaustedError;
    expect([...error.message].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
    expect(error.message).toContain(JSON.stringify(hostile));
  });
});
