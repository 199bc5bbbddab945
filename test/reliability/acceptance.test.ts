// Acceptance items of docs/reliability.md that no other test covers end to end: provider
// failures seen through a ladder (items 1, 4, 5, 10), the feedback-bounded retry count (8), a half-open probe
// whose rubric throws (7), 1000 concurrent rate-limited tasks (17) and misbehaving rubrics (22).
// docs/reliability.md maps every item to its tests.
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CircuitBreakers,
  defineRubric,
  ExhaustedError,
  escalateAcross,
  ProviderError,
  RungsEvents,
  renderedChars,
  retryWithContext,
} from "../../src/index.js";
import { ollamaModel, RetryQuota } from "../../src/providers/ollama/index.js";
import { manualClock, scriptedModel } from "../../src/testing/index.js";
import { chatStream, type FakeOllama, json, ndjson, startFakeOllama } from "../e2e/fake-ollama.js";
import { nextTurn } from "./support.js";

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

let server: FakeOllama;
beforeAll(async () => {
  server = await startFakeOllama();
});
afterAll(async () => {
  await server.close();
});

/** Every event of a run, for leak and record checks. */
function recorder() {
  const events = new RungsEvents();
  const seen: Array<{ name: string; payload: unknown }> = [];
  for (const name of [
    "attempt-start",
    "attempt-end",
    "rung-skip",
    "run-exhaust",
    "transport-retry",
  ] as const) {
    events.on(name, (payload: unknown) => seen.push({ name, payload }));
  }
  return { events, seen };
}

describe("item 1: 401 and 403 climb at once", () => {
  const key = "sk-acceptance-1-0123456789abcdef";
  for (const status of [401, 403]) {
    it(`${status} → not retried, the ladder climbs, recorded as auth with its status, no key text anywhere`, async () => {
      const before = server.chats.length;
      server.script(
        (res) => json(res, status, { error: `invalid api key ${key}` }),
        (res) => ndjson(res, chatStream(["from the backup"])),
      );
      const cloud = ollamaModel({ model: "cloud", host: server.url, apiKey: key, retry: { maxRetries: 3 } });
      const backup = ollamaModel({ model: "backup", host: server.url });
      const { events, seen } = recorder();
      const generation = await escalateAcross([cloud, backup]).generate(ask("q"), { events });
      expect(generation.text).toBe("from the backup");
      expect(server.chats.slice(before).map((r) => r.body.model)).toEqual(["cloud", "backup"]);
      expect(server.chats[before]?.headers.authorization).toBe(`Bearer ${key}`);
      const first = generation.trace?.attempts?.[0];
      expect(first).toMatchObject({ kind: "auth", error: { status, kind: "auth" } });
      expect(first?.transportRetries ?? []).toEqual([]);
      const shown = `${JSON.stringify(generation)}${JSON.stringify(seen)}${inspect(cloud)}${JSON.stringify(cloud)}`;
      expect(shown).not.toContain(key);
    });
  }
});

describe("items 4 and 5: rate limits and quotas through a ladder", () => {
  it("item 4: Retry-After 3600 (past maxRetryAfterMs) → no sleep, the run climbs, the attempt is rate-limited", async () => {
    const before = server.chats.length;
    const clock = manualClock();
    server.script(
      (res) => json(res, 429, { error: "slow down" }, { "retry-after": "3600" }),
      (res) => ndjson(res, chatStream(["answered"])),
    );
    const limited = ollamaModel({ model: "limited", host: server.url, clock });
    const other = ollamaModel({ model: "other", host: server.url, clock });
    const generation = await escalateAcross([limited, other]).generate(ask("q"), { clock });
    expect(generation.text).toBe("answered");
    expect(clock.now()).toBe(0);
    expect(clock.pending).toBe(0);
    expect(server.chats.length - before).toBe(2);
    expect(generation.trace?.attempts?.map((a) => a.kind ?? "accepted")).toEqual([
      "rate-limited",
      "accepted",
    ]);
  });

  it("item 4: Retry-After 3600 on the last rung → the run ends rate-limited, without sleeping", async () => {
    const clock = manualClock();
    server.script((res) => json(res, 429, { error: "slow down" }, { "retry-after": "3600" }));
    const error = await retryWithContext(ollamaModel({ model: "limited", host: server.url, clock }))
      .generate(ask("q"), { clock })
      .catch((e: unknown) => e);
    expect(ExhaustedError.isInstance(error)).toBe(true);
    expect((error as ExhaustedError).lastAttempt?.kind).toBe("rate-limited");
    expect(clock.now()).toBe(0);
  });

  it("item 5: a 429 'weekly usage limit' → quota-exhausted, not retried, the ladder climbs, the circuit opens", async () => {
    const before = server.chats.length;
    server.script(
      (res) => json(res, 429, { error: "you have reached your weekly usage limit, upgrade for more" }),
      (res) => ndjson(res, chatStream(["local answer"])),
    );
    const breakers = new CircuitBreakers({ failureThreshold: 5 });
    const cloud = ollamaModel({ model: "cloud", host: server.url, retry: { maxRetries: 3 } });
    const local = ollamaModel({ model: "local", host: server.url });
    const generation = await escalateAcross([cloud, local], { breakers }).generate(ask("q"));
    expect(generation.text).toBe("local answer");
    expect(server.chats.length - before).toBe(2);
    expect(generation.trace?.attempts?.[0]).toMatchObject({ kind: "quota-exhausted" });
    expect(breakers.get(cloud.id).state).toBe("open");
    // A later task skips the cloud rung, recorded as circuit-open, without a request.
    server.script((res) => ndjson(res, chatStream(["again local"])));
    const later = await escalateAcross([cloud, local], { breakers }).generate(ask("q2"));
    expect(later.trace?.skips?.map((s) => [s.modelId, s.reason])).toEqual([[cloud.id, "circuit-open"]]);
    expect(server.chats.length - before).toBe(3);
  });
});

describe("item 7: a half-open probe whose rubric throws still releases its permit", () => {
  it("the probe's answer is judged rubric-error, the provider counts as healthy, and the circuit closes", async () => {
    const clock = manualClock();
    const breakers = new CircuitBreakers({ failureThreshold: 1, openMs: 1_000, probeTimeoutMs: 500, clock });
    const model = scriptedModel("m", [
      new ProviderError("down", { kind: "server-error", providerId: "m", status: 503 }),
      "probe answer",
      "later answer",
    ]);
    let crash = true;
    const rubric = defineRubric({
      id: "r",
      rules: [
        {
          id: "crashes-once",
          check: () => {
            if (crash) {
              crash = false;
              throw new Error("rule bug");
            }
            return true;
          },
        },
      ],
      clock,
    });
    const ladder = retryWithContext(model, { rubric, breakers, maxAttempts: 1, clock });
    await expect(ladder.generate(ask("q"), { clock })).rejects.toMatchObject({ limit: "maxAttempts" });
    expect(breakers.get("m").state).toBe("open");
    await clock.advance(1_000);
    expect(breakers.get("m").state).toBe("half-open");
    const probe = await ladder.generate(ask("q"), { clock }).catch((e: unknown) => e);
    expect((probe as ExhaustedError).attempts.map((a) => a.kind)).toEqual(["rubric-error"]);
    expect(breakers.get("m").toJSON()).toEqual({ state: "closed", consecutiveFailures: 0 });
    const later = await ladder.generate(ask("q"), { clock });
    expect(later.text).toBe("later answer");
  });
});

describe("item 8: a rubric that always fails", () => {
  it("1 call + 6 retries (maxAttempts 7) → exactly 7 records, limit maxAttempts, prompt within first + maxFeedbackChars", async () => {
    const model = scriptedModel("m", [`wrong ${"long explanation ".repeat(200)}`], {
      whenDone: "repeat-last",
    });
    const rubric = defineRubric({
      id: "never",
      rules: [{ id: "impossible", check: () => ({ pass: false, message: "still wrong ".repeat(100) }) }],
    });
    const maxFeedbackChars = 1_500;
    const error = await retryWithContext(model, { rubric, maxAttempts: 7, maxFeedbackChars })
      .generate(ask("task"))
      .catch((e: unknown) => e);
    expect(ExhaustedError.isInstance(error)).toBe(true);
    const exhausted = error as ExhaustedError;
    expect(exhausted.limit).toBe("maxAttempts");
    expect(exhausted.attempts).toHaveLength(7);
    expect(model.calls).toHaveLength(7);
    const first = renderedChars(model.calls[0]!.request);
    for (const call of model.calls)
      expect(renderedChars(call.request)).toBeLessThanOrEqual(first + maxFeedbackChars);
    expect(renderedChars(model.calls[6]!.request)).toBeGreaterThan(first);
  });
});

describe("item 10: an empty length answer with a full window", () => {
  it("→ context-overflow, one call, not retried identically", async () => {
    const before = server.chats.length;
    server.script((res) =>
      ndjson(res, chatStream([], { done_reason: "length", prompt_eval_count: 4095, eval_count: 0 })),
    );
    const model = ollamaModel({ model: "small", host: server.url, options: { num_ctx: 4096 } });
    const error = await retryWithContext(model, { maxAttempts: 6 })
      .generate(ask("a very long prompt"))
      .catch((e: unknown) => e);
    expect((error as ExhaustedError).limit).toBe("notRetryable");
    expect((error as ExhaustedError).attempts.map((a) => a.kind)).toEqual(["context-overflow"]);
    expect(server.chats.length - before).toBe(1);
  });
});

describe("item 17: 1000 concurrent tasks all rate-limited", () => {
  it("calls ≤ tasks + retry budget, retry start times spread out, no unhandled rejection", async () => {
    const tasks = 1_000;
    const quota = new RetryQuota({ capacity: 500, retryCost: 5 });
    const retryBudget = Math.floor(quota.capacity / quota.retryCost);
    const clock = manualClock();
    const startedAt: number[] = [];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    // A provider that answers every request 429 without Retry-After (no HTTP; the real adapter otherwise).
    const fetch = async () => {
      startedAt.push(clock.now());
      return new Response(JSON.stringify({ error: "rate limited" }), { status: 429 });
    };
    const model = ollamaModel({
      model: "busy",
      fetch,
      clock,
      retry: { maxRetries: 2, initialDelayMs: 1_000, maxDelayMs: 8_000, quota, random },
    });
    let unhandled = 0;
    const onUnhandled = () => {
      unhandled += 1;
    };
    process.on("unhandledRejection", onUnhandled);
    try {
      let settled = 0;
      const runs = Array.from({ length: tasks }, () =>
        model.generate(ask("q")).then(
          () => "ok",
          (error: unknown) => (error as ProviderError).kind,
        ),
      );
      for (const run of runs) run.finally(() => (settled += 1));
      for (let step = 0; step < 100 && settled < tasks; step += 1) {
        await nextTurn();
        await clock.advance(1_000);
      }
      const kinds = await Promise.all(runs);
      expect(new Set(kinds)).toEqual(new Set(["rate-limited"]));
      expect(startedAt.length).toBeLessThanOrEqual(tasks + retryBudget);
      const retryStarts = startedAt.filter((t) => t > 0);
      expect(retryStarts.length).toBeGreaterThan(0);
      // Full jitter: no single millisecond holds more than 5 % of the retries.
      const perMs = new Map<number, number>();
      for (const t of retryStarts) perMs.set(t, (perMs.get(t) ?? 0) + 1);
      expect(Math.max(...perMs.values())).toBeLessThanOrEqual(Math.ceil(retryStarts.length * 0.05));
      await nextTurn();
      expect(unhandled).toBe(0);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("item 22: a rubric that throws, returns NaN or never resolves", () => {
  const cases = [
    {
      name: "throws",
      check: (): boolean => {
        throw new Error("rule bug");
      },
    },
    { name: "returns NaN", check: () => ({ pass: true, score: Number.NaN }) },
    { name: "never resolves", check: () => new Promise<boolean>(() => {}) },
  ];
  for (const { name, check } of cases) {
    it(`a rule that ${name} → rubric-error, no further call (no storm), breaker and in-flight back to 0`, async () => {
      const clock = manualClock();
      const breakers = new CircuitBreakers({ failureThreshold: 1, clock });
      const model = scriptedModel("m", ["answer"], { whenDone: "repeat-last" });
      const rubric = defineRubric({ id: "r", rules: [{ id: "bad", check }], ruleTimeoutMs: 100, clock });
      const run = retryWithContext(model, { rubric, breakers, maxAttempts: 3, clock })
        .generate(ask("q"), { clock })
        .catch((e: unknown) => e);
      for (let i = 0; i < 5; i += 1) await clock.advance(100);
      const error = (await run) as ExhaustedError;
      // The judge failed, not the model: asking again cannot fix it, so no further call is made (issue 29).
      expect(error.limit).toBe("rubricError");
      expect(error.attempts.map((a) => a.kind)).toEqual(["rubric-error"]);
      expect(error.attempts.every((a) => a.verdict?.violations[0]?.errored === true)).toBe(true);
      expect(error.message).toContain('rule "bad"');
      expect(model.calls).toHaveLength(1);
      expect(model.inFlight).toBe(0);
      expect(breakers.get("m").toJSON()).toEqual({ state: "closed", consecutiveFailures: 0 });
      expect(clock.pending).toBe(0);
    });
  }
});
