// ollamaModel().stream over the real wire: a loopback server speaking Ollama's NDJSON /api/chat, read through
// the official `ollama` client, alone and as a rung of a streamed ladder.
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  Budget,
  BudgetExhaustedError,
  escalateAcross,
  ProviderError,
  type StreamPart,
} from "../../src/index.js";
import { ollamaModel, partialTextOf, transportRetriesOf } from "../../src/providers/ollama/index.js";
import { serializeError } from "../../src/redact.js";
import { manualClock, scriptedModel } from "../../src/testing/index.js";
import {
  chatStream,
  chatToolCallStream,
  type FakeOllama,
  json,
  ndjson,
  type ReceivedRequest,
  startFakeOllama,
} from "../e2e/fake-ollama.js";
import { finishOf, shape } from "../support/stream-parts.js";
import { capitalRubric } from "../support/stream-rubrics.js";

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

let server: FakeOllama;
beforeEach(async () => {
  server = await startFakeOllama();
});
afterEach(async () => {
  await server.close();
});

/** Reads a stream to its end: the parts it yielded, and the error it ended with (if any). */
async function drain(stream: AsyncIterable<StreamPart>): Promise<{ parts: StreamPart[]; error: unknown }> {
  const parts: StreamPart[] = [];
  try {
    for await (const part of stream) parts.push(part);
    return { parts, error: undefined };
  } catch (error) {
    return { parts, error };
  }
}

const textOf = (parts: readonly StreamPart[]) =>
  parts.map((part) => (part.type === "text-delta" ? part.text : "")).join("");

/** A promise the test opens by hand: the server waits on it between chunks. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Resolves when the server saw the request's connection close; fails the test (not hangs) after 5 s. */
function closedWithin(request: ReceivedRequest | undefined): Promise<number> {
  if (request === undefined) throw new Error("no such request");
  return Promise.race([
    request.closed,
    new Promise<number>((_, reject) =>
      setTimeout(() => reject(new Error("the server never saw the connection close")), 5_000).unref(),
    ),
  ]);
}

describe("ollamaModel().stream over the wire", () => {
  it("streams an answer in several deltas as they arrive, and its finish equals generate's", async () => {
    const pieces = ["The capital ", "of France ", "is Paris."];
    const final = { done_reason: "stop", prompt_eval_count: 14, eval_count: 7 };
    const rest = gate();
    server.script(
      async (res) => {
        // The first chunk, then nothing until the test has read it: the delta came before the answer ended.
        ndjson(res, chatStream(pieces, final).slice(0, 1), { end: false });
        await rest.opened;
        ndjson(res, chatStream(pieces, final).slice(1));
      },
      (res) => ndjson(res, chatStream(pieces, final)),
    );
    const model = ollamaModel({ model: "m", host: server.url });
    const iterator = model.stream(ask("Capital of France?"))[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toEqual({ type: "text-delta", text: "The capital " });
    rest.open();
    const parts: StreamPart[] = [first.value as StreamPart];
    for (let step = await iterator.next(); step.done !== true; step = await iterator.next())
      parts.push(step.value);

    expect(parts.map((part) => part.type)).toEqual(["text-delta", "text-delta", "text-delta", "finish"]);
    expect(textOf(parts)).toBe("The capital of France is Paris.");
    const generation = finishOf(parts);
    const generated = await model.generate(ask("Capital of France?"));
    expect(generation).toEqual(generated);
    expect(generation).toMatchObject({
      text: "The capital of France is Paris.",
      finishReason: "stop",
      usage: { inputTokens: 14, outputTokens: 7 },
      modelId: "ollama:m",
    });
    expect(server.chats[0]?.body.stream).toBe(true);
    expect(server.chats[0]?.body.messages).toEqual(server.chats[1]?.body.messages);
  });

  it('maps done_reason "length" and a missing done_reason as generate does', async () => {
    server.script(
      (res) => ndjson(res, chatStream(["cut ", "off"], { done_reason: "length", eval_count: 2 })),
      (res) => ndjson(res, chatStream(["half an ans"], { prompt_eval_count: 3 })),
    );
    const model = ollamaModel({ model: "m", host: server.url });
    const cut = await drain(model.stream(ask("q")));
    expect(cut.parts.at(-1)).toMatchObject({
      type: "finish",
      generation: { text: "cut off", finishReason: "length", usage: { outputTokens: 2 } },
    });
    const unfinished = await drain(model.stream(ask("q")));
    expect(textOf(unfinished.parts)).toBe("half an ans");
    expect((unfinished.error as ProviderError).kind).toBe("server-error");
    expect((unfinished.error as Error).message).toMatch(/no done_reason/);
    expect(partialTextOf(unfinished.error)).toBe("half an ans");
  });

  it("keeps thinking out of the text, as generate does", async () => {
    const lines = [
      { model: "m", message: { role: "assistant", content: "", thinking: "The user asks…" }, done: false },
      ...chatStream(["Paris."]),
    ];
    server.script(
      (res) => ndjson(res, lines),
      (res) => ndjson(res, lines),
    );
    const model = ollamaModel({ model: "m", host: server.url, think: true });
    const { parts, error } = await drain(model.stream(ask("q")));
    expect(error).toBeUndefined();
    expect(parts.map((part) => part.type)).toEqual(["text-delta", "finish"]);
    const generation = finishOf(parts);
    expect(generation).toEqual(await model.generate(ask("q")));
    expect(server.chats[0]?.body.think).toBe(true);
  });

  it("streams a tool call as a tool-call part, numbered and finished as generate's", async () => {
    const calls = [
      { function: { name: "get_weather", arguments: { city: "Paris" } } },
      { id: "srv-2", function: { name: "get_time", arguments: '{"zone":"CET"}' } },
    ];
    server.script(
      (res) => ndjson(res, chatToolCallStream(calls, ["Checking. "])),
      (res) => ndjson(res, chatToolCallStream(calls, ["Checking. "])),
    );
    const model = ollamaModel({ model: "m", host: server.url });
    const request = {
      ...ask("Weather and time in Paris?"),
      tools: [
        { name: "get_weather", inputSchema: { type: "object", properties: { city: { type: "string" } } } },
        { name: "get_time", inputSchema: { type: "object", properties: { zone: { type: "string" } } } },
      ],
    };
    const { parts, error } = await drain(model.stream(request));
    expect(error).toBeUndefined();
    expect(parts.slice(0, 3)).toEqual([
      { type: "text-delta", text: "Checking. " },
      { type: "tool-call", toolCall: { id: "call_1", name: "get_weather", input: { city: "Paris" } } },
      { type: "tool-call", toolCall: { id: "srv-2", name: "get_time", input: { zone: "CET" } } },
    ]);
    const generation = finishOf(parts);
    expect(generation.finishReason).toBe("tool-calls");
    expect(generation).toEqual(await model.generate(request));
    expect(server.chats[0]?.body.tools).toHaveLength(2);
  });

  it("with stream: false, streams generate's answer as one chunk", async () => {
    server.script((res) =>
      json(res, 200, {
        model: "m",
        message: { role: "assistant", content: "Paris." },
        done: true,
        done_reason: "stop",
      }),
    );
    const { parts } = await drain(
      ollamaModel({ model: "m", host: server.url, stream: false }).stream(ask("q")),
    );
    expect(parts.map((part) => part.type)).toEqual(["text-delta", "finish"]);
    expect(textOf(parts)).toBe("Paris.");
    expect(server.chats[0]?.body.stream).toBe(false);
  });
});

describe("ollamaModel().stream: aborts and broken streams", () => {
  it("an abort mid-stream rejects with the caller's reason and closes the HTTP request", async () => {
    server.script((res) => ndjson(res, chatStream(["partial "]).slice(0, 1), { end: false }));
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const iterator = ollamaModel({ model: "m", host: server.url })
      .stream(ask("q"), { signal: controller.signal })
      [Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ type: "text-delta", text: "partial " });
    const pending = iterator.next();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await closedWithin(server.chats[0]);
    expect(server.chats).toHaveLength(1);
  });

  it("leaving the loop early closes the HTTP request", async () => {
    server.script((res) => ndjson(res, chatStream(["one ", "two "]).slice(0, 2), { end: false }));
    for await (const part of ollamaModel({ model: "m", host: server.url }).stream(ask("q"))) {
      if (part.type === "text-delta") break;
    }
    await closedWithin(server.chats[0]);
  });

  it("timeoutMs fails a stream that stalls as timeout, its text kept, its request closed, not retried", async () => {
    const clock = manualClock();
    server.script((res) => ndjson(res, chatStream(["so far "]).slice(0, 1), { end: false }));
    const iterator = ollamaModel({ model: "m", host: server.url, clock, timeoutMs: 10_000 })
      .stream(ask("q"))
      [Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ type: "text-delta", text: "so far " });
    const pending = iterator.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    await clock.advance(10_000);
    const error = await pending;
    expect((error as ProviderError).kind).toBe("timeout");
    expect((error as Error).message).toMatch(/timeoutMs \(10000 ms\)/);
    expect(partialTextOf(error)).toBe("so far ");
    await closedWithin(server.chats[0]);
    expect(server.chats).toHaveLength(1);
  });

  it("a shared Budget's deadline ends a stalled stream and closes its request", async () => {
    const clock = manualClock();
    server.script((res) => ndjson(res, chatStream(["so far "]).slice(0, 1), { end: false }));
    const budget = new Budget({ deadlineMs: 5_000, clock });
    const iterator = ollamaModel({ model: "m", host: server.url, clock })
      .stream(ask("q"), { budget })
      [Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    await clock.advance(5_000);
    const error = await pending;
    expect(BudgetExhaustedError.isInstance(error) && error.limit).toBe("deadline");
    await closedWithin(server.chats[0]);
    // The stream stopped before Ollama's count: one output token booked per delta received.
    expect(budget.outputTokensUsed).toBe(1);
  });

  it("the answer cap fires mid-stream: a server-error naming maxAnswerChars, the text kept, the request closed, not retried", async () => {
    server.script(async (res) => {
      // A server that never stops: valid NDJSON, line after line (bounded here so a failing test ends).
      ndjson(res, [], { end: false });
      for (let i = 0; i < 10_000 && !res.destroyed; i += 1) {
        const line = `${JSON.stringify({ model: "m", message: { role: "assistant", content: "abcdefgh" }, done: false })}\n`;
        await new Promise<void>((resolve) => res.write(line, () => resolve()));
      }
      res.end();
    });
    const { parts, error } = await drain(
      ollamaModel({ model: "m", host: server.url, maxAnswerChars: 50 }).stream(ask("q")),
    );
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).kind).toBe("server-error");
    expect((error as Error).message).toMatch(/50-char cap \(maxAnswerChars\)/);
    expect(partialTextOf(error)).toBe("abcdefgh".repeat(7).slice(0, 50));
    // Deltas stop at the cap: the chunk that crossed it is not streamed.
    expect(textOf(parts)).toBe("abcdefgh".repeat(6));
    await closedWithin(server.chats[0]);
    expect(server.chats).toHaveLength(1);
  });

  it("a stream that ends without done fails as generate's does (network, never a success), its text kept", async () => {
    server.script((res) => ndjson(res, chatStream(["cut ", "short"]).slice(0, 2)));
    const { parts, error } = await drain(ollamaModel({ model: "m", host: server.url }).stream(ask("q")));
    expect(parts).toEqual([
      { type: "text-delta", text: "cut " },
      { type: "text-delta", text: "short" },
    ]);
    expect((error as ProviderError).kind).toBe("network");
    expect((error as Error).message).toMatch(/without its final "done"/);
    expect(partialTextOf(error)).toBe("cut short");
    expect(server.chats).toHaveLength(1);
  });

  it("a malformed NDJSON line stops the stream loudly, keeping the deltas before it", async () => {
    const warn = vi.spyOn(console, "warn");
    server.script((res) =>
      ndjson(res, [...chatStream(["good "]).slice(0, 1), "{not json\n", ...chatStream(["more"])]),
    );
    const { parts, error } = await drain(ollamaModel({ model: "m", host: server.url }).stream(ask("q")));
    expect(parts).toEqual([{ type: "text-delta", text: "good " }]);
    expect((error as ProviderError).kind).toBe("server-error");
    expect((error as Error).message).toMatch(/malformed NDJSON stream.*\{not json/);
    expect(partialTextOf(error)).toBe("good ");
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(server.chats).toHaveLength(1);
  });

  it("an over-long line fails at maxLineChars, reading no further", async () => {
    server.script(async (res) => {
      ndjson(res, chatStream(["ok "]).slice(0, 1), { end: false });
      const block = "x".repeat(1_048_576);
      for (let i = 0; i < 10 && !res.destroyed; i += 1) {
        await new Promise<void>((resolve) => res.write(block, () => resolve()));
      }
      res.end();
    });
    const { parts, error } = await drain(
      ollamaModel({ model: "m", host: server.url, maxLineChars: 65_536 }).stream(ask("q")),
    );
    expect(textOf(parts)).toBe("ok ");
    expect((error as Error).message).toMatch(/size cap \(maxLineChars\)/);
    expect(partialTextOf(error)).toBe("ok ");
  });

  it("an error line mid-stream keeps the text and is not retried", async () => {
    server.script((res) =>
      ndjson(res, [
        ...chatStream(["one ", "two "]).slice(0, 2),
        { error: "model runner has unexpectedly stopped" },
      ]),
    );
    const { parts, error } = await drain(ollamaModel({ model: "m", host: server.url }).stream(ask("q")));
    expect(textOf(parts)).toBe("one two ");
    expect((error as Error).message).toMatch(/error mid-stream: model runner has unexpectedly stopped/);
    expect(server.chats).toHaveLength(1);
  });
});

describe("ollamaModel().stream: transport retries only before the first part", () => {
  it("retries a 500 and a reset before anything was streamed, and records the retries on the finish", async () => {
    server.script(
      (res) => json(res, 500, { error: "loading model" }),
      (res) => {
        // A thinking chunk shows the caller nothing, so a reset after it is still retried.
        ndjson(
          res,
          [{ model: "m", message: { role: "assistant", content: "", thinking: "hm" }, done: false }],
          {
            end: false,
          },
        );
        setTimeout(() => res.socket?.destroy(), 20);
      },
      (res) => ndjson(res, chatStream(["back"])),
    );
    const model = ollamaModel({ model: "m", host: server.url, retry: { random: () => 0 } });
    const { parts, error } = await drain(model.stream(ask("q")));
    expect(error).toBeUndefined();
    expect(textOf(parts)).toBe("back");
    const generation = finishOf(parts);
    expect(generation.trace?.transportRetries?.map((retry) => retry.kind)).toEqual([
      "server-error",
      "network",
    ]);
    expect(server.chats).toHaveLength(3);
  });

  it("never retries once a part was streamed, even one without text (a tool call): the attempt fails", async () => {
    server.script(
      (res) => json(res, 503, { error: "busy" }),
      (res) => {
        ndjson(res, chatToolCallStream([{ function: { name: "get_weather", arguments: {} } }]).slice(0, 1), {
          end: false,
        });
        setTimeout(() => res.socket?.destroy(), 20);
      },
      (res) => ndjson(res, chatStream(["a second answer, never glued on"])),
    );
    const model = ollamaModel({ model: "m", host: server.url, retry: { random: () => 0 } });
    const { parts, error } = await drain(model.stream(ask("q")));
    expect(parts.map((part) => part.type)).toEqual(["tool-call"]);
    expect((error as ProviderError).kind).toBe("network");
    // The retry made before the first part stays on the error, for the attempt's record.
    expect(transportRetriesOf(error).map((retry) => retry.kind)).toEqual(["server-error"]);
    expect(server.chats).toHaveLength(2);
  });

  it("an API key in a failing stream appears in no error output", async () => {
    const key = "sk-rungs-stream-0123456789abcdef";
    server.script((res, request) =>
      ndjson(res, [
        ...chatStream(["one "]).slice(0, 1),
        { error: `upstream rejected ${String(request.headers.authorization)}` },
      ]),
    );
    const { error } = await drain(
      ollamaModel({ model: "m", host: server.url, apiKey: key }).stream(ask("q")),
    );
    expect(server.chats[0]?.headers.authorization).toBe(`Bearer ${key}`);
    const causes: string[] = [];
    for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
      causes.push(cause.message, String(cause.stack));
    }
    for (const output of [
      ...causes,
      String((error as ProviderError).body),
      JSON.stringify(error),
      JSON.stringify(serializeError(error)),
      inspect(error, { depth: 10 }),
    ]) {
      expect(output).not.toContain(key);
    }
    expect((error as Error).message).toContain("***");
  });
});

const rubric = capitalRubric;

describe("ollamaModel() as a rung of a streamed ladder", () => {
  it("a stream that stalls mid-answer is ended by attemptTimeoutMs, its request closed, and the next rung answers", async () => {
    const clock = manualClock();
    server.script((res) => ndjson(res, chatStream(["Par"]).slice(0, 1), { end: false }));
    const next = scriptedModel("next", ["Paris."]);
    const ladder = escalateAcross([ollamaModel({ model: "m", host: server.url }), next], {
      rubric,
      attemptTimeoutMs: 30_000,
      clock,
    });
    const iterator = ladder.stream(ask("Capital of France?"))[Symbol.asyncIterator]();
    const parts: StreamPart[] = [];
    // Read up to the first delta: the server has sent it and stalls.
    while (parts.at(-1)?.type !== "text-delta") {
      const step = await iterator.next();
      if (step.done === true) throw new Error("the stream ended before its first delta");
      parts.push(step.value);
    }
    const rest = (async () => {
      for (let step = await iterator.next(); step.done !== true; step = await iterator.next())
        parts.push(step.value);
    })();
    await clock.advance(30_000);
    await rest;

    expect(shape(parts)).toEqual([
      "attempt-start",
      "text-delta*",
      "discard",
      "attempt-start",
      "text-delta*",
      "finish",
    ]);
    expect(parts.find((part) => part.type === "discard")).toMatchObject({
      kind: "timeout",
      modelId: "ollama:m",
      early: false,
    });
    await closedWithin(server.chats[0]);
    const generation = finishOf(parts);
    expect(generation.text).toBe("Paris.");
    expect(generation.trace?.attempts?.[0]).toMatchObject({
      modelId: "ollama:m",
      kind: "timeout",
      text: "Par",
    });
    expect(server.chats).toHaveLength(1);
  });

  it("a prefix rule stops the Ollama rung early, cancelling its HTTP stream, and the next rung answers", async () => {
    server.script(async (res) => {
      ndjson(res, chatStream(["TODO: ", "look this up ", "in an atlas ", "before answering."]).slice(0, 4), {
        end: false,
      });
      // Then more text, slowly, for as long as the client listens (bounded so a failing test ends).
      for (let i = 0; i < 2_000 && !res.destroyed; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        res.write(
          `${JSON.stringify({ model: "m", message: { role: "assistant", content: "more " }, done: false })}\n`,
        );
      }
      res.end();
    });
    const next = scriptedModel("next", ["Paris."]);
    const { parts, error } = await drain(
      escalateAcross([ollamaModel({ model: "m", host: server.url }), next], { rubric }).stream(
        ask("Capital of France?"),
      ),
    );
    expect(error).toBeUndefined();
    expect(shape(parts)).toEqual([
      "attempt-start",
      "text-delta*",
      "discard",
      "attempt-start",
      "text-delta*",
      "finish",
    ]);
    expect(parts.find((part) => part.type === "discard")).toMatchObject({
      modelId: "ollama:m",
      early: true,
    });
    await closedWithin(server.chats[0]);
    const generation = finishOf(parts);
    expect(generation.text).toBe("Paris.");
    expect(generation.trace?.attempts?.[0]).toMatchObject({ modelId: "ollama:m", stoppedEarly: true });
    expect(String(generation.trace?.attempts?.[0]?.text)).toMatch(/^TODO: look this up/);
    // Stopped before Ollama's count came: one output token booked per delta received (4 at least).
    const stopped = generation.trace?.attempts?.[0];
    expect(stopped?.usage.outputTokens).toBeGreaterThanOrEqual(4);
    expect(generation.usage.outputTokens).toBe(
      (stopped?.usage.outputTokens ?? 0) + (generation.trace?.attempts?.[1]?.usage.outputTokens ?? 0),
    );
  });
});
