import { describe, expect, it } from "vitest";
import {
  Budget,
  BudgetExhaustedError,
  continueUntilComplete,
  type ExhaustedError,
  InvalidArgumentError,
  type Model,
  ProviderError,
  RungsEvents,
  renderPrompt,
} from "../../src/index.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { retryWithContext } from "../../src/primitives/retry-with-context.js";
import { scriptedModel } from "../../src/testing/index.js";
import { ask, containsOk, neverAccepts } from "../attempts/helpers.js";

const providerError = (kind: ProviderError["kind"], status?: number) =>
  new ProviderError(`${kind} from provider`, { kind, providerId: "p", ...(status ? { status } : {}) });

describe("escalateAcross", () => {
  it("climbs on rejection, carrying the failure, and names the model that produced the answer", async () => {
    const small = scriptedModel("small", ["nope"]);
    const large = scriptedModel("large", ["ok from large"]);
    const generation = await escalateAcross([small, large], { rubric: containsOk }).generate(ask("task"));
    expect(generation.modelId).toBe("large");
    expect(generation.text).toBe("ok from large");
    expect(generation.trace?.attempts?.map((a) => [a.rung, a.modelId, a.kind])).toEqual([
      [0, "small", "rejected"],
      [1, "large", undefined],
    ]);
    const prompt = renderPrompt(large.calls[0]!.request);
    expect(prompt).toContain("attempt 1 (model small) failed: rejected");
    expect(prompt).toContain('rule says-ok: must contain "ok"');
  });

  it.each([
    ["a 401", providerError("auth", 401)],
    ['a "model not found"', providerError("model-not-found", 404)],
  ])("%s climbs after exactly one call, even with attempts left on the rung", async (_label, error) => {
    const broken = scriptedModel("broken", [error, "ok"]);
    const fallback = scriptedModel("fallback", ["ok"]);
    const generation = await escalateAcross([{ model: broken, maxAttempts: 3 }, fallback]).generate(ask("t"));
    expect(broken.calls).toHaveLength(1);
    expect(fallback.calls).toHaveLength(1);
    expect(generation.modelId).toBe("fallback");
    expect(generation.trace?.attempts?.[0]?.kind).toBe(error.kind);
  });

  it("never asks a model that failed fatally again, even where the ladder lists it twice", async () => {
    const broken = scriptedModel("broken", [providerError("auth", 401)], { whenDone: "repeat-last" });
    const other = scriptedModel("other", ["nope"]);
    const events = new RungsEvents();
    const skips: string[] = [];
    events.on("rung-skip", ({ skip }) => skips.push(`${skip.rung}:${skip.modelId}:${skip.reason}`));
    const error = (await escalateAcross([broken, other, broken], { rubric: containsOk })
      .generate(ask("t"), { events })
      .catch((e: unknown) => e)) as ExhaustedError;
    expect(broken.calls).toHaveLength(1);
    expect(error.attempts.map((a) => a.kind)).toEqual(["auth", "rejected"]);
    expect(skips).toEqual(["2:broken:not-retryable"]);
    // 2 attempts of a cap of 6: the rungs ran out, the cap did not fire.
    expect(error.limit).toBe("everyRungTried");
  });

  it("context overflow is never re-sent unchanged: it climbs, skipping rungs with no larger window", async () => {
    const windowed = (id: string, tokens: number, steps: string[] | Error[]): Model => {
      const model = scriptedModel(id, steps, { capabilities: { contextWindowTokens: tokens } });
      return model;
    };
    const small = windowed("small", 8_000, [providerError("context-overflow", 400)]);
    const same = windowed("same", 8_000, ["ok"]);
    const large = windowed("large", 128_000, ["ok"]);
    const events = new RungsEvents();
    const skips: string[] = [];
    events.on("rung-skip", ({ skip }) => skips.push(`${skip.modelId}:${skip.reason}`));
    const generation = await escalateAcross([{ model: small, maxAttempts: 3 }, same, large]).generate(
      ask("t"),
      {
        events,
      },
    );
    expect(generation.modelId).toBe("large");
    expect(skips).toEqual(["same:not-retryable"]);
    expect(generation.trace?.skips?.[0]?.detail).toContain("no larger than one that overflowed");
  });

  it("throws notRetryable when context overflows on the last rung", async () => {
    const model = scriptedModel("m", [providerError("context-overflow", 400)]);
    const error = (await escalateAcross([model])
      .generate(ask("t"))
      .catch((e: unknown) => e)) as ExhaustedError;
    expect(error.limit).toBe("notRetryable");
    expect(error.message).toMatch(/context-overflow/);
  });

  it("retries a rung up to its attempts, then climbs; maxAttempts caps the total", async () => {
    const a = scriptedModel("a", ["x", "y", "z"]);
    const b = scriptedModel("b", ["x", "y", "z"]);
    const c = scriptedModel("c", ["x"]);
    const error = (await escalateAcross([{ model: a, maxAttempts: 2 }, { model: b, maxAttempts: 3 }, c], {
      rubric: neverAccepts,
      maxAttempts: 4,
    })
      .generate(ask("t"))
      .catch((e: unknown) => e)) as ExhaustedError;
    expect([a.calls.length, b.calls.length, c.calls.length]).toEqual([2, 2, 0]);
    expect(error.limit).toBe("maxAttempts");
    expect(error.attempts.map((x) => x.modelId)).toEqual(["a", "a", "b", "b"]);
  });

  it("records a rung disabled by its skip function, with the reason", async () => {
    const a = scriptedModel("a", ["ok"]);
    const b = scriptedModel("b", ["ok"]);
    const events = new RungsEvents();
    const seen: unknown[] = [];
    events.on("rung-skip", (e) => seen.push([e.path, e.skip.reason, e.skip.detail]));
    const generation = await escalateAcross(
      [
        {
          model: a,
          skip: ({ request }) => (request.metadata?.taskClass === "code" ? "no code on a" : false),
        },
        b,
      ],
      { rubric: containsOk },
    ).generate(ask("t", { taskClass: "code" }), { events });
    expect(a.calls).toHaveLength(0);
    expect(generation.modelId).toBe("b");
    expect(seen).toEqual([["escalate", "disabled", "no code on a"]]);
    expect(generation.trace?.skips).toMatchObject([{ rung: 0, modelId: "a", reason: "disabled" }]);
  });

  it("feedback modes: brief leaves out the output excerpt, none sends no feedback", async () => {
    const a = scriptedModel("a", ["a rejected draft"]);
    const brief = scriptedModel("brief", ["draft two"]);
    const none = scriptedModel("none", ["ok"]);
    await escalateAcross(
      [a, { model: brief, feedbackMode: "brief" }, { model: none, feedbackMode: "none" }],
      {
        rubric: containsOk,
      },
    ).generate(ask("t"));
    const briefPrompt = renderPrompt(brief.calls[0]!.request);
    expect(briefPrompt).toContain("attempt 1 (model a) failed: rejected");
    expect(briefPrompt).not.toContain("a rejected draft");
    expect(none.calls[0]!.request.feedback).toBeUndefined();
  });

  it("a nested engine's exhaustion is one failed attempt of the outer, its attempts kept in the trace", async () => {
    const inner = scriptedModel("inner", ["x", "y"]);
    const outer = scriptedModel("outer", ["ok"]);
    const events = new RungsEvents();
    const paths: string[] = [];
    events.on("attempt-end", (e) => paths.push(`${e.path}:${e.attempt.kind ?? "accepted"}`));
    const ladder = escalateAcross([retryWithContext(inner, { rubric: containsOk, maxAttempts: 2 }), outer], {
      rubric: containsOk,
    });
    const generation = await ladder.generate(ask("t"), { events });
    expect(generation.modelId).toBe("outer");
    const first = generation.trace?.attempts?.[0];
    expect(first).toMatchObject({ modelId: "retry(inner)", kind: "rejected", text: "y" });
    expect(first?.trace?.attempts).toHaveLength(2);
    expect(paths).toEqual([
      "escalate/attempt[1]/retry/attempt[1]:rejected",
      "escalate/attempt[1]/retry/attempt[2]:rejected",
      "escalate/attempt[1]:rejected",
      "escalate/attempt[2]:accepted",
    ]);
  });

  it("the accepted generation of a nested ladder names the leaf model, and its trace sits under the attempt", async () => {
    const leaf = scriptedModel("leaf", ["ok"]);
    const generation = await escalateAcross([escalateAcross([leaf])]).generate(ask("t"));
    expect(generation.modelId).toBe("leaf");
    expect(generation.trace?.attempts?.[0]?.modelId).toBe("ladder(1)");
    expect(generation.trace?.attempts?.[0]?.trace?.attempts?.[0]?.modelId).toBe("leaf");
  });

  it("a rung that made calls before the shared budget ran out is recorded as an attempt", async () => {
    const leaf = scriptedModel("leaf", [{ text: "part", finishReason: "length" }, "rest"]);
    const budget = new Budget({ maxCalls: 1 });
    const error = (await escalateAcross([continueUntilComplete(leaf)])
      .generate(ask("t"), { budget })
      .catch((e: unknown) => e)) as BudgetExhaustedError;
    expect(BudgetExhaustedError.isInstance(error)).toBe(true);
    expect(leaf.calls).toHaveLength(1);
    expect(error.attempts).toHaveLength(1);
    // A call refused before it started is not an attempt.
    const refused = (await escalateAcross([scriptedModel("x", ["ok"])])
      .generate(ask("t"), { budget })
      .catch((e: unknown) => e)) as BudgetExhaustedError;
    expect(refused.attempts).toHaveLength(0);
  });

  it("sums usage over every attempt", async () => {
    const a = scriptedModel("a", [{ text: "no", usage: { inputTokens: 10, outputTokens: 3 } }]);
    const b = scriptedModel("b", [{ text: "ok", usage: { inputTokens: 12, outputTokens: 4 } }]);
    const generation = await escalateAcross([a, b], { rubric: containsOk }).generate(ask("t"));
    expect(generation.usage).toEqual({ inputTokens: 22, outputTokens: 7 });
  });

  it("refuses a bad ladder at construction, naming the entry", () => {
    const m = scriptedModel("m", ["ok"]);
    const parameterOf = (ladder: unknown) => {
      try {
        escalateAcross(ladder as never);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        return (error as InvalidArgumentError).parameter;
      }
      return "accepted";
    };
    expect(parameterOf([])).toBe("ladder");
    expect(parameterOf([m, { model: m, maxAttempts: 0 }])).toBe("ladder.1.maxAttempts");
    expect(parameterOf([m, { model: {} }])).toBe("ladder.1.model");
    expect(parameterOf([m, { model: m, feedbackMode: "loud" }])).toBe("ladder.1.feedbackMode");
    expect(parameterOf([m, 42])).toBe("ladder.1");
    expect(parameterOf([m, { model: m, maxAttempts: 2, feedbackMode: "brief", skip: () => false }])).toBe(
      "accepted",
    );
  });
});
