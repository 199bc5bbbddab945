// End-to-end: rungs/ollama and the real `ollama` client against a real HTTP server on loopback.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Budget, BudgetExhaustedError, ProviderError, RungsEvents } from "../../src/index.js";
import { continueUntilComplete } from "../../src/primitives/continue-until-complete.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import {
  ollamaModel,
  partialTextOf,
  RetryQuota,
  transportRetriesOf,
} from "../../src/providers/ollama/index.js";
import { serializeError } from "../../src/redact.js";
import { manualClock, recordingModel } from "../../src/testing/index.js";
import {
  chatResponse,
  chatStream,
  type FakeOllama,
  json,
  ndjson,
  startFakeOllama,
  warmUpAbort,
} from "./fake-ollama.js";

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

let server: FakeOllama;
beforeEach(async () => {
  server = await startFakeOllama();
});
const tempDirs: string[] = [];
afterEach(async () => {
  await server.close();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Settles a promise into its error (so a rejection is observed at once, never unhandled). */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );

/** Waits (a bounded number of event-loop turns) until the manual clock has a timer scheduled. */
async function untilTimer(clock: { pending: number }): Promise<void> {
  for (let turn = 0; turn < 2_000 && clock.pending === 0; turn += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(clock.pending).toBeGreaterThan(0);
}

describe("ollamaModel() on a real server: answers", () => {
  it("streams an answer with usage, sending rendered messages and both window options", async () => {
    server.script((res) =>
      ndjson(res, chatStream(["Hel", "lo"], { done_reason: "stop", prompt_eval_count: 21, eval_count: 2 })),
    );
    const model = ollamaModel({ model: "qwen3:8b", host: server.url, options: { num_ctx: 4096, seed: 7 } });
    const generation = await model.generate({
      ...ask("hi"),
      context: ["a document"],
      maxOutputTokens: 64,
      temperature: 0.2,
    });
    expect(generation).toEqual({
      text: "Hello",
      finishReason: "stop",
      usage: { inputTokens: 21, outputTokens: 2 },
      modelId: "ollama:qwen3:8b",
    });
    const body = server.chats[0]?.body as {
      messages: { role: string; content: string }[];
      options: object;
      stream: boolean;
    };
    expect(body.stream).toBe(true);
    expect(body.options).toEqual({ num_ctx: 4096, num_predict: 64, seed: 7, temperature: 0.2 });
    expect(body.messages[0]?.role).toBe("system");
    expect(body.messages[0]?.content).toContain('<rungs-context index="1">\na document\n</rungs-context>');
    expect(body.messages[1]).toEqual({ role: "user", content: "hi" });
    expect(model.capabilities).toEqual({
      continueAssistant: true,
      contextWindowTokens: 4096,
      inputParts: ["image"],
    });
  });

  it("sends no num_ctx unless asked, so the server's own window (a Modelfile's num_ctx) applies", async () => {
    server.script((res) => ndjson(res, chatStream(["ok"], { done_reason: "stop" })));
    const model = ollamaModel({ model: "qwen3:8b", host: server.url });
    await model.generate(ask("hi"));
    const options = server.chats[0]!.body.options as Record<string, unknown>;
    expect(options).not.toHaveProperty("num_ctx");
    expect(options.num_predict).toBe(4096);
  });

  it("reads a non-streamed answer, and treats missing counters as unknown", async () => {
    server.script((res) => json(res, 200, chatResponse("Hi there", { done_reason: "stop" })));
    const model = ollamaModel({ model: "qwen3:8b", host: server.url, stream: false });
    await expect(model.generate(ask("hi"))).resolves.toEqual({
      text: "Hi there",
      finishReason: "stop",
      usage: {},
      modelId: "ollama:qwen3:8b",
    });
    expect(server.chats[0]?.body.stream).toBe(false);
  });

  it("maps done_reason length to a cut-off answer, and sends a trailing assistant message as is", async () => {
    server.script((res) =>
      ndjson(res, chatStream(["part"], { done_reason: "length", prompt_eval_count: 30, eval_count: 1 })),
    );
    const model = ollamaModel({ model: "qwen3:8b", host: server.url });
    const request = {
      messages: [...ask("write").messages, { role: "assistant" as const, content: "so far" }],
    };
    const generation = await model.generate(request);
    expect(generation.finishReason).toBe("length");
    expect((server.chats[0]!.body.messages as unknown[]).at(-1)).toEqual({
      role: "assistant",
      content: "so far",
    });
  });

  it("calls an empty length answer whose prompt filled num_ctx a context overflow, not a cut-off", async () => {
    server.script((res) =>
      ndjson(res, chatStream([], { done_reason: "length", prompt_eval_count: 2047, eval_count: 0 })),
    );
    const model = ollamaModel({ model: "qwen3:8b", host: server.url, options: { num_ctx: 2048 } });
    const error = (await failure(model.generate(ask("huge")))) as ProviderError;
    expect(error.kind).toBe("context-overflow");
    expect(server.chats).toHaveLength(1);
  });

  it("never takes a final message without done_reason as success, and keeps the text", async () => {
    server.script((res) => ndjson(res, chatStream(["half an ans"], { prompt_eval_count: 3 })));
    const model = ollamaModel({ model: "qwen3:8b", host: server.url });
    const error = (await failure(model.generate(ask("q")))) as ProviderError;
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/no done_reason/);
    expect(partialTextOf(error)).toBe("half an ans");
    expect(server.chats).toHaveLength(1);
  });
});

describe("ollamaModel() on a real server: with the primitives", () => {
  it('continues done_reason "length" natively through continueUntilComplete', async () => {
    server.script(
      (res) =>
        ndjson(
          res,
          chatStream(["The quick ", "brown "], {
            done_reason: "length",
            prompt_eval_count: 9,
            eval_count: 4,
          }),
        ),
      (res) =>
        ndjson(
          res,
          chatStream(["fox jumps."], { done_reason: "stop", prompt_eval_count: 13, eval_count: 3 }),
        ),
    );
    const model = continueUntilComplete(ollamaModel({ model: "qwen3:8b", host: server.url }));
    const generation = await model.generate(ask("Finish the sentence."));
    expect(generation.text).toBe("The quick brown fox jumps.");
    expect(generation.finishReason).toBe("stop");
    expect(generation.usage).toEqual({ inputTokens: 22, outputTokens: 7 });
    expect(generation.trace?.continuation?.continuations).toBe(1);
    // Native continuation: the partial text goes back as the last assistant message, nothing after it.
    expect((server.chats[1]!.body.messages as unknown[]).slice(-2)).toEqual([
      { role: "user", content: "Finish the sentence." },
      { role: "assistant", content: "The quick brown " },
    ]);
  });

  it("a ladder of two ollamaModel() models climbs from a 404 on the first to the second, and names it", async () => {
    server.script(
      (res) => json(res, 404, { error: "model 'missing:1b' not found" }),
      (res) => ndjson(res, chatStream(["from the second rung"])),
    );
    const ladder = escalateAcross([
      ollamaModel({ model: "missing:1b", host: server.url }),
      ollamaModel({ model: "qwen3:8b", host: server.url }),
    ]);
    const generation = await ladder.generate(ask("q"));
    expect(generation.text).toBe("from the second rung");
    expect(generation.modelId).toBe("ollama:qwen3:8b");
    expect(server.chats.map((r) => r.body.model)).toEqual(["missing:1b", "qwen3:8b"]);
    expect(generation.trace?.attempts?.map((a) => [a.modelId, a.kind ?? "accepted"])).toEqual([
      ["ollama:missing:1b", "model-not-found"],
      ["ollama:qwen3:8b", "accepted"],
    ]);
  });
});

describe("ollamaModel() on a real server: HTTP errors", () => {
  it("401 is auth, asked once", async () => {
    server.script((res) => json(res, 401, { error: "unauthorized" }));
    const error = (await failure(
      ollamaModel({ model: "m", host: server.url }).generate(ask("q")),
    )) as ProviderError;
    expect({ kind: error.kind, status: error.status, retryable: error.isRetryable }).toEqual({
      kind: "auth",
      status: 401,
      retryable: false,
    });
    expect(server.chats).toHaveLength(1);
  });

  it("404 is model-not-found after one call, and the message lists the server's models (/api/tags)", async () => {
    server.models = ["llama3.2:3b", "qwen3:8b"];
    server.script((res) => json(res, 404, { error: "model 'nope:1b' not found" }));
    const error = (await failure(
      ollamaModel({ model: "nope:1b", host: server.url }).generate(ask("q")),
    )) as ProviderError;
    expect(error.kind).toBe("model-not-found");
    expect(error.message).toContain("ollama pull nope:1b");
    expect(error.message).toContain("The server has: llama3.2:3b, qwen3:8b.");
    expect(server.chats).toHaveLength(1);
    expect(server.requests.map((r) => r.path)).toEqual(["/api/chat", "/api/tags"]);
  });

  it("400 is invalid-request, or context-overflow when the message says the prompt did not fit", async () => {
    server.script(
      (res) => json(res, 400, { error: "invalid options: top_k must be an integer" }),
      (res) => json(res, 400, { error: "input length exceeds the context length" }),
    );
    const model = ollamaModel({ model: "m", host: server.url });
    expect(((await failure(model.generate(ask("a")))) as ProviderError).kind).toBe("invalid-request");
    expect(((await failure(model.generate(ask("b")))) as ProviderError).kind).toBe("context-overflow");
    expect(server.chats).toHaveLength(2);
  });

  it("429 with Retry-After: 2 waits 2 s on the clock, retries once, and records the retry", async () => {
    const clock = manualClock();
    const events = new RungsEvents();
    const seen: unknown[] = [];
    events.on("transport-retry", (event) => seen.push(event));
    server.script(
      (res) => json(res, 429, { error: "too many requests" }, { "retry-after": "2" }),
      (res) => ndjson(res, chatStream(["ok"])),
    );
    const model = ollamaModel({ model: "m", host: server.url, clock });
    const pending = model.generate(ask("q"), { events, path: "ladder/attempt[1]" });
    await untilTimer(clock);
    expect(server.chats).toHaveLength(1);
    await clock.advance(1_999);
    expect(server.chats).toHaveLength(1);
    await clock.advance(1);
    const generation = await pending;
    expect(generation.text).toBe("ok");
    expect(clock.now()).toBeGreaterThanOrEqual(2_000);
    expect(generation.trace?.transportRetries).toEqual([
      {
        retry: 1,
        kind: "rate-limited",
        status: 429,
        delayMs: 2_000,
        message: expect.stringContaining("HTTP 429"),
      },
    ]);
    expect(seen).toEqual([
      expect.objectContaining({
        path: "ladder/attempt[1]",
        modelId: "ollama:m",
        retry: generation.trace?.transportRetries?.[0],
      }),
    ]);
    expect(server.chats).toHaveLength(2);
  });

  it("429 without Retry-After backs off with full jitter", async () => {
    const clock = manualClock();
    server.script(
      (res) => json(res, 429, { error: "slow down" }),
      (res) => ndjson(res, chatStream(["ok"])),
    );
    const model = ollamaModel({
      model: "m",
      host: server.url,
      clock,
      retry: { initialDelayMs: 1_000, random: () => 0.25 },
    });
    const pending = model.generate(ask("q"));
    await untilTimer(clock);
    await clock.advance(250);
    const generation = await pending;
    expect(generation.trace?.transportRetries?.[0]?.delayMs).toBe(250);
  });

  it("429 with Retry-After: 3600 fails fast as rate-limited, without sleeping, so a ladder can climb", async () => {
    const clock = manualClock();
    server.script((res) => json(res, 429, { error: "rate limited" }, { "retry-after": "3600" }));
    const error = (await failure(
      ollamaModel({ model: "m", host: server.url, clock }).generate(ask("q")),
    )) as ProviderError;
    expect(error.kind).toBe("rate-limited");
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.message).toMatch(/not waiting/);
    expect(clock.now()).toBe(0);
    expect(clock.pending).toBe(0);
    expect(server.chats).toHaveLength(1);
  });

  it("a 429 naming a weekly usage limit is quota-exhausted and not retried", async () => {
    server.script((res) =>
      json(res, 429, { error: "you have reached your weekly usage limit, upgrade for higher limits" }),
    );
    const error = (await failure(
      ollamaModel({ model: "m", host: server.url }).generate(ask("q")),
    )) as ProviderError;
    expect(error.kind).toBe("quota-exhausted");
    expect(error.isRetryable).toBe(false);
    expect(server.chats).toHaveLength(1);
  });

  it("500 is retried up to maxRetries, then fails as server-error carrying every retry", async () => {
    const clock = manualClock();
    const quota = new RetryQuota({ capacity: 100, retryCost: 5 });
    server.script(
      (res) => json(res, 500, { error: "runner crashed" }),
      (res) => json(res, 500, { error: "runner crashed" }),
      (res) => json(res, 502, { error: "bad gateway" }),
    );
    const model = ollamaModel({
      model: "m",
      host: server.url,
      clock,
      retry: { maxRetries: 2, quota, random: () => 0 },
    });
    const error = (await failure(model.generate(ask("q")))) as ProviderError;
    expect(error.kind).toBe("server-error");
    expect(error.status).toBe(502);
    expect(transportRetriesOf(error).map((r) => [r.retry, r.status])).toEqual([
      [1, 500],
      [2, 500],
    ]);
    expect(server.chats).toHaveLength(3);
    expect(quota.available).toBe(90);
  });

  it("a reset connection is a network failure, retried", async () => {
    const clock = manualClock();
    server.script(
      (res) => {
        res.socket?.destroy();
      },
      (res) => ndjson(res, chatStream(["back"])),
    );
    const model = ollamaModel({ model: "m", host: server.url, clock, retry: { random: () => 0 } });
    const generation = await model.generate(ask("q"));
    expect(generation.text).toBe("back");
    expect(generation.trace?.transportRetries?.[0]?.kind).toBe("network");
  });

  it("a refused connection is a network failure whose message names the host", async () => {
    const url = server.url;
    await server.close();
    server = await startFakeOllama();
    const error = (await failure(
      ollamaModel({ model: "m", host: url, retry: { maxRetries: 0 } }).generate(ask("q")),
    )) as ProviderError;
    expect(error.kind).toBe("network");
    expect(error.message).toContain(url);
  });
});

describe("ollamaModel() on a real server: broken streams", () => {
  it("an error line mid-stream keeps the text so far and is not retried", async () => {
    server.script((res) =>
      ndjson(res, [
        ...chatStream(["one ", "two "]).slice(0, 2),
        { error: "model runner has unexpectedly stopped" },
      ]),
    );
    const error = (await failure(
      ollamaModel({ model: "m", host: server.url }).generate(ask("q")),
    )) as ProviderError;
    expect(error.kind).toBe("server-error");
    expect(error.message).toMatch(/error mid-stream: model runner has unexpectedly stopped/);
    expect(partialTextOf(error)).toBe("one two ");
    expect(server.chats).toHaveLength(1);
  });

  it("a malformed NDJSON line stops the stream loudly (no silent drop, no console.warn)", async () => {
    const warn = vi.spyOn(console, "warn");
    server.script((res) =>
      ndjson(res, [...chatStream(["good "]).slice(0, 1), "{not json\n", ...chatStream(["more"])]),
    );
    const error = (await failure(
      ollamaModel({ model: "m", host: server.url }).generate(ask("q")),
    )) as ProviderError;
    expect(error.message).toMatch(/malformed NDJSON stream/);
    expect(partialTextOf(error)).toBe("good ");
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it("a 10 MB line with no newline fails as malformed at the size cap, reading no further", async () => {
    const maxLineChars = 65_536;
    server.script(async (res) => {
      ndjson(res, [], { end: false });
      const block = "x".repeat(1_048_576);
      for (let i = 0; i < 10 && !res.destroyed; i += 1) {
        await new Promise<void>((resolve) => res.write(block, () => resolve()));
      }
      res.end();
    });
    const model = ollamaModel({ model: "m", host: server.url, maxLineChars });
    const error = (await failure(model.generate(ask("q")))) as ProviderError;
    expect(error.message).toMatch(/size cap \(maxLineChars\)/);
    expect(error.kind).toBe("server-error");
  });

  it("a stream that ends without done is a network failure, never a success, and keeps the text", async () => {
    server.script((res) => ndjson(res, chatStream(["cut ", "short"]).slice(0, 2)));
    const error = (await failure(
      ollamaModel({ model: "m", host: server.url }).generate(ask("q")),
    )) as ProviderError;
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(/without its final "done"/);
    expect(partialTextOf(error)).toBe("cut short");
    // Text was received, so the request is not re-sent (which would throw the text away).
    expect(server.chats).toHaveLength(1);
  });
});

describe("ollamaModel() on a real server: abort and deadlines", () => {
  // One unmeasured abort first, so the 50 ms bound measures rungs, not undici's lazy abort path.
  beforeEach(async () => {
    await warmUpAbort(server);
    server.requests.length = 0;
  });

  it("an abort mid-stream rejects with signal.reason and stops the HTTP request within 50 ms", async () => {
    let firstChunkSent!: () => void;
    const sent = new Promise<void>((resolve) => {
      firstChunkSent = resolve;
    });
    server.script((res) => {
      ndjson(res, chatStream(["partial"]).slice(0, 1), { end: false });
      firstChunkSent();
    });
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const pending = failure(
      ollamaModel({ model: "m", host: server.url }).generate(ask("q"), { signal: controller.signal }),
    );
    await sent;
    const abortedAt = performance.now();
    controller.abort(reason);
    await expect(pending).resolves.toBe(reason);
    const closedAt = await server.chats[0]!.closed;
    expect(closedAt - abortedAt).toBeLessThan(50);
  });

  it("an abort of a non-streamed call (which ollama-js cannot abort itself) stops its request too", async () => {
    server.script(() => {
      // never answers
    });
    const controller = new AbortController();
    const pending = failure(
      ollamaModel({ model: "m", host: server.url, stream: false }).generate(ask("q"), {
        signal: controller.signal,
      }),
    );
    await server.untilChats(1);
    const abortedAt = performance.now();
    controller.abort(new Error("stop"));
    expect(((await pending) as Error).message).toBe("stop");
    expect((await server.chats[0]!.closed) - abortedAt).toBeLessThan(50);
  });

  it("a hung response is cut at the shared deadline and its request closed", async () => {
    const clock = manualClock();
    server.script(() => {
      // hangs
    });
    const budget = new Budget({ deadlineMs: 5_000, clock });
    const pending = failure(
      ollamaModel({ model: "m", host: server.url, clock }).generate(ask("q"), { budget }),
    );
    await server.untilChats(1);
    await clock.advance(5_000);
    const error = await pending;
    expect(BudgetExhaustedError.isInstance(error)).toBe(true);
    expect((error as BudgetExhaustedError).limit).toBe("deadline");
    await server.chats[0]!.closed;
  });

  it("timeoutMs fails one hung request as timeout, not retried", async () => {
    const clock = manualClock();
    server.script(() => {
      // hangs
    });
    const pending = failure(
      ollamaModel({ model: "m", host: server.url, clock, timeoutMs: 1_000 }).generate(ask("q")),
    );
    await server.untilChats(1);
    await clock.advance(1_000);
    const error = (await pending) as ProviderError;
    expect(error.kind).toBe("timeout");
    expect(server.chats).toHaveLength(1);
  });
});

describe("ollamaModel() on a real server: secrets", () => {
  const key = "sk-rungs-e2e-0123456789abcdef";

  it("an API key sent as a header appears in no event, record, error, cause chain, JSON or inspect output", async () => {
    const clock = manualClock();
    const events = new RungsEvents();
    const emitted: unknown[] = [];
    events.on("transport-retry", (event) => emitted.push(event));
    server.script(
      (res, request) =>
        json(res, 500, { error: `upstream rejected ${String(request.headers.authorization)}` }),
      (res, request) =>
        json(res, 401, { error: `invalid key ${key} in header ${String(request.headers.authorization)}` }),
    );
    const model = ollamaModel({
      model: "m",
      host: server.url,
      apiKey: key,
      headers: { "x-trace": "t1" },
      clock,
      retry: { random: () => 0 },
    });
    const dir = mkdtempSync(join(tmpdir(), "rungs-e2e-"));
    tempDirs.push(dir);
    const file = join(dir, "secrets.jsonl");
    const error = (await failure(
      recordingModel(model, file).generate(ask("q"), { events }),
    )) as ProviderError;
    expect(server.chats[0]?.headers.authorization).toBe(`Bearer ${key}`);
    expect(server.chats[0]?.headers["x-trace"]).toBe("t1");
    expect(error.kind).toBe("auth");
    const causes: string[] = [];
    for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
      causes.push(cause.message, String(cause.stack));
    }
    const outputs = [
      error.message,
      String(error.body),
      String(error.stack),
      ...causes,
      JSON.stringify(error),
      JSON.stringify(serializeError(error)),
      inspect(error, { depth: 10 }),
      JSON.stringify(emitted),
      JSON.stringify(transportRetriesOf(error)),
      JSON.stringify(model),
      inspect(model, { depth: 10, showHidden: true }),
      readFileSync(file, "utf8"),
    ];
    expect(emitted).toHaveLength(1);
    for (const output of outputs) expect(output).not.toContain(key);
    expect(error.message).toContain("***");
  });

  it("credentials in the host URL become a Basic header and are shown nowhere", async () => {
    server.script((res) => json(res, 403, { error: "forbidden" }));
    const host = server.url.replace("http://", "http://admin:hunter2-pass@");
    const model = ollamaModel({ model: "m", host });
    const error = (await failure(model.generate(ask("q")))) as ProviderError;
    expect(error.kind).toBe("auth");
    expect(server.chats[0]?.headers.authorization).toBe(`Basic ${btoa("admin:hunter2-pass")}`);
    for (const output of [
      error.message,
      inspect(error, { depth: 10 }),
      JSON.stringify(model),
      inspect(model),
      model.id,
    ]) {
      expect(output).not.toContain("hunter2-pass");
    }
  });
});
