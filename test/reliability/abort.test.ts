// Acceptance item 13 (docs/reliability.md): the caller aborts at any stage — before the call,
// mid-request on a loopback Ollama server, in a transport backoff, inside a rubric rule, between attempts,
// during a continuation, during tree-split fan-out — and the run rejects with `signal.reason` (the same
// object, unwrapped) within 50 ms, makes no further call, aborts what is in flight, and keeps the attempts
// already reported. The 50 ms bound is a safety property measured around the abort, not a benchmark: the
// real figure is a few microtask turns, so the margin is wide.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Budget, BudgetExhaustedError, defineRubric, type Generation, RungsEvents } from "../../src/index.js";
import { continueUntilComplete } from "../../src/primitives/continue-until-complete.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { retryWithContext } from "../../src/primitives/retry-with-context.js";
import { treeSplit } from "../../src/primitives/tree-split.js";
import { ollamaModel } from "../../src/providers/ollama/index.js";
import { hang, manualClock, scriptedModel } from "../../src/testing/index.js";
import {
  chatStream,
  type FakeOllama,
  json,
  ndjson,
  startFakeOllama,
  warmUpAbort,
} from "../e2e/fake-ollama.js";

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });
const boundMs = 50;

/** Settles into the error, so a rejection is observed at once (never unhandled). */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );

/** Aborts with a fresh reason and returns the reason and the ms from abort to rejection. */
async function abortAndTime(controller: AbortController, pending: Promise<unknown>) {
  const reason = new Error("the caller aborted");
  const abortedAt = performance.now();
  controller.abort(reason);
  const error = await pending;
  return { reason, error, elapsedMs: performance.now() - abortedAt, abortedAt };
}

/** Waits (a bounded number of event-loop turns) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 5_000 && !condition(); turn += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(condition()).toBe(true);
}

describe("abort before the call", () => {
  it("an already-aborted signal rejects with its reason and calls no model", async () => {
    const model = scriptedModel("m", ["never"]);
    const ladder = escalateAcross([model, scriptedModel("n", ["never"])]);
    const controller = new AbortController();
    const reason = new Error("cancelled before start");
    controller.abort(reason);
    const startedAt = performance.now();
    const error = await failure(ladder.generate(ask("q"), { signal: controller.signal }));
    expect(error).toBe(reason);
    expect(performance.now() - startedAt).toBeLessThan(boundMs);
    expect(model.calls).toHaveLength(0);
  });
});

describe("abort on a loopback Ollama server", () => {
  let server: FakeOllama;
  beforeAll(async () => {
    server = await startFakeOllama();
    await warmUpAbort(server); // so the bound measures rungs, not undici's lazy abort path
  });
  afterAll(async () => {
    await server.close();
  });

  it("mid-stream inside a ladder: rejects with signal.reason, closes the request, climbs no further", async () => {
    const before = server.chats.length;
    let sent!: () => void;
    const firstChunk = new Promise<void>((resolve) => {
      sent = resolve;
    });
    server.script((res) => {
      ndjson(res, chatStream(["partial "]).slice(0, 1), { end: false });
      sent();
    });
    const nextRung = scriptedModel("next", ["should not be called"]);
    const events = new RungsEvents();
    const ended: string[] = [];
    events.on("attempt-end", ({ attempt }) => ended.push(attempt.kind ?? "accepted"));
    const controller = new AbortController();
    const pending = failure(
      escalateAcross([ollamaModel({ model: "m", host: server.url }), nextRung]).generate(ask("q"), {
        signal: controller.signal,
        events,
      }),
    );
    await firstChunk;
    const { reason, error, elapsedMs, abortedAt } = await abortAndTime(controller, pending);
    expect(error).toBe(reason);
    const closedAt = await server.chats[before]!.closed;
    expect(elapsedMs, `rejected after ${elapsedMs} ms`).toBeLessThan(boundMs);
    expect(closedAt - abortedAt, `request closed after ${closedAt - abortedAt} ms`).toBeLessThan(boundMs);
    expect(nextRung.calls).toHaveLength(0);
    expect(server.chats).toHaveLength(before + 1);
    expect(ended).toEqual(["aborted"]);
  });

  it("in a transport backoff: the sleep is cut, not waited out, and the request is not re-sent", async () => {
    const before = server.chats.length;
    server.script((res) => json(res, 503, { error: "overloaded" }));
    const model = ollamaModel({
      model: "m",
      host: server.url,
      // A 60 s backoff on the real clock: only an abort-aware sleep lets this test end.
      retry: { maxRetries: 3, initialDelayMs: 60_000, maxDelayMs: 60_000, random: () => 1 },
    });
    const controller = new AbortController();
    const retries: number[] = [];
    const events = new RungsEvents();
    events.on("transport-retry", ({ retry }) => retries.push(retry.delayMs));
    const pending = failure(model.generate(ask("q"), { signal: controller.signal, events }));
    await until(() => retries.length === 1);
    const { reason, error, elapsedMs } = await abortAndTime(controller, pending);
    expect(error).toBe(reason);
    expect(elapsedMs).toBeLessThan(boundMs);
    expect(retries).toEqual([60_000]);
    expect(server.chats).toHaveLength(before + 1);
  });
});

describe("abort inside the pipeline", () => {
  it("inside a rubric rule: rejects with signal.reason, the rule sees its signal abort, no further attempt", async () => {
    let ruleSignal: AbortSignal | undefined;
    let ruleStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      ruleStarted = resolve;
    });
    const rubric = defineRubric({
      id: "slow",
      rules: [
        {
          id: "hangs",
          check: (_text, ctx) => {
            ruleSignal = ctx.signal;
            ruleStarted();
            return new Promise<boolean>(() => {});
          },
        },
      ],
    });
    const model = scriptedModel("m", ["one", "two"]);
    const controller = new AbortController();
    const pending = failure(
      retryWithContext(model, { rubric }).generate(ask("q"), { signal: controller.signal }),
    );
    await started;
    const { reason, error, elapsedMs } = await abortAndTime(controller, pending);
    expect(error).toBe(reason);
    expect(elapsedMs).toBeLessThan(boundMs);
    expect(ruleSignal?.aborted).toBe(true);
    expect(model.calls).toHaveLength(1);
  });

  it("between attempts: earlier attempts are reported, no further call is made", async () => {
    const model = scriptedModel("m", ["bad", "bad", "ok"]);
    const rubric = defineRubric({ id: "ok", rules: [{ id: "ok", check: (t) => t === "ok" }] });
    const controller = new AbortController();
    const reason = new Error("enough");
    const events = new RungsEvents();
    const ended: Array<string | undefined> = [];
    events.on("attempt-end", ({ attempt }) => {
      ended.push(attempt.kind);
      if (ended.length === 1) controller.abort(reason);
    });
    const error = await failure(
      retryWithContext(model, { rubric }).generate(ask("q"), { signal: controller.signal, events }),
    );
    expect(error).toBe(reason);
    expect(ended).toEqual(["rejected"]);
    expect(model.calls).toHaveLength(1);
  });

  it("during a continuation: rejects with signal.reason, the hung piece is aborted, no further piece", async () => {
    const model = scriptedModel("m", [{ text: "part one ", finishReason: "length" }, hang, "never"]);
    const controller = new AbortController();
    const pending = failure(continueUntilComplete(model).generate(ask("q"), { signal: controller.signal }));
    await until(() => model.inFlight === 1 && model.calls.length === 2);
    const { reason, error, elapsedMs } = await abortAndTime(controller, pending);
    expect(error).toBe(reason);
    expect(elapsedMs).toBeLessThan(boundMs);
    expect(model.inFlight).toBe(0);
    expect(model.calls).toHaveLength(2);
  });

  it("during tree-split fan-out: in-flight shards are aborted, queued shards never start", async () => {
    const model = scriptedModel("m", [hang], { whenDone: "repeat-last" });
    const context = Array.from({ length: 12 }, (_, i) => `Document ${i}. ${"word ".repeat(60)}`);
    const reader = treeSplit(model, { promptLimit: { chars: 1_200 }, concurrency: 3 });
    const controller = new AbortController();
    const events = new RungsEvents();
    let shards = 0;
    events.on("context-split", (event) => {
      if (event.stage === "plan") shards = event.count;
    });
    const pending: Promise<unknown> = failure(
      reader.generate(
        { ...ask("Summarise."), context },
        { signal: controller.signal, events },
      ) as Promise<Generation>,
    );
    await until(() => model.inFlight === 3);
    expect(shards).toBeGreaterThan(3);
    const { reason, error, elapsedMs } = await abortAndTime(controller, pending);
    expect(error).toBe(reason);
    expect(elapsedMs).toBeLessThan(boundMs);
    await until(() => model.inFlight === 0);
    expect(model.calls).toHaveLength(3);
    expect(model.maxInFlight).toBe(3);
    // Nothing starts later either.
    await new Promise((resolve) => setImmediate(resolve));
    expect(model.calls).toHaveLength(3);
  });
});

describe("a provider that never settles (item 14)", () => {
  it("the outer deadline rejects within 50 ms of passing, recorded as timeout; an answer arriving later is discarded", async () => {
    const clock = manualClock();
    let answerLate!: (text: string) => void;
    const model = scriptedModel("m", [
      () =>
        new Promise<string>((resolve) => {
          answerLate = resolve;
        }),
      "never asked",
    ]);
    const events = new RungsEvents();
    const ended: Array<string | undefined> = [];
    events.on("attempt-end", ({ attempt }) => ended.push(attempt.kind));
    const pending = failure(
      retryWithContext(model, { maxAttempts: 2 }).generate(ask("q"), {
        budget: new Budget({ deadlineMs: 5_000, clock }),
        clock,
        events,
      }),
    );
    await until(() => model.inFlight === 1);
    const passedAt = performance.now();
    await clock.advance(5_000);
    const error = await pending;
    expect(performance.now() - passedAt).toBeLessThan(boundMs);
    expect(BudgetExhaustedError.isInstance(error)).toBe(true);
    expect((error as BudgetExhaustedError).limit).toBe("deadline");
    expect(ended).toEqual(["timeout"]);
    answerLate("a late answer");
    await new Promise((resolve) => setImmediate(resolve));
    expect(model.calls).toHaveLength(1);
    expect(ended).toEqual(["timeout"]);
  });
});
