import { describe, expect, it } from "vitest";
import {
  Budget,
  BudgetExhaustedError,
  defineRubric,
  ExhaustedError,
  InvalidArgumentError,
  ProviderError,
  predicate,
  RungsEvents,
  renderedChars,
  renderPrompt,
} from "../../src/index.js";
import { retryWithContext } from "../../src/primitives/retry-with-context.js";
import { hang, manualClock, scriptedModel } from "../../src/testing/index.js";
import { ask, containsOk, neverAccepts, testRubric } from "../attempts/helpers.js";

describe("retryWithContext", () => {
  it("returns accepted text as it is, with modelId, verdict and the attempt in the trace", async () => {
    const model = scriptedModel("m", ["  ok, done  \n"]);
    const generation = await retryWithContext(model, { rubric: containsOk }).generate(ask("task"));
    expect(generation.text).toBe("  ok, done  \n");
    expect(generation.modelId).toBe("m");
    expect(generation.verdict?.accepted).toBe(true);
    expect(generation.trace?.attempts).toHaveLength(1);
    expect(generation.trace?.attempts?.[0]).toMatchObject({
      index: 1,
      rung: 0,
      modelId: "m",
      accepted: true,
    });
    expect(generation.trace?.attempts?.[0]?.kind).toBeUndefined();
  });

  it("an always-failing rubric ends after exactly maxAttempts, every attempt recorded", async () => {
    const model = scriptedModel("m", ["a", "b", "c", "d", "e", "f", "g"]);
    const error = await retryWithContext(model, { rubric: neverAccepts, maxAttempts: 5 })
      .generate(ask("task"))
      .catch((e: unknown) => e);
    expect(ExhaustedError.isInstance(error)).toBe(true);
    const exhausted = error as ExhaustedError;
    expect(exhausted.limit).toBe("maxAttempts");
    expect(model.calls).toHaveLength(5);
    expect(exhausted.attempts.map((a) => [a.index, a.text, a.kind])).toEqual([
      [1, "a", "rejected"],
      [2, "b", "rejected"],
      [3, "c", "rejected"],
      [4, "d", "rejected"],
      [5, "e", "rejected"],
    ]);
    expect(exhausted.attempts.every((a) => a.verdict?.accepted === false)).toBe(true);
  });

  it("the prompt of attempt k carries the violations of attempts 1..k-1, within the budget", async () => {
    const rubric = testRubric([
      { id: "says-ok", check: (t) => t.includes("ok") || `attempt text "${t}" lacks ok` },
      { id: "short", check: (t) => t.length < 100 || "must be under 100 chars" },
    ]);
    const texts = ["first", "second", "third", "fourth", "fifth", "sixth"];
    const model = scriptedModel("m", texts);
    const budget = 1_200;
    const request = {
      messages: [
        { role: "system" as const, content: "You are terse." },
        { role: "user" as const, content: "Say ok." },
      ],
    };
    await expect(
      retryWithContext(model, { rubric, maxFeedbackChars: budget }).generate(request),
    ).rejects.toThrow(ExhaustedError);
    const first = renderedChars(model.calls[0]!.request);
    expect(model.calls[0]!.request.feedback).toBeUndefined();
    for (let k = 2; k <= 6; k += 1) {
      const prompt = renderPrompt(model.calls[k - 1]!.request);
      for (let j = 1; j < k; j += 1) expect(prompt).toContain(`attempt text "${texts[j - 1]}" lacks ok`);
      expect(renderedChars(model.calls[k - 1]!.request)).toBeLessThanOrEqual(first + budget);
    }
  });

  it("the prompt at attempt 6 stays within first prompt + maxFeedbackChars when failures are long", async () => {
    const long = (i: number) => `${"x".repeat(380)} draft ${i}\n${"y".repeat(300)}`;
    const rubric = testRubric(
      Array.from({ length: 6 }, (_, r) => ({
        id: `rule-${r}`,
        check: (t: string) => `rule ${r} failed on ${t.slice(-8)}`,
      })),
    );
    const model = scriptedModel("m", [1, 2, 3, 4, 5, 6].map(long));
    const budget = 600;
    const engine = retryWithContext(model, { rubric, maxFeedbackChars: budget, maxAttempts: 6 });
    const error = (await engine.generate(ask("task")).catch((e: unknown) => e)) as ExhaustedError;
    const first = renderedChars(model.calls[0]!.request);
    const sixth = renderedChars(model.calls[5]!.request);
    expect(sixth).toBeGreaterThan(first);
    expect(sixth).toBeLessThanOrEqual(first + budget);
    // The recorded sizes are the rendered sizes the model received.
    expect(error.attempts[5]!.promptChars).toBe(sixth);
    expect(error.attempts[5]!.feedbackChars).toBe(sixth - first);
    expect(error.attempts[0]!.feedbackChars).toBe(0);
  });

  it("empty text is 'empty', finishReason length is 'truncated', and both are retried with feedback", async () => {
    const model = scriptedModel("m", ["   ", { text: "cut o", finishReason: "length" }, "ok"]);
    const generation = await retryWithContext(model).generate(ask("task"));
    expect(generation.text).toBe("ok");
    expect(generation.trace?.attempts?.map((a) => a.kind)).toEqual(["empty", "truncated", undefined]);
    expect(renderPrompt(model.calls[2]!.request)).toContain("truncated");
    expect(renderPrompt(model.calls[2]!.request)).toContain("empty");
  });

  it.each([
    ["auth", 401],
    ["model-not-found", 404],
    ["invalid-request", 400],
    ["quota-exhausted", 429],
    ["context-overflow", 400],
    ["rate-limited", 429],
  ] as const)(
    "a %s error is not re-sent: one call, limit notRetryable (rungsUnavailable when rate-limited)",
    async (kind, status) => {
      const model = scriptedModel("m", [
        new ProviderError(`${kind}!`, { kind, status, providerId: "m" }),
        "ok",
      ]);
      const error = (await retryWithContext(model)
        .generate(ask("task"))
        .catch((e: unknown) => e)) as ExhaustedError;
      expect(model.calls).toHaveLength(1);
      // A rate limit says the rung is unavailable now, not that it cannot answer: its own label (issue 27).
      expect(error.limit).toBe(kind === "rate-limited" ? "rungsUnavailable" : "notRetryable");
      expect(error.attempts[0]).toMatchObject({ kind, error: { status } });
    },
  );

  it("a server error is a failed attempt and the next starts at once (no sleep)", async () => {
    const clock = manualClock(1_000);
    const model = scriptedModel(
      "m",
      [new ProviderError("boom", { kind: "server-error", providerId: "m" }), "ok"],
      {
        clock,
      },
    );
    const generation = await retryWithContext(model, { clock }).generate(ask("task"));
    expect(generation.text).toBe("ok");
    expect(model.calls.map((c) => c.at)).toEqual([1_000, 1_000]);
    expect(generation.trace?.attempts?.[0]).toMatchObject({
      kind: "server-error",
      startedAt: 1_000,
      endedAt: 1_000,
    });
  });

  it("abort rejects with signal.reason at once and calls nothing more", async () => {
    const model = scriptedModel("m", ["nope", hang]);
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const events = new RungsEvents();
    const ends: (string | undefined)[] = [];
    events.on("attempt-end", ({ attempt }) => ends.push(attempt.kind));
    const pending = retryWithContext(model, { rubric: containsOk }).generate(ask("task"), {
      signal: controller.signal,
      events,
    });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(model.calls).toHaveLength(2);
    expect(ends).toEqual(["rejected", "aborted"]);
  });

  it("abort inside the rubric rejects with signal.reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const rubric = {
      ...containsOk,
      evaluate: async () => {
        controller.abort(reason);
        throw reason;
      },
    };
    const model = scriptedModel("m", ["ok"]);
    await expect(
      retryWithContext(model, { rubric }).generate(ask("task"), { signal: controller.signal }),
    ).rejects.toBe(reason);
  });

  it("a spent shared budget stops at once with a BudgetExhaustedError carrying this run's attempts", async () => {
    const budget = new Budget({ maxCalls: 2 });
    const model = scriptedModel("m", ["a", "b", "c"]);
    const error = await retryWithContext(model, { rubric: neverAccepts })
      .generate(ask("task"), { budget })
      .catch((e: unknown) => e);
    expect(BudgetExhaustedError.isInstance(error)).toBe(true);
    expect((error as BudgetExhaustedError).limit).toBe("maxCalls");
    expect((error as BudgetExhaustedError).attempts).toHaveLength(2);
    expect(model.calls).toHaveLength(2);
  });

  it("a deadline that fires mid-call stops the run, recording the call as a timeout", async () => {
    const clock = manualClock();
    const budget = new Budget({ deadlineMs: 500, clock });
    const model = scriptedModel("m", ["bad", hang]);
    const settled = retryWithContext(model, { rubric: containsOk })
      .generate(ask("task"), { budget })
      .catch((e: unknown) => e);
    await clock.advance(500);
    const error = (await settled) as BudgetExhaustedError;
    expect(BudgetExhaustedError.isInstance(error)).toBe(true);
    expect(error.limit).toBe("deadline");
    expect(error.attempts.map((a) => a.kind)).toEqual(["rejected", "timeout"]);
    expect(model.calls).toHaveLength(2);
  });

  it("a rubric that throws is 'rubric-error', recorded, and no further model call is made", async () => {
    let calls = 0;
    const rubric = {
      ...containsOk,
      evaluate: async (text: string) => {
        calls += 1;
        if (calls === 1) throw new Error("judge crashed");
        return containsOk.evaluate(text);
      },
    };
    const model = scriptedModel("m", ["ok 1", "ok 2"]);
    const error = (await retryWithContext(model, { rubric })
      .generate(ask("task"))
      .catch((e: unknown) => e)) as ExhaustedError;
    // Asking the model again cannot fix the judge (issue 29): the run stops, the answer and the error on record.
    expect(model.calls).toHaveLength(1);
    expect(error.limit).toBe("rubricError");
    expect(error.message).toContain("judge crashed");
    expect(error.attempts[0]).toMatchObject({
      kind: "rubric-error",
      text: "ok 1",
      error: { message: "judge crashed" },
    });
  });

  it("rules that errored make 'rubric-error' only when no rule genuinely failed", async () => {
    const throwing = {
      id: "throws",
      check: (): true | string => {
        throw new Error("bad regex");
      },
    };
    const genuine = { id: "says-ok", check: (t: string) => t.includes("ok") || "needs ok" };
    const onlyErrored = await retryWithContext(scriptedModel("m", ["ok"]), {
      rubric: testRubric([throwing, genuine]),
      maxAttempts: 1,
    })
      .generate(ask("t"))
      .catch((e: ExhaustedError) => e.attempts[0]?.kind);
    const mixed = await retryWithContext(scriptedModel("m", ["no"]), {
      rubric: testRubric([throwing, genuine]),
      maxAttempts: 1,
    })
      .generate(ask("t"))
      .catch((e: ExhaustedError) => e.attempts[0]?.kind);
    expect(onlyErrored).toBe("rubric-error");
    expect(mixed).toBe("rejected");
  });

  it("works with defineRubric: rule messages reach the feedback, a throwing rule is rubric-error", async () => {
    const rubric = defineRubric({
      id: "demo",
      rules: [
        predicate("mentions-ok", (t) => ({ pass: t.includes("ok"), message: "say ok somewhere" })),
        predicate("parses", (t) => {
          if (t === "crash") throw new Error("parser exploded");
          return true;
        }),
      ],
    });
    const model = scriptedModel("m", ["nope", "crash", "ok"]);
    const generation = await retryWithContext(model, { rubric }).generate(ask("t"));
    expect(generation.trace?.attempts?.map((a) => a.kind)).toEqual(["rejected", "rejected", undefined]);
    expect(renderPrompt(model.calls[1]!.request)).toContain("rule mentions-ok: say ok somewhere");
    const onlyCrash = scriptedModel("c", ["ok crash"]);
    const crashRubric = defineRubric({
      id: "c",
      rules: [
        predicate("parses", () => {
          throw new Error("parser exploded");
        }),
      ],
    });
    const error = (await retryWithContext(onlyCrash, { rubric: crashRubric, maxAttempts: 1 })
      .generate(ask("t"))
      .catch((e: unknown) => e)) as ExhaustedError;
    expect(error.attempts[0]?.kind).toBe("rubric-error");
  });

  it('onExhausted "best" returns the best-scoring attempt, not accepted', async () => {
    const rubric = testRubric([
      { id: "a", check: (t) => t.includes("a") || "needs a" },
      { id: "b", check: (t) => t.includes("b") || "needs b" },
      { id: "c", check: (t) => t.includes("c") || "needs c" },
    ]);
    const model = scriptedModel("m", ["x", "ab", "a"]);
    const generation = await retryWithContext(model, {
      rubric,
      maxAttempts: 3,
      onExhausted: "best",
    }).generate(ask("task"));
    expect(generation.text).toBe("ab");
    expect(generation.verdict?.accepted).toBe(false);
    expect(generation.verdict?.passed).toBe(2);
    expect(generation.trace?.attempts).toHaveLength(3);
  });

  it("reports every attempt and the exhaustion as events, under retry/attempt[k]", async () => {
    const events = new RungsEvents();
    const seen: string[] = [];
    events.on("attempt-start", (e) => seen.push(`start ${e.path}`));
    events.on("attempt-end", (e) => seen.push(`end ${e.path} ${e.attempt.kind}`));
    events.on("run-exhaust", (e) => seen.push(`exhausted ${e.path} ${e.limit} ${e.attemptCount}`));
    const model = scriptedModel("m", ["a", "b"]);
    await retryWithContext(model, { rubric: neverAccepts, maxAttempts: 2 })
      .generate(ask("t"), { events, path: "outer" })
      .catch(() => {});
    expect(seen).toEqual([
      "start outer/retry/attempt[1]",
      "end outer/retry/attempt[1] rejected",
      "start outer/retry/attempt[2]",
      "end outer/retry/attempt[2] rejected",
      "exhausted outer/retry maxAttempts 2",
    ]);
    expect(model.calls[1]?.options.path).toBe("outer/retry/attempt[2]");
    expect(model.calls[1]?.options.events).toBe(events);
  });

  it("gives attempt-start and attempt-end one attempt shape: the start's fields are the end's", async () => {
    const events = new RungsEvents();
    const starts: unknown[] = [];
    const ends: unknown[] = [];
    events.on("attempt-start", (e) => starts.push(e.attempt));
    events.on("attempt-end", (e) => ends.push(e.attempt));
    await retryWithContext(scriptedModel("m", ["a", "ok"]), { rubric: containsOk, maxAttempts: 2 }).generate(
      ask("t"),
      { events },
    );
    expect(starts).toHaveLength(2);
    expect(starts[1]).toEqual({
      index: 2,
      rung: 0,
      modelId: "m",
      path: "retry",
      startedAt: expect.any(Number),
      promptChars: expect.any(Number),
      feedbackChars: expect.any(Number),
    });
    for (const [i, start] of starts.entries()) expect(ends[i]).toMatchObject(start as object);
  });

  it.each([
    [{ maxAttempts: 0 }, "maxAttempts"],
    [{ maxAttempts: 2.5 }, "maxAttempts"],
    [{ maxFeedbackChars: -1 }, "maxFeedbackChars"],
    [{ onExhausted: "never" }, "onExhausted"],
    [{ minAcceptRate: 1.5 }, "minAcceptRate"],
    [{ minSamples: 0 }, "minSamples"],
    [{ rubric: { id: "x" } }, "rubric"],
    [{ store: {} }, "store"],
    [{ feedback: "some" }, "feedback"],
    [{ typo: 1 }, "typo"],
  ])("refuses %o at construction, naming %s", (options, parameter) => {
    const build = () => retryWithContext(scriptedModel("m", ["ok"]), options as never);
    expect(build).toThrow(InvalidArgumentError);
    try {
      build();
    } catch (error) {
      expect((error as InvalidArgumentError).parameter).toBe(parameter);
    }
  });
});
