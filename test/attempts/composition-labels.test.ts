// Issue "composition that holds", problems 3, 7 and 8: exhaustion labels that say which limit fired, feedback
// that carries what a model can act on (and never a provider's message), and which rung answered.
import { describe, expect, it } from "vitest";
import {
  defineRubric,
  type ExhaustedError,
  escalateAcross,
  judgeRule,
  ProviderError,
  predicate,
  renderPrompt,
  retryWithContext,
} from "../../src/index.js";
import { scriptedModel } from "../../src/testing/index.js";
import { ask, containsOk, neverAccepts } from "./helpers.js";

const rejected = (
  model: { calls: readonly { request: Parameters<typeof renderPrompt>[0] }[] },
  call: number,
) => renderPrompt(model.calls[call]!.request);

describe("exhaustion labels (problem 3)", () => {
  it("3 rungs × 1 attempt under maxAttempts 6 ends with everyRungTried, not maxAttempts", async () => {
    const rungs = ["a", "b", "c"].map((id) => scriptedModel(id, ["nope"]));
    const error = (await escalateAcross(rungs, { rubric: neverAccepts, maxAttempts: 6 })
      .generate(ask("t"))
      .catch((e: unknown) => e)) as ExhaustedError;
    expect(error.attempts).toHaveLength(3);
    expect(error.limit).toBe("everyRungTried");
    expect(error.message).toContain("every rung was tried");
    expect(error.message).toContain("maxAttempts cap of 6 did not fire");
    expect(error.message).not.toContain("maxAttempts limit fired");
  });

  it("the cap firing is still called maxAttempts, and says so with its value", async () => {
    const a = scriptedModel("a", ["x"], { whenDone: "repeat-last" });
    const error = (await escalateAcross([{ model: a, maxAttempts: 5 }], {
      rubric: neverAccepts,
      maxAttempts: 2,
    })
      .generate(ask("t"))
      .catch((e: unknown) => e)) as ExhaustedError;
    expect(error.limit).toBe("maxAttempts");
    expect(error.message).toContain("the maxAttempts cap of 2 fired");
  });

  it("a nested engine's exhaustion reaches outer feedback with its kinds and violated rule ids", async () => {
    const rubric = defineRubric({
      id: "answer",
      rules: [
        predicate("has-signature", (t) => t.includes("fn main"), { description: "Declare fn main." }),
        predicate("no-unwrap", (t) => !t.includes("unwrap"), { description: "Never call unwrap()." }),
      ],
    });
    const inner = scriptedModel("inner", ["x.unwrap()", ""]);
    const top = scriptedModel("top", ["fn main() {}"]);
    const ladder = escalateAcross([retryWithContext(inner, { rubric, maxAttempts: 2 }), top], { rubric });
    const answer = await ladder.generate(ask("write main"));
    expect(answer.modelId).toBe("top");
    const prompt = rejected(top, 0);
    expect(prompt).not.toContain("the rubric could not judge the output");
    expect(prompt).toContain("a nested ladder made 2 attempt(s) and none was accepted (rejected, empty)");
    expect(prompt).toContain("rule has-signature");
    expect(prompt).toContain("rule no-unwrap");
  });
});

describe("feedback carries what a model can act on (problem 7)", () => {
  it("a provider failure reaches the next model as its kind and model id, never the provider's message", async () => {
    const local = scriptedModel("ollama:qwen3:0.6b", [
      new ProviderError(
        "Ollama ollama:qwen3:0.6b at http://10.0.0.7:11434: HTTP 404 model not found. The server has: secret-model-a, secret-model-b",
        { kind: "model-not-found", providerId: "ollama:qwen3:0.6b", status: 404 },
      ),
    ]);
    const hosted = scriptedModel("hosted", [
      new ProviderError("HTTP 401: Invalid API key sk-live-abc***", { kind: "auth", providerId: "hosted" }),
    ]);
    const third = scriptedModel("third", ["ok"]);
    const answer = await escalateAcross([local, hosted, third], { rubric: containsOk }).generate(ask("t"));
    expect(answer.modelId).toBe("third");
    for (const prompt of [rejected(hosted, 0), rejected(third, 0)]) {
      expect(prompt).toContain("(model ollama:qwen3:0.6b) failed: model-not-found");
      expect(prompt).not.toMatch(/10\.0\.0\.7|secret-model|HTTP 404|The server has/);
    }
    expect(rejected(third, 0)).toContain("(model hosted) failed: auth");
    expect(rejected(third, 0)).not.toMatch(/Invalid API key|401/);
    // Nothing is lost: the messages stay on the attempts.
    expect(answer.trace?.attempts?.[0]?.error?.message).toContain("The server has");
  });

  it("a rule that returns its own message still sends its description", async () => {
    const rubric = defineRubric({
      id: "r",
      rules: [
        predicate("cites", (t) => ({ pass: t.includes("[1]"), message: "no citation found" }), {
          description: "Cite a source as [n] for every claim.",
        }),
      ],
    });
    const model = scriptedModel("m", ["claim", "claim [1]"]);
    await retryWithContext(model, { rubric }).generate(ask("t"));
    const prompt = rejected(model, 1);
    expect(prompt).toContain(
      "rule cites: no citation found — the rule: Cite a source as [n] for every claim.",
    );
  });

  it("a judge's failure carries its criteria", async () => {
    const judge = scriptedModel("judge", [
      '{"score": 0.2, "reason": "only says what"}',
      '{"score": 1, "reason": "ok"}',
    ]);
    const rubric = defineRubric({
      id: "j",
      rules: [judgeRule("explains-why", judge, { criteria: "The answer explains why, not only what." })],
    });
    const model = scriptedModel("m", ["what", "what and why"]);
    await retryWithContext(model, { rubric }).generate(ask("t"));
    const prompt = rejected(model, 1);
    expect(prompt).toContain("rule explains-why: judge judge failed");
    expect(prompt).toContain("the rule: The answer explains why, not only what.");
  });
});

describe("which rung answered (problem 8)", () => {
  it("answeredBy names the rung and says whether the ladder climbed", async () => {
    const local = scriptedModel("local", ["ok local", "nope"]);
    const cloud = scriptedModel("cloud", ["ok cloud"]);
    const ladder = escalateAcross([local, cloud], { rubric: containsOk });
    const first = await ladder.generate(ask("t"));
    expect(first.answeredBy).toEqual({ rung: 0, modelId: "local", climbed: false, attemptCount: 1 });
    const second = await ladder.generate(ask("t"));
    expect(second.answeredBy).toEqual({ rung: 1, modelId: "cloud", climbed: true, attemptCount: 2 });
  });
});
