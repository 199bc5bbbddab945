// rungs/otel: the span tree of a run, read back through the OTel SDK's in-memory exporter.
import { context, type Span, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { z } from "zod";
import { emit } from "../../src/events.js";
import {
  continueUntilComplete,
  defaultMapPrompt,
  defaultReducePrompt,
  defineModel,
  defineRubric,
  ExhaustedError,
  escalateAcross,
  type GenerateRequest,
  type Generation,
  InvalidArgumentError,
  judgeRule,
  type Model,
  matches,
  RungsEvents,
  retryWithContext,
  type StreamingModel,
  type StreamPart,
  structured,
  treeSplit,
} from "../../src/index.js";
import { withOtel } from "../../src/otel/index.js";
import { hang, scriptedModel } from "../../src/testing/index.js";
import { capitalRubric, todoFirst } from "../support/stream-rubrics.js";

/** Counts spans started and not yet ended: a leaked span stays in `open`. */
class OpenSpans implements SpanProcessor {
  readonly open = new Set<Span>();
  onStart(span: Span): void {
    this.open.add(span);
  }
  onEnd(span: ReadableSpan): void {
    this.open.delete(span as unknown as Span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const exporter = new InMemorySpanExporter();
const openSpans = new OpenSpans();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), openSpans] });
const tracer = provider.getTracer("rungs-test");

beforeEach(() => {
  exporter.reset();
  openSpans.open.clear();
});
afterAll(async () => {
  await provider.shutdown();
});

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((s) => s.name === name);
const one = (name: string) => {
  const found = named(name);
  expect(found, `one span named ${name}`).toHaveLength(1);
  return found[0]!;
};
const parentOf = (span: ReadableSpan) => {
  const id = span.parentSpanContext?.spanId;
  return id === undefined ? undefined : spans().find((s) => s.spanContext().spanId === id);
};
const allText = () => JSON.stringify(spans().map((s) => [s.name, s.attributes, s.events, s.status]));

const stageOf = (request: GenerateRequest) => {
  const system = request.messages[0]?.content;
  return system === defaultMapPrompt ? "map" : system === defaultReducePrompt ? "reduce" : "answer";
};
const task = "Write the SECRET-TASK-TEXT function.";
const docs = Array.from({ length: 12 }, (_, i) => `Section ${i}: ${"detail ".repeat(60)}`);
const rubric = defineRubric({ id: "answer", rules: [matches("says-done", /DONE/)] });

describe("withOtel over treeSplit(escalateAcross(...))", () => {
  const run = async () => {
    // The small rung takes notes but answers badly; the large rung answers.
    const small = scriptedModel(
      "ollama:small",
      [
        (request) =>
          stageOf(request) === "answer"
            ? { text: "not finished", usage: { inputTokens: 40, outputTokens: 2 } }
            : { text: "notes: PRIVATE-NOTE-TEXT", usage: { inputTokens: 100, outputTokens: 5 } },
      ],
      { whenDone: "repeat-last" },
    );
    const large = scriptedModel(
      "ollama:large",
      [{ text: "DONE PRIVATE-ANSWER-TEXT", usage: { inputTokens: 50, outputTokens: 3 } }],
      {
        whenDone: "repeat-last",
      },
    );
    const model = withOtel(
      // Notes go to the same rungs without the answer's rubric (notesModel).
      treeSplit(escalateAcross([small, large], { rubric }), {
        promptLimit: { chars: 2000 },
        notesModel: escalateAcross([small, large]),
      }),
      {
        tracer,
      },
    );
    const result = await model.generate({ messages: [{ role: "user", content: task }], context: docs });
    return { result, model };
  };

  it("nests run, split, shards, engines and attempts by event path, with GenAI attributes", async () => {
    const { result, model } = await run();
    expect(result.text).toBe("DONE PRIVATE-ANSWER-TEXT");
    expect(openSpans.open.size).toBe(0);

    const root = one(`invoke_workflow ${model.id}`);
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_workflow",
      "gen_ai.workflow.name": model.id,
      "gen_ai.response.model": "large",
      "gen_ai.response.finish_reasons": ["stop"],
      "rungs.rung": 1,
    });
    expect(root.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);

    const split = one("rungs treeSplit");
    expect(parentOf(split)).toBe(root);
    expect(split.attributes["rungs.split.shards"]).toBe(result.trace?.split?.shards);
    const shards = spans().filter((s) => /^rungs map\[\d+\]$/.test(s.name));
    expect(shards).toHaveLength(result.trace?.split?.shards ?? -1);
    expect(shards.length).toBeGreaterThan(1);
    for (const shard of shards) {
      expect(parentOf(shard)).toBe(split);
      expect(shard.attributes["rungs.split.stage"]).toBe("map");
    }

    // Each shard's ladder: an engine span under the shard, one accepted attempt by the small rung beneath it.
    const engines = named("rungs escalate");
    for (const shard of shards) {
      const engine = engines.find((e) => parentOf(e) === shard);
      expect(engine, shard.name).toBeDefined();
      const attempts = spans().filter((s) => parentOf(s) === engine);
      expect(attempts.map((a) => a.name)).toEqual(["chat ollama:small"]);
      expect(attempts[0]!.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "ollama",
        "gen_ai.request.model": "small",
        "gen_ai.usage.input_tokens": 100,
        "gen_ai.usage.output_tokens": 5,
        "gen_ai.response.finish_reasons": ["stop"],
        "rungs.rung": 0,
        "rungs.attempt.number": 1,
        "rungs.attempt.accepted": true,
      });
    }

    // The answer: the small rung rejected (status ERROR, its kind and score), the large rung accepted.
    const answer = one("rungs answer");
    expect(parentOf(answer)).toBe(split);
    const answerEngine = engines.find((e) => parentOf(e) === answer)!;
    const answerAttempts = spans()
      .filter((s) => parentOf(s) === answerEngine)
      .sort(
        (a, b) => Number(a.attributes["rungs.attempt.number"]) - Number(b.attributes["rungs.attempt.number"]),
      );
    expect(answerAttempts.map((a) => a.name)).toEqual(["chat ollama:small", "chat ollama:large"]);
    const [rejected, accepted] = answerAttempts as [ReadableSpan, ReadableSpan];
    expect(rejected.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(rejected.attributes).toMatchObject({
      "rungs.failure.kind": "rejected",
      "error.type": "rejected",
      "rungs.verdict.score": 0,
      "rungs.verdict.accepted": false,
      "rungs.verdict.violations": ["says-done"],
      "rungs.rung": 0,
      "rungs.attempt.number": 1,
    });
    expect(accepted.status.code).not.toBe(2);
    expect(accepted.attributes).toMatchObject({
      "rungs.verdict.score": 1,
      "rungs.rung": 1,
      "rungs.attempt.number": 2,
    });

    // One trace, every span inside its parent's time.
    const traceIds = new Set(spans().map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    for (const span of spans()) {
      const parent = parentOf(span);
      if (parent === undefined) continue;
      expect(hrMs(span.startTime)).toBeGreaterThanOrEqual(hrMs(parent.startTime));
      expect(hrMs(span.endTime)).toBeLessThanOrEqual(hrMs(parent.endTime));
    }
  });

  it("records no prompt or output text by default", async () => {
    await run();
    const text = allText();
    for (const secret of ["SECRET-TASK-TEXT", "PRIVATE-NOTE-TEXT", "PRIVATE-ANSWER-TEXT", "Section 0"]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain("gen_ai.input.messages");
    expect(text).not.toContain("gen_ai.output.messages");
  });
});

const hrMs = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6;

describe("withOtel failures", () => {
  it("an exhausted ladder: the engine's and the run's spans have status ERROR and the limit", async () => {
    const model = withOtel(
      escalateAcross([scriptedModel("a", ["no"]), scriptedModel("b", [new Error("boom: server down")])], {
        rubric,
      }),
      { tracer },
    );
    const error = await model.generate({ prompt: "go" }).catch((e: unknown) => e);
    expect(ExhaustedError.isInstance(error)).toBe(true);
    expect(openSpans.open.size).toBe(0);
    const root = one(`invoke_workflow ${model.id}`);
    expect(root.status.code).toBe(2);
    expect(root.attributes).toMatchObject({
      "rungs.exhaustion.limit": "everyRungTried",
      "rungs.attempts": 2,
      "error.type": "ExhaustedError",
    });
    expect(root.events.map((e) => e.name)).toContain("exception");
    const engine = one("rungs escalate");
    expect(engine.status.code).toBe(2);
    expect(engine.attributes["rungs.exhaustion.limit"]).toBe("everyRungTried");
    const thrown = one("chat b");
    expect(thrown.status).toMatchObject({ code: 2, message: "boom: server down" });
    const exception = thrown.events.find((e) => e.name === "exception");
    expect(exception?.attributes?.["exception.message"]).toBe("boom: server down");
  });

  it("the run's span carries the token totals of every attempt, accepted or not, nested ones counted once", async () => {
    const said = (text: string, inputTokens: number, outputTokens: number) => ({
      text,
      usage: { inputTokens, outputTokens },
    });
    // Exhausted: no Generation, so the totals come from the attempts themselves.
    const failing = withOtel(
      escalateAcross(
        [
          scriptedModel("a", [said("no", 10, 2)]),
          // A rung that is itself a retry loop: its two inner attempts are inside the outer attempt's usage.
          retryWithContext(scriptedModel("b", [said("no", 20, 3), said("still no", 30, 4)]), {
            rubric,
            maxAttempts: 2,
          }),
        ],
        { rubric },
      ),
      { tracer },
    );
    expect(ExhaustedError.isInstance(await failing.generate({ prompt: "go" }).catch((e: unknown) => e))).toBe(
      true,
    );
    expect(one(`invoke_workflow ${failing.id}`).attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 60,
      "gen_ai.usage.output_tokens": 9,
    });
    exporter.reset();
    // Accepted after a rejected attempt: the totals, not the accepted attempt's own counts.
    const passing = withOtel(
      escalateAcross([scriptedModel("a", [said("no", 10, 2)]), scriptedModel("b", [said("DONE", 7, 1)])], {
        rubric,
      }),
      { tracer },
    );
    await passing.generate({ prompt: "go" });
    expect(one(`invoke_workflow ${passing.id}`).attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 17,
      "gen_ai.usage.output_tokens": 3,
    });
  });

  it("abort mid-run ends every span it started: none stays open", async () => {
    const controller = new AbortController();
    const events = new RungsEvents();
    events.on("attempt-start", ({ attempt }) => {
      if (attempt.rung === 1) setTimeout(() => controller.abort(new Error("user cancelled")), 5);
    });
    const model = withOtel(
      treeSplit(escalateAcross([scriptedModel("a", ["no"]), scriptedModel("b", [hang])], { rubric }), {
        promptLimit: { chars: 100_000 },
      }),
      { tracer },
    );
    const outcome = model.generate({ prompt: "go" }, { signal: controller.signal, events });
    await expect(outcome).rejects.toThrow("user cancelled");
    expect(openSpans.open.size).toBe(0);
    const root = one(`invoke_workflow ${model.id}`);
    expect(root.status).toMatchObject({ code: 2, message: "user cancelled" });
    const hung = one("chat b");
    expect(hung.attributes["rungs.failure.kind"]).toBe("aborted");
    expect(hung.status.code).toBe(2);
    expect(parentOf(hung)).toBe(one("rungs escalate"));
  });

  it("a model that throws before any event still ends the run's span with the error", async () => {
    const model = withOtel(
      defineModel("broken", async () => {
        throw new Error("no route to host, key sk-abcdefghijklmnop1234");
      }),
      { tracer },
    );
    await expect(model.generate({ prompt: "x" })).rejects.toThrow("no route to host");
    expect(openSpans.open.size).toBe(0);
    const root = one("invoke_workflow broken");
    expect(root.status.code).toBe(2);
    // The recorded error passes through rungs' secret redactor.
    expect(allText()).not.toContain("sk-abcdefghijklmnop1234");
  });
});

describe("withOtel: continuations, judges, events, content", () => {
  /** A traced writer whose one rule is an LLM judge on `judge`. */
  const writerJudgedBy = (judge: Model) =>
    withOtel(
      retryWithContext(scriptedModel("writer", ["an answer"]), {
        rubric: defineRubric({
          id: "judged",
          rules: [judgeRule("quality", judge, { criteria: "Is it good?" })],
        }),
      }),
      { tracer },
    );

  it("each continuation is a chat span under the continue span", async () => {
    const model = withOtel(
      retryWithContext(
        continueUntilComplete(
          scriptedModel("m", [
            { text: "part one ", finishReason: "length" },
            { text: "part two ", finishReason: "length" },
            "end",
          ]),
        ),
      ),
      { tracer },
    );
    const result = await model.generate({ prompt: "write" });
    expect(result.text).toBe("part one part two end");
    const pieces = named("chat m").sort(
      (a, b) => Number(a.attributes["rungs.continuation"]) - Number(b.attributes["rungs.continuation"]),
    );
    expect(pieces.map((p) => p.attributes["rungs.continuation"])).toEqual([1, 2]);
    expect(pieces.map((p) => p.attributes["gen_ai.response.finish_reasons"])).toEqual([["length"], ["stop"]]);
    const container = one("rungs continue");
    for (const piece of pieces) expect(parentOf(piece)).toBe(container);
    // The continue span sits under the retry engine's attempt.
    expect(parentOf(container)?.name).toBe("chat continue(m)");
  });

  it("a judge's model wrapped with withOtel nests its span under the judged attempt", async () => {
    const judge = withOtel(
      scriptedModel("judge", ['{"score": 0.9, "reason": "fine"}'], { whenDone: "repeat-last" }),
      {
        tracer,
        workflowName: "judge",
      },
    );
    const model = writerJudgedBy(judge);
    await model.generate({ prompt: "write" });
    expect(openSpans.open.size).toBe(0);
    const attempt = one("chat writer");
    const judgeSpan = one("invoke_workflow judge");
    expect(parentOf(judgeSpan)).toBe(attempt);
    expect(judgeSpan.attributes).toMatchObject({
      "rungs.path": "retry/attempt[1]/judge[quality]",
      "gen_ai.response.model": "judge",
    });
    expect(attempt.attributes["rungs.verdict.score"]).toBe(0.9);
    expect(spans().every((s) => s.spanContext().traceId === attempt.spanContext().traceId)).toBe(true);
  });

  it("a judge that is itself a ladder shows as a judge span with its attempts", async () => {
    const judge = retryWithContext(scriptedModel("judge", ['{"score": 1, "reason": "fine"}']));
    const model = writerJudgedBy(judge);
    await model.generate({ prompt: "write" });
    const judgeSpan = one("rungs judge[quality]");
    expect(parentOf(judgeSpan)).toBe(one("chat writer"));
    expect(judgeSpan.attributes["rungs.rule.id"]).toBe("quality");
    expect(parentOf(parentOf(one("chat judge"))!)).toBe(judgeSpan);
  });

  it("the caller's events still arrive, in order", async () => {
    const events = new RungsEvents();
    const seen: string[] = [];
    events.on("attempt-start", ({ path }) => seen.push(`start ${path}`));
    events.on("attempt-end", ({ path }) => seen.push(`end ${path}`));
    events.on("rung-skip", ({ path }) => seen.push(`skip ${path}`));
    const model = withOtel(
      escalateAcross([scriptedModel("a", ["no"]), scriptedModel("b", ["DONE"])], { rubric }),
      {
        tracer,
      },
    );
    await model.generate({ prompt: "go" }, { events });
    expect(seen).toEqual([
      "start escalate/attempt[1]",
      "end escalate/attempt[1]",
      "start escalate/attempt[2]",
      "end escalate/attempt[2]",
    ]);
  });

  it("captureContent records redacted text, cut to maxContentChars", async () => {
    const model = withOtel(scriptedModel("m", [`DONE ${"x".repeat(100)}`]), {
      tracer,
      captureContent: true,
      maxContentChars: 40,
    });
    await model.generate({ prompt: "use key sk-abcdefghijklmnop1234 and write" });
    const root = one("invoke_workflow m");
    const input = JSON.parse(String(root.attributes["gen_ai.input.messages"]));
    expect(input).toEqual([{ role: "user", parts: [{ type: "text", content: "use key *** and write" }] }]);
    const output = JSON.parse(String(root.attributes["gen_ai.output.messages"]));
    // At most maxContentChars, the marker included.
    expect(output[0].parts[0].content).toBe(`DONE ${"x".repeat(34)}…`);
    expect(output[0].finish_reason).toBe("stop");
  });

  it("uses the global tracer by default, and the run's span is active while the model runs", async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    trace.setGlobalTracerProvider(provider);
    try {
      let active: string | undefined;
      const model = withOtel(
        defineModel("leaf", async () => {
          active = trace.getActiveSpan()?.spanContext().spanId;
          return { text: "ok" };
        }),
      );
      const outer = tracer.startSpan("app request");
      await context.with(trace.setSpan(context.active(), outer), () => model.generate({ prompt: "x" }));
      outer.end();
      const root = one("invoke_workflow leaf");
      expect(active).toBe(root.spanContext().spanId);
      expect(parentOf(root)?.name).toBe("app request");
      expect(root.instrumentationScope.name).toBe("rungs");
    } finally {
      trace.disable();
      context.disable();
    }
  });
});

describe("withOtel streams", () => {
  const capital = capitalRubric;
  const long = todoFirst;
  const threeRungs = () => {
    const r1 = scriptedModel("r1", [long], { streamChunkChars: 1 });
    const r2 = scriptedModel("r2", ["Lyon is a fine city."], { streamChunkChars: 1 });
    const r3 = scriptedModel("r3", ["Paris is the capital of France."], { streamChunkChars: 1 });
    return { r1, r2, r3, ladder: escalateAcross([r1, r2, r3], { rubric: capital }) };
  };
  async function collect<V>(parts: AsyncIterable<StreamPart<V>>): Promise<StreamPart<V>[]> {
    const out: StreamPart<V>[] = [];
    for await (const part of parts) out.push(part);
    return out;
  }
  const discardEvents = (span: ReadableSpan) => span.events.filter((e) => e.name === "rungs.attempt_discard");

  it("streams the inner model's parts with the generate span tree: first chunk times, discards, the early stop", async () => {
    const { r1, ladder } = threeRungs();
    const model = withOtel(ladder, { tracer, workflowName: "capital" });
    const events = new RungsEvents();
    let deltas = 0;
    events.on("output-stream", () => {
      deltas += 1;
    });
    const parts = await collect(model.stream({ prompt: "The capital of France?" }, { events }));

    // The parts are the ladder's own: three attempts, two discards, the accepted text, finish.
    expect(
      parts.filter((p) => p.type === "attempt-start").map((p) => p.type === "attempt-start" && p.modelId),
    ).toEqual(["r1", "r2", "r3"]);
    expect(parts.filter((p) => p.type === "discard")).toHaveLength(2);
    const finish = parts.at(-1);
    expect(finish?.type === "finish" && finish.generation.text).toBe("Paris is the capital of France.");
    expect(r1.calls[0]?.stream).toMatchObject({ cancelled: true, finished: false });
    // The caller's sink still hears every delta.
    expect(deltas).toBe(parts.filter((p) => p.type === "text-delta").length);

    expect(openSpans.open.size).toBe(0);
    const root = one("invoke_workflow capital");
    expect(root.attributes).toMatchObject({
      "gen_ai.request.stream": true,
      "rungs.stream.mode": "live",
      "rungs.stream.discards": 2,
      "rungs.verdict.accepted": true,
      "rungs.rung": 2,
    });
    expect(root.attributes["gen_ai.response.time_to_first_chunk"]).toBeGreaterThanOrEqual(0);
    expect(root.attributes["rungs.stream.closed_early"]).toBeUndefined();

    const [c1, c2, c3] = ["chat r1", "chat r2", "chat r3"].map(one);
    for (const chat of [c1!, c2!, c3!]) {
      expect(parentOf(chat)).toBe(one("rungs escalate"));
      expect(chat.attributes["gen_ai.request.stream"]).toBe(true);
      const ttft = chat.attributes["gen_ai.response.time_to_first_chunk"];
      expect(typeof ttft).toBe("number");
      // Seconds, within the attempt's own span.
      const spanSeconds = (chat.duration[0] * 1e9 + chat.duration[1]) / 1e9;
      expect(ttft as number).toBeLessThanOrEqual(spanSeconds + 1e-3);
    }
    expect(c1!.attributes["rungs.attempt.stopped_early"]).toBe(true);
    expect(c2!.attributes["rungs.attempt.stopped_early"]).toBeUndefined();
    expect(discardEvents(c1!)).toHaveLength(1);
    expect(discardEvents(c1!)[0]?.attributes).toMatchObject({
      "rungs.failure.kind": "rejected",
      "rungs.discard.early": true,
    });
    expect(String(discardEvents(c1!)[0]?.attributes?.["rungs.discard.reason"])).toContain("no-todo");
    expect(discardEvents(c2!)[0]?.attributes).toMatchObject({
      "rungs.failure.kind": "rejected",
      "rungs.discard.early": false,
      "rungs.discard.chars": 20,
    });
    expect(discardEvents(c3!)).toHaveLength(0);
    // Bounded: no span event per delta (r1..r3 streamed over 60 one-char deltas).
    for (const span of spans()) expect(span.events.length).toBeLessThanOrEqual(2);
  });

  it("accepted-only: the run's first chunk waits for the accepted attempt; the parts are the mode's", async () => {
    const { ladder } = threeRungs();
    const parts = await collect(
      withOtel(ladder, { tracer }).stream({ prompt: "?" }, { mode: "accepted-only" }),
    );
    expect(parts.map((p) => p.type)).toEqual(["text-delta", "finish"]);
    const root = one(`invoke_workflow ${ladder.id}`);
    expect(root.attributes["rungs.stream.mode"]).toBe("accepted-only");
    expect(root.attributes["rungs.stream.discards"]).toBe(0);
    // Attempts still stream beneath: each has its own first chunk, the run's came after the last one's.
    const c3 = one("chat r3");
    const c3Start = c3.startTime[0] + c3.startTime[1] / 1e9;
    const rootStart = root.startTime[0] + root.startTime[1] / 1e9;
    const rootTtft = root.attributes["gen_ai.response.time_to_first_chunk"] as number;
    expect(rootStart + rootTtft).toBeGreaterThanOrEqual(
      c3Start + (c3.attributes["gen_ai.response.time_to_first_chunk"] as number) - 1e-3,
    );
    expect(openSpans.open.size).toBe(0);
  });

  it("a consumer that leaves early: the provider's stream is cancelled and every span ends", async () => {
    const slow = scriptedModel("slow", [`Paris, ${"and on and on ".repeat(50)}`], { streamChunkChars: 2 });
    const model = withOtel(escalateAcross([slow], { rubric: capital }), { tracer });
    let seen = 0;
    for await (const part of model.stream({ prompt: "?" })) {
      if (part.type === "text-delta") seen += 1;
      if (seen === 3) break;
    }
    expect(slow.calls[0]?.stream).toMatchObject({ cancelled: true, finished: false });
    expect(openSpans.open.size).toBe(0);
    const root = one(`invoke_workflow ${model.id}`);
    expect(root.attributes["rungs.stream.closed_early"]).toBe(true);
    const chat = one("chat slow");
    expect(chat.attributes["rungs.failure.kind"]).toBe("aborted");
    expect(chat.attributes["gen_ai.response.time_to_first_chunk"]).toBeGreaterThanOrEqual(0);
  });

  it("an exhausted stream and an aborted one: the error comes from the iteration, the spans end with status ERROR", async () => {
    const exhausted = withOtel(escalateAcross([scriptedModel("a", ["Lyon."])], { rubric: capital }), {
      tracer,
    });
    await expect(collect(exhausted.stream({ prompt: "?" }))).rejects.toSatisfy((e) =>
      ExhaustedError.isInstance(e),
    );
    expect(openSpans.open.size).toBe(0);
    const root = one(`invoke_workflow ${exhausted.id}`);
    expect(root.status.code).toBe(2);
    expect(root.attributes["rungs.exhaustion.limit"]).toBeDefined();
    expect(discardEvents(one("chat a"))).toHaveLength(1);

    exporter.reset();
    const controller = new AbortController();
    const hanging = withOtel(escalateAcross([scriptedModel("h", [{ chunks: ["Par", hang] }])]), { tracer });
    const reading = collect(hanging.stream({ prompt: "?" }, { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error("user cancelled")), 5);
    await expect(reading).rejects.toThrow("user cancelled");
    expect(openSpans.open.size).toBe(0);
    expect(one(`invoke_workflow ${hanging.id}`).status).toMatchObject({ code: 2, message: "user cancelled" });
    expect(one("chat h").attributes["gen_ai.response.time_to_first_chunk"]).toBeGreaterThanOrEqual(0);
  });

  it("a discard, sent before or after its attempt-end, is an event on the attempt's span", async () => {
    // A hand-made engine that reports its two failed attempts' discards in both orders.
    const engine = defineModel("engine", async () => ({ text: "ok" }), {
      async *stream(_request, { events }) {
        for (const [index, discardFirst] of [
          [1, true],
          [2, false],
        ] as const) {
          const path = `engine/attempt[${index}]`;
          const base = { index, rung: 0, modelId: "m", path: "engine", startedAt: 0 };
          emit(events, "attempt-start", {
            path,
            timestamp: 0,
            attempt: { ...base, promptChars: 1, feedbackChars: 0 },
          });
          const discard = () =>
            emit(events, "attempt-discard", {
              path,
              timestamp: 1,
              attempt: { index, rung: 0, modelId: "m" },
              kind: "rejected",
              reason: `reason ${index}`,
              chars: 0,
              early: false,
            });
          if (discardFirst) discard();
          emit(events, "attempt-end", {
            path,
            timestamp: 1,
            attempt: {
              ...base,
              accepted: false,
              kind: "rejected",
              text: "",
              usage: {},
              endedAt: 1,
              feedbackChars: 0,
              promptChars: 1,
            },
          });
          if (!discardFirst) discard();
        }
        yield { type: "text-delta", text: "ok" };
        yield { type: "finish", finishReason: "stop" };
      },
    });
    await collect(withOtel(engine, { tracer }).stream({ prompt: "?" }));
    expect(openSpans.open.size).toBe(0);
    const attempts = named("chat m");
    expect(attempts).toHaveLength(2);
    expect(
      attempts.map((span) => discardEvents(span).map((e) => e.attributes?.["rungs.discard.reason"])),
    ).toEqual([["reason 1"], ["reason 2"]]);
  });

  it("a model without stream streams its generate answer as one chunk, traced", async () => {
    const plain: Model = {
      id: "plain",
      generate: async () => ({ text: "Paris.", finishReason: "stop", usage: {}, modelId: "plain" }),
    };
    const parts = await collect(withOtel(plain, { tracer }).stream({ prompt: "?" }));
    expect(parts.map((p) => p.type)).toEqual(["text-delta", "finish"]);
    const root = one("invoke_workflow plain");
    expect(root.attributes["gen_ai.request.stream"]).toBe(true);
    expect(root.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
  });

  it("the run's span is active while the model streams", async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const active: (string | undefined)[] = [];
      const leaf = defineModel("leaf", async () => ({ text: "ok" }), {
        async *stream() {
          active.push(trace.getActiveSpan()?.spanContext().spanId);
          yield { type: "text-delta", text: "o" };
          active.push(trace.getActiveSpan()?.spanContext().spanId);
          yield { type: "text-delta", text: "k" };
          yield { type: "finish", finishReason: "stop" };
        },
      });
      await collect(withOtel(leaf, { tracer }).stream({ prompt: "x" }));
      const root = one("invoke_workflow leaf");
      expect(active).toEqual([root.spanContext().spanId, root.spanContext().spanId]);
    } finally {
      context.disable();
    }
  });
});

describe("withOtel: tracing never breaks the run", () => {
  const ladder = () =>
    escalateAcross(
      [
        scriptedModel("a", ["no"], { whenDone: "repeat-last" }),
        scriptedModel("b", ["DONE"], { whenDone: "repeat-last" }),
      ],
      { rubric },
    );

  it("a tracer that throws: the run answers untraced, and one RUNGS_OTEL_ERROR warning says why", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      const broken = {
        startSpan: () => {
          throw new Error("exporter misconfigured");
        },
      } as unknown as typeof tracer;
      const model = withOtel(ladder(), { tracer: broken });
      expect((await model.generate({ prompt: "go" })).text).toBe("DONE");
      expect((await model.generate({ prompt: "again" })).text).toBe("DONE");
      const otelWarnings = warn.mock.calls.filter((call) =>
        JSON.stringify(call).includes("RUNGS_OTEL_ERROR"),
      );
      expect(otelWarnings).toHaveLength(1);
      expect(String(otelWarnings[0]?.[0])).toContain("exporter misconfigured");
    } finally {
      warn.mockRestore();
    }
  });

  it("a span processor that throws on end: the answer comes back and every other span still ends", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const hostile = new OpenSpans();
    const throwing: SpanProcessor = {
      onStart: () => {},
      onEnd: (span) => {
        if (span.name === "rungs escalate") throw new Error("processor down");
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const hostileProvider = new BasicTracerProvider({ spanProcessors: [hostile, throwing] });
    try {
      const model = withOtel(ladder(), { tracer: hostileProvider.getTracer("t") });
      expect((await model.generate({ prompt: "go" })).text).toBe("DONE");
      // The escalate span's end threw inside the SDK after it was marked ended; nothing stays open.
      expect(hostile.open.size).toBe(0);
      expect(JSON.stringify(warn.mock.calls)).toContain("processor down");
    } finally {
      warn.mockRestore();
      await hostileProvider.shutdown();
    }
  });

  it("concurrent runs of one traced model make separate trees", async () => {
    const model = withOtel(ladder(), { tracer });
    await Promise.all([model.generate({ prompt: "one" }), model.generate({ prompt: "two" })]);
    const roots = named(`invoke_workflow ${model.id}`);
    expect(roots).toHaveLength(2);
    expect(new Set(roots.map((r) => r.spanContext().traceId)).size).toBe(2);
    for (const root of roots) {
      const engine = spans().find((s) => s.name === "rungs escalate" && parentOf(s) === root);
      expect(engine).toBeDefined();
      expect(
        spans()
          .filter((s) => parentOf(s) === engine)
          .map((s) => s.name),
      ).toEqual(["chat a", "chat b"]);
    }
    expect(openSpans.open.size).toBe(0);
  });
});

describe("withOtel options", () => {
  it("refuses what is not a model, a tracer or a sane bound, in its own words", () => {
    expect(() => withOtel({} as never)).toThrow(InvalidArgumentError);
    const model = scriptedModel("m", ["x"]);
    expect(() => withOtel(model, { tracer: {} as never })).toThrow(
      /option "tracer" must be an OpenTelemetry Tracer/,
    );
    expect(() => withOtel(model, { maxContentChars: 0 })).toThrow(
      /option "maxContentChars" must be at least 1/,
    );
    expect(() => withOtel(model, { captureContent: "yes" as never })).toThrow(/option "captureContent"/);
    expect(() => withOtel(model, { capture: true } as never)).toThrow(InvalidArgumentError);
  });

  it("keeps the model's value type: a structured rubric's value stays typed and parsed", async () => {
    const Answer = z.object({ city: z.string() });
    const typed = defineRubric({ id: "typed", rules: [structured("shape", Answer)] });
    const model = withOtel(
      retryWithContext(scriptedModel("m", ['```json\n{"city": "Paris"}\n```']), { rubric: typed }),
      {
        tracer,
      },
    );
    expectTypeOf(model).toEqualTypeOf<StreamingModel<{ city: string }>>();
    const generation = await model.generate({ prompt: "Capital of France, as JSON?" });
    expectTypeOf(generation).toEqualTypeOf<Generation<{ city: string }>>();
    expect(generation.value).toEqual({ city: "Paris" });
    expect(one("invoke_workflow retry(m)").attributes["rungs.verdict.accepted"]).toBe(true);
  });

  it("keeps the model's id and capabilities", () => {
    const model = scriptedModel("m", ["x"], { capabilities: { contextWindowTokens: 8192 } });
    const traced = withOtel(model);
    expect(traced.id).toBe("m");
    expect(traced.capabilities).toEqual({ contextWindowTokens: 8192 });
  });
});
