// What the linear-time bench runs: for every function the public surface discovers (./discover.ts), either
// how to hand it a text of n characters (one or more subjects), or why it takes no text. A test
// (test/reliability/linear-subjects.test.ts) fails when discovery finds a function this table does not name.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { runCli } from "../../src/cli/program.js";
import {
  expandLadder,
  ladderFromConfig,
  loadLadder,
  loadLadderConfig,
  parseLadderConfig,
  splitRef,
} from "../../src/config/index.js";
import { BlockedTaskError } from "../../src/errors/blocked-task-error.js";
import { CallerCodeError } from "../../src/errors/caller-code-error.js";
import { failureKindOf } from "../../src/errors/classify.js";
import { ExhaustedError } from "../../src/errors/exhausted-error.js";
import { InvalidArgumentError } from "../../src/errors/invalid-argument-error.js";
import { ProviderError } from "../../src/errors/provider-error.js";
import { RungsError } from "../../src/errors/rungs-error.js";
import { StatsStoreError } from "../../src/errors/stats-store-error.js";
import { emit, RungsEvents } from "../../src/events.js";
import {
  CircuitBreakers,
  calibrate,
  consoleReporter,
  continueUntilComplete,
  defineModel,
  defineRubric,
  escalateAcross,
  fromFunction,
  json,
  jsonFileStatsStore,
  jsPattern,
  judgeRule,
  length,
  matches,
  memoryStatsStore,
  messageText,
  nonEmpty,
  notMatches,
  predicate,
  recordRun,
  renderedChars,
  renderMessages,
  renderPrompt,
  retryWithContext,
  streamModel,
  structured,
  taskDirFromPath,
  treeSplit,
  validToolCalls,
} from "../../src/index.js";
import { withOtel } from "../../src/otel/index.js";
import {
  fromAiSdk,
  generationOf,
  mapAiSdkError,
  messagesFromAiSdk,
  toAiSdk,
} from "../../src/providers/ai-sdk.js";
import { ollamaHostFromEnv, ollamaModel } from "../../src/providers/ollama/index.js";
import { redactText, redactValue } from "../../src/redact.js";
import { followInstructions, ifevalRubric } from "../../src/rubric/ifeval/index.js";
import { parseJudgeReply } from "../../src/rubric/judge.js";
import {
  canonicalJson,
  readCassette,
  recordingModel,
  replayModel,
  requestKey,
  StoreContractError,
  scriptedModel,
} from "../../src/testing/index.js";
import type { Attempt } from "../../src/trace.js";
import { describeVerdict, rungsMatchers } from "../../src/vitest/matchers.js";
import { ifevalSubjects } from "./ifeval-subjects.js";

/** One subject: what it does with a text of `n` characters (sync or async). */
export interface Subject {
  name: string;
  run(text: string): unknown;
}

/** Subjects for an export, or the reason it takes no text from outside. */
export type Coverage = Subject[] | { noText: string };

const scratch = mkdtempSync(join(tmpdir(), "rungs-linear-"));
let fileCount = 0;
/** A fresh file path in the bench's scratch folder (stores cache one instance per path). */
const freshFile = (name: string) => {
  fileCount += 1;
  return join(scratch, `${fileCount}-${name}`);
};

/** Many distinct names from a text: 24-char pieces, each made unique by its index. */
export const keysOf = (text: string, width = 24): string[] => {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(`${text.slice(i, i + width)}#${out.length}`);
  return out;
};
/** Names safe where an id must be a word (`[A-Za-z0-9_-]`), as many as {@link keysOf} gives. */
const wordsOf = (text: string): string[] =>
  keysOf(text).map((key, i) => `${key.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 12)}k${i}`);

const ask = { messages: [{ role: "user" as const, content: "q" }] };
const swallow = async (work: () => unknown): Promise<void> => {
  try {
    await work();
  } catch {}
};
const rejectMarked = defineRubric({
  id: "bench-linear",
  rules: [predicate("not-marked", (text: string) => !text.startsWith("!"))],
});
const evaluate = (rule: Parameters<typeof defineRubric>[0]["rules"][number]) => {
  const rubric = defineRubric({ id: "r", rules: [rule] });
  return (text: string) => rubric.evaluate(text);
};
/** A rule's judgement of a streamed prefix (`checkPrefix`): it runs on every checked prefix of a stream. */
const prefixOf = (rule: Parameters<typeof defineRubric>[0]["rules"][number]) => {
  const checkPrefix = rule.checkPrefix;
  if (checkPrefix === undefined) throw new Error(`rule ${rule.id} does not judge prefixes`);
  return (text: string) => checkPrefix.call(rule, text, {});
};
const attemptOf = (text: string, overrides: Partial<Attempt> = {}): Attempt =>
  ({
    index: 1,
    rung: 0,
    modelId: "m",
    path: "escalate/attempt[1]",
    accepted: false,
    kind: "rejected",
    text,
    finishReason: "stop",
    usage: { inputTokens: 1, outputTokens: 1 },
    startedAt: 0,
    endedAt: 1,
    feedbackChars: 0,
    promptChars: 1,
    error: { name: "ProviderError", message: text },
    verdict: {
      accepted: false,
      score: 0,
      threshold: 1,
      violations: [{ ruleId: "r", message: text }],
      results: [],
    },
    ...overrides,
  }) as unknown as Attempt;

// A loopback HTTP server answering Ollama's /api/chat with the current text, streamed in one line (or in
// lines of `serverChunkChars` chars when set, as a model streams token by token).
let serverText = "";
let serverChunkChars: number | undefined;
let server: Promise<{ server: Server; url: string }> | undefined;
export const ollamaServer = () => {
  server ??= new Promise((resolve) => {
    const s = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        const message = (content: string, done: boolean) =>
          `${JSON.stringify({ model: "m", message: { role: "assistant", content }, done, ...(done ? { done_reason: "stop", prompt_eval_count: 1, eval_count: 1 } : {}) })}\n`;
        const pieces: string[] = [];
        const size = serverChunkChars ?? Math.max(1, serverText.length);
        for (let at = 0; at < serverText.length; at += size) pieces.push(serverText.slice(at, at + size));
        res.end(`${pieces.map((piece) => message(piece, false)).join("")}${message("", true)}`);
      });
    });
    s.listen(0, "127.0.0.1", () =>
      resolve({ server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` }),
    );
  });
  return server;
};
const ollamaAt = async (text: string, chunkChars?: number) => {
  serverText = text;
  serverChunkChars = chunkChars;
  const { url } = await ollamaServer();
  return ollamaModel({ model: "m", host: url, maxLineChars: 10_000_000, maxAnswerChars: 10_000_000 });
};

/** An AI SDK (specification v2) language model answering with `text`. */
const aiSdkModel = (text: string) => ({
  specificationVersion: "v2" as const,
  provider: "bench",
  modelId: "m",
  supportedUrls: {},
  doGenerate: async () => ({
    content: [{ type: "text" as const, text }],
    finishReason: "stop" as const,
    usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    warnings: [],
  }),
  // The answer in 4-char text-delta parts, between reasoning parts it must pass over: many small parts, as a
  // hostile provider would send them.
  doStream: async () => {
    let at = 0;
    return {
      stream: new ReadableStream({
        pull(controller) {
          if (at >= text.length) {
            controller.enqueue({
              type: "finish",
              finishReason: "stop",
              usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
            });
            controller.close();
            return;
          }
          controller.enqueue({ type: "reasoning-delta", id: "r", delta: "." });
          controller.enqueue({ type: "text-delta", id: "t", delta: text.slice(at, at + 4) });
          at += 4;
        },
      }),
    };
  },
});

const cliIo = (cwd: string) => ({
  stdout: { write: () => {} },
  stderr: { write: () => {} },
  env: {},
  cwd,
});
/** A folder with a stats file holding many task ids, classes and model ids made from `text`. */
const storeDir = (text: string): string => {
  const dir = freshFile("store");
  mkdirSync(dir);
  const keys = keysOf(text);
  const stats: Record<string, Record<string, { accepted: number; failed: number }>> = {};
  const blocked: Record<string, number> = {};
  for (const [i, key] of keys.entries()) {
    stats[key] = { [`m${i % 7}`]: { accepted: i, failed: 1 } };
    blocked[key] = i;
  }
  writeFileSync(join(dir, "stats.json"), JSON.stringify({ version: 1, stats, blocked, tasks: {} }));
  return dir;
};
const providers = {
  ollama: (model: string) => scriptedModel(model, ["ok"], { whenDone: "repeat-last" }),
};
/** A YAML escalation map: a chain of as many models as the text has 24-char pieces. */
const escalationYaml = (text: string): string => {
  const names = wordsOf(text);
  return [
    "models:",
    ...names.map((name) => `  ${name}: ollama:${name}`),
    `start: ${names[0] ?? "a"}`,
    "escalation:",
    ...names.slice(1).map((name, i) => `  ${names[i]}: ${name}`),
  ].join("\n");
};
const ladderYaml = (text: string): string =>
  ["ladder:", ...wordsOf(text).map((name) => `  - ollama:${name}`)].join("\n");

const treeSplitOf = (text: string) =>
  treeSplit(scriptedModel("t", ["note"], { whenDone: "repeat-last" }), {
    promptLimit: { chars: 200_000 },
    concurrency: 8,
  }).generate({ ...ask, context: [text] });

const cassetteOf = async (text: string): Promise<string> => {
  const file = freshFile("cassette.jsonl");
  await recordingModel(scriptedModel("m", [text]), file).generate({ prompt: text.slice(0, 1000) });
  return file;
};

const errorClass = (make: (text: string) => Error): Subject[] => [
  { name: "construct and read the message", run: (text) => make(text).message.length },
];

/** Every discovered function, by its key (see discoverExports, discoverCommands). */
export const coverage: Record<string, Coverage> = {
  // rungs: errors whose constructor takes text
  "rungs:BlockedTaskError": errorClass((text) => new BlockedTaskError(text, 1)),
  "rungs:BudgetExhaustedError": { noText: "made by Budget from counts and a limit name" },
  "rungs:CallerCodeError": errorClass(
    (text) => new CallerCodeError({ origin: "rule", ruleId: text, cause: new Error(text) }),
  ),
  "rungs:ExhaustedError": errorClass(
    (text) =>
      new ExhaustedError({
        attempts: keysOf(text, 200).map((piece) => attemptOf(piece)),
        limit: "maxAttempts",
      } as unknown as ConstructorParameters<typeof ExhaustedError>[0]),
  ),
  "rungs:ExhaustedError#lastAttempt": { noText: "returns an attempt already made" },
  "rungs:InvalidArgumentError": errorClass(
    (text) => new InvalidArgumentError({ parameter: "p", value: text, message: text }),
  ),
  "rungs:JudgeReplyError": [
    {
      name: "parseJudgeReply (throws it)",
      run: (text) => swallow(() => parseJudgeReply(text)),
    },
  ],
  "rungs:NoProgressError": { noText: "made by continueUntilComplete from counts (its subject below)" },
  "rungs:ProviderError": errorClass(
    (text) => new ProviderError(text, { kind: "server-error", providerId: "m", status: 500, body: text }),
  ),
  "rungs:ProviderError#isRetryable": { noText: "reads the error's kind" },
  "rungs:RegexTimeoutError": { noText: "made by the regex engine from a pattern's display and a timeout" },
  "rungs:RungsError": errorClass((text) => new RungsError(text)),
  "rungs:RungsError.isInstance": { noText: "checks an object's class marker" },
  "rungs:StatsStoreError": errorClass((text) => new StatsStoreError(text, new Error(text))),
  // rungs: counters, clocks and breakers
  "rungs:Budget": { noText: "counts attempts, tokens and time" },
  "rungs:Budget#callsUsed": { noText: "a count" },
  "rungs:Budget#outputTokensUsed": { noText: "a count" },
  "rungs:Budget#remainingMs": { noText: "a duration" },
  "rungs:Budget#exceeded": { noText: "compares counts" },
  "rungs:Budget#drawCall": { noText: "a count" },
  "rungs:Budget#recordUsage": { noText: "token counts" },
  "rungs:Budget#error": { noText: "an error from counts" },
  "rungs:Budget#runWithinDeadline": { noText: "runs a function against a deadline" },
  "rungs:CircuitBreaker": { noText: "counts failures of one model" },
  "rungs:CircuitBreaker#state": { noText: "a state name" },
  "rungs:CircuitBreaker#retryAt": { noText: "a time" },
  "rungs:CircuitBreaker#tryAcquire": { noText: "a permit" },
  "rungs:CircuitBreaker#reset": { noText: "clears counts" },
  "rungs:CircuitBreaker#toJSON": { noText: "plain data of counts" },
  "rungs:CircuitBreakers": [
    {
      name: "initialState with many model ids",
      run: (text) => {
        const state = Object.fromEntries(
          keysOf(text).map((id) => [id, { state: "closed", consecutiveFailures: 1, openedAt: 0 }]),
        );
        return new CircuitBreakers({ initialState: state } as never).toJSON();
      },
    },
  ],
  "rungs:CircuitBreakers#get": [{ name: "a long model id", run: (text) => new CircuitBreakers().get(text) }],
  "rungs:CircuitBreakers#admit": [
    {
      name: "many model ids",
      run: async (text) => {
        const breakers = new CircuitBreakers();
        for (const id of keysOf(text)) await breakers.admit(id);
      },
    },
  ],
  "rungs:CircuitBreakers#reset": { noText: "clears one model's counts" },
  "rungs:CircuitBreakers#toJSON": [
    {
      name: "many model ids",
      run: (text) => {
        const breakers = new CircuitBreakers();
        for (const id of keysOf(text)) breakers.get(id);
        return breakers.toJSON();
      },
    },
  ],
  "rungs:CircuitBreakers.isInstance": { noText: "checks an object's class marker" },
  "rungs:RetryQuota": { noText: "a token bucket of counts" },
  "rungs:RetryQuota#available": { noText: "a count" },
  "rungs:RetryQuota#tryDebit": { noText: "a count" },
  "rungs:RetryQuota#refund": { noText: "a count" },
  "rungs:RungsEvents": { noText: "an emitter of a fixed set of event names" },
  "rungs:RungsEvents#on": { noText: "adds a listener" },
  "rungs:RungsEvents#addListener": { noText: "adds a listener" },
  "rungs:RungsEvents#once": { noText: "adds a listener" },
  "rungs:RungsEvents#off": { noText: "removes a listener" },
  "rungs:RungsEvents#removeListener": { noText: "removes a listener" },
  "rungs:RungsEvents#subscribe": { noText: "adds a listener" },
  "rungs:costAwareRouting": { noText: "a routing policy from prices and counts" },
  "rungs:isBreakerRegistry": { noText: "checks an object's methods" },
  "rungs:failureKindOf": [
    { name: "an error's message", run: (text) => failureKindOf(new Error(text)) },
    {
      name: "a server's error body",
      run: (text) => failureKindOf({ status: 400, message: text, responseBody: text }),
    },
  ],
  "rungs:partialTextOf": { noText: "reads a field a provider set" },
  "rungs:transportRetriesOf": { noText: "reads a field a provider set" },
  // rungs: models, rubrics and primitives
  "rungs:calibrate": [
    {
      name: "samples",
      run: (text) =>
        calibrate(defineRubric({ id: "c", rules: [nonEmpty()] }), { accept: [text], reject: [`${text}!`] }),
    },
  ],
  "rungs:consoleReporter": [
    {
      name: "an attempt's text, error and rules (verbose)",
      run: (text) => {
        const events = new RungsEvents();
        let chars = 0;
        const stop = consoleReporter(events, {
          level: "verbose",
          write: (line) => {
            chars += line.length;
          },
        });
        const attempt = attemptOf(text, { path: text.slice(0, 2000) });
        emit(events, "attempt-start", { path: attempt.path, timestamp: 0, attempt });
        emit(events, "attempt-end", { path: attempt.path, timestamp: 1, attempt });
        stop();
        return chars;
      },
    },
    {
      name: "a long answer streamed through a ladder (verbose: no line per delta)",
      run: async (text) => {
        const events = new RungsEvents();
        let chars = 0;
        const stop = consoleReporter(events, {
          level: "verbose",
          write: (line) => {
            chars += line.length;
          },
        });
        const ladder = escalateAcross([scriptedModel("s", [`x${text}`], { streamChunkChars: 16 })]);
        for await (const _part of ladder.stream(ask, { events })) {
          // drained: the reporter hears every delta's event
        }
        stop();
        return chars;
      },
    },
  ],
  "rungs:defineModel": [
    {
      name: "generate's text",
      run: (text) => defineModel("d", async () => ({ text })).generate(ask),
    },
  ],
  "rungs:defineRubric": [
    {
      name: "one rule per 24 chars",
      run: (text) =>
        defineRubric({
          id: "many",
          rules: keysOf(text).map((id) => predicate(id, () => true)),
        }).evaluate("x"),
    },
  ],
  "rungs:fromFunction": [
    { name: "the function's answer", run: (text) => fromFunction("f", async () => text).generate(ask) },
  ],
  "rungs:jsPattern": [
    { name: "matches (a+)+$ with the JS engine", run: evaluate(matches("m", jsPattern(/(a+)+$/))) },
  ],
  "rungs:json": [
    { name: "rule json", run: evaluate(json("j", z.unknown())) },
    { name: "rule json, a prefix", run: prefixOf(json("j", z.unknown())) },
  ],
  "rungs:judgeRule": [
    {
      name: "the judge's reply",
      run: (text) =>
        swallow(() =>
          defineRubric({
            id: "j",
            rules: [judgeRule("judge", scriptedModel("judge", [text]), { criteria: "good" })],
          }).evaluate("answer"),
        ),
    },
  ],
  "rungs:length": [
    { name: "rule length (words)", run: evaluate(length("w", { min: 1, unit: "words" })) },
    { name: "rule length (lines)", run: evaluate(length("l", { min: 1, unit: "lines" })) },
    { name: "rule length (chars)", run: evaluate(length("c", { max: 10 })) },
    { name: "rule length (words), a prefix", run: prefixOf(length("w", { max: 1e9, unit: "words" })) },
    { name: "rule length (lines), a prefix", run: prefixOf(length("l", { max: 1e9, unit: "lines" })) },
  ],
  "rungs:matches": [{ name: "rule matches (re2) (a+)+$", run: evaluate(matches("m", "(a+)+$")) }],
  "rungs:notMatches": [
    { name: "rule notMatches (re2) x+y", run: evaluate(notMatches("n", "x+y")) },
    { name: "rule notMatches (re2) x+y, a prefix", run: prefixOf(notMatches("n", "x+y")) },
    { name: "rule notMatches (re2) \\bx+y$, a prefix", run: prefixOf(notMatches("n", /\bx+y$/m)) },
  ],
  "rungs:nonEmpty": [{ name: "rule nonEmpty", run: evaluate(nonEmpty()) }],
  "rungs:predicate": [
    { name: "rule predicate", run: evaluate(predicate("p", (text: string) => text.length > 0)) },
  ],
  "rungs:structured": [
    {
      name: "JSON candidates for a schema",
      run: evaluate(structured("s", z.object({ answer: z.string() }))),
    },
    {
      name: "the whole answer as JSON, a prefix",
      run: prefixOf(structured("s", z.unknown(), { allowProse: false, allowCodeFence: false })),
    },
  ],
  "rungs:validToolCalls": [
    {
      name: "a call whose input holds the text, against a JSON Schema",
      run: (text) =>
        defineRubric({ id: "r", rules: [validToolCalls()] }).evaluate("", {
          request: {
            messages: [{ role: "user", content: text }],
            tools: [
              {
                name: "t",
                inputSchema: { type: "object", properties: { q: { type: "string", pattern: "^[a-z]*$" } } },
              },
            ],
          },
          toolCalls: [{ id: "c", name: text.slice(0, 64), input: { q: text } }],
        }),
    },
  ],
  "rungs:jsonFileStatsStore": [
    {
      name: "load a file of many task ids",
      run: (text) => jsonFileStatsStore(join(storeDir(text), "stats.json")).stats("c", "m"),
    },
  ],
  "rungs:memoryStatsStore": [
    {
      name: "a snapshot of many keys",
      run: (text) => {
        const keys = keysOf(text);
        return memoryStatsStore({
          version: 1,
          stats: Object.fromEntries(keys.map((key) => [key, { m: { accepted: 1, failed: 0 } }])),
          blocked: Object.fromEntries(keys.map((key, i) => [key, i])),
        }).toJSON();
      },
    },
  ],
  "rungs:recordRun": [
    {
      name: "an attempt's start and end",
      run: async (text) => {
        const events = new RungsEvents();
        const recorder = recordRun(events, freshFile("run"));
        const attempt = attemptOf(text);
        emit(events, "attempt-start", { path: attempt.path, timestamp: 0, attempt });
        emit(events, "attempt-end", { path: attempt.path, timestamp: 1, attempt });
        await recorder.close();
      },
    },
    {
      name: "a long answer streamed through a ladder, its deltas heard",
      run: async (text) => {
        const events = new RungsEvents();
        const recorder = recordRun(events, freshFile("run-streamed"));
        const ladder = escalateAcross([scriptedModel("s", [`x${text}`], { streamChunkChars: 16 })]);
        for await (const _part of ladder.stream(ask, { events })) {
          // drained: the recorder hears every delta's event
        }
        await recorder.close();
      },
    },
  ],
  "rungs:taskDirFromPath": [{ name: "a path", run: (text) => taskDirFromPath(text) }],
  "rungs:renderMessages": [
    {
      name: "prompt, context and feedback",
      run: (text) =>
        renderMessages({
          messages: [{ role: "user", content: text }],
          context: [text],
          feedback: [{ attempts: [1], modelId: "m", kind: "rejected", message: text, excerpt: text }],
        }),
    },
  ],
  "rungs:renderPrompt": [
    {
      name: "prompt, context and feedback",
      run: (text) =>
        renderPrompt({
          messages: [{ role: "user", content: text }],
          context: [text],
          feedback: [{ attempts: [1], modelId: "m", kind: "rejected", message: text, excerpt: text }],
        }),
    },
  ],
  "rungs:messageText": [
    {
      name: "text parts, tool calls and a tool result",
      run: (text) => [
        messageText({
          role: "user",
          content: [
            { type: "text", text },
            { type: "image", url: "https://x.test/a.png" },
          ],
        }),
        messageText({
          role: "assistant",
          content: text,
          toolCalls: [{ id: "c1", name: "t", input: { text } }],
        }),
        messageText({
          role: "tool",
          content: [{ type: "tool-result", toolCallId: "c1", toolName: "t", output: text }],
        }),
      ],
    },
  ],
  "rungs:renderedChars": [
    {
      name: "prompt and context",
      run: (text) => renderedChars({ messages: [{ role: "user", content: text }], context: [text] }),
    },
  ],
  "rungs:retryWithContext": [
    {
      name: "feedback from a rejected answer",
      run: (text) =>
        retryWithContext(scriptedModel("m", [`!${text}`, "ok"]), { rubric: rejectMarked }).generate(ask),
    },
  ],
  "rungs:streamModel": [
    {
      name: "a long answer streamed through a ladder, its prefixes judged",
      run: async (text) => {
        const rubric = defineRubric({
          id: "no-nul",
          rules: [
            {
              id: "no-nul",
              check: (t: string) => !t.includes("\0"),
              checkPrefix: (p: string) => !p.includes("\0"),
            },
          ],
        });
        const ladder = escalateAcross([scriptedModel("s", [text], { streamChunkChars: 16 })], { rubric });
        for await (const _part of streamModel(ladder, ask)) {
          // drained: the work measured is the stream's
        }
      },
    },
  ],
  "rungs:escalateAcross": [
    {
      name: "feedback from a rejected answer",
      run: (text) =>
        escalateAcross([{ model: scriptedModel("a", [`!${text}`]) }, { model: scriptedModel("b", ["ok"]) }], {
          rubric: rejectMarked,
        }).generate(ask),
    },
  ],
  "rungs:continueUntilComplete": [
    {
      name: "the seam of a cut-off answer",
      run: (text) => {
        const half = text.length >> 1;
        return continueUntilComplete(
          scriptedModel(
            "c",
            [{ text: text.slice(0, half), finishReason: "length" }, text.slice(Math.max(0, half - 500))],
            { whenDone: "repeat-last" },
          ),
          { maxTotalChars: 3_000_000 },
        ).generate(ask);
      },
    },
    {
      name: "the seam of a cut-off answer, streamed in 16-char deltas",
      run: async (text) => {
        const half = text.length >> 1;
        const model = continueUntilComplete(
          scriptedModel(
            "c",
            [{ text: text.slice(0, half), finishReason: "length" }, text.slice(Math.max(0, half - 500))],
            { whenDone: "repeat-last", streamChunkChars: 16 },
          ),
          { maxTotalChars: 3_000_000 },
        );
        for await (const _part of model.stream(ask)) {
          // drained: the work measured is the stitched stream's
        }
      },
    },
  ],
  "rungs:treeSplit": [{ name: "split and render", run: treeSplitOf }],
  // rungs/testing
  "rungs/testing:ReplayMissError": [
    {
      name: "a replay of an unknown request",
      run: async (text) => {
        const model = replayModel(await cassetteOf("x"), { modelId: "m" } as never);
        await swallow(() => model.generate({ prompt: text }));
      },
    },
  ],
  "rungs/testing:canonicalJson": [
    {
      name: "an object of many keys",
      run: (text) => canonicalJson(Object.fromEntries(keysOf(text).map((key) => [key, key]))),
    },
  ],
  "rungs/testing:StoreContractError": errorClass((text) => new StoreContractError(text, text, { text })),
  "rungs/testing:learnedStatsStoreContract": { noText: "checks over fixed keys of the store it is given" },
  "rungs/testing:manualClock": { noText: "a time source" },
  "rungs/testing:readCassette": [
    { name: "a cassette", run: async (text) => readCassette(await cassetteOf(text)) },
  ],
  "rungs/testing:recordingModel": [{ name: "records an answer", run: (text) => cassetteOf(text) }],
  "rungs/testing:replayModel": [
    {
      name: "replays an answer",
      run: async (text) => replayModel(await cassetteOf(text)).generate({ prompt: text.slice(0, 1000) }),
    },
  ],
  "rungs/testing:requestKey": [{ name: "a request", run: (text) => requestKey({ prompt: text } as never) }],
  "rungs/testing:statsStoreContract": { noText: "checks over fixed keys of the store it is given" },
  "rungs/testing:taskStateStoreContract": { noText: "checks over fixed keys of the store it is given" },
  "rungs/testing:scriptedModel": [
    { name: "its answer", run: (text) => scriptedModel("s", [text]).generate(ask) },
  ],
  // rungs/ifeval
  "rungs/ifeval:followInstructions": [
    ...ifevalSubjects.map(({ id, kwargs }) => ({
      name: `${id} (loose)`,
      run: (text: string) =>
        followInstructions({ prompt: "Write an email", instruction_id_list: [id], kwargs: [kwargs] }, text, {
          mode: "loose",
        }),
    })),
    {
      name: "all 25 (strict)",
      run: (text) =>
        followInstructions(
          {
            prompt: "Write an email",
            instruction_id_list: ifevalSubjects.map((s) => s.id),
            kwargs: ifevalSubjects.map((s) => s.kwargs),
          },
          text,
        ),
    },
  ],
  "rungs/ifeval:ifevalRubric": [
    {
      name: "every instruction that judges prefixes, on a prefix (strict)",
      run: (text) => {
        const record = {
          prompt: "Write an email",
          instruction_id_list: [
            ...ifevalSubjects.map((s) => s.id),
            "keywords:frequency",
            "keywords:letter_frequency",
            "length_constraints:number_words",
          ],
          kwargs: [
            ...ifevalSubjects.map((s) => s.kwargs),
            { relation: "less than", keyword: "story", frequency: 1e9 },
            { let_relation: "less than", letter: "a", let_frequency: 1e9 },
            { relation: "less than", num_words: 1e9 },
          ],
        };
        return ifevalRubric(record).evaluatePrefix?.(text);
      },
    },
    {
      name: "as a rubric",
      run: (text) =>
        ifevalRubric({
          prompt: "Write",
          instruction_id_list: ["punctuation:no_comma"],
          kwargs: [{}],
        }).evaluate(text),
    },
  ],
  // rungs/ollama: a real HTTP server on loopback, one NDJSON line holding the whole answer
  "rungs/ollama:OllamaModel": [
    { name: "a streamed answer over HTTP", run: async (text) => (await ollamaAt(text)).generate(ask) },
    {
      name: "model.stream over HTTP, 16-char NDJSON chunks",
      run: async (text) => {
        for await (const _part of (await ollamaAt(text, 16)).stream(ask)) {
          // read to the end
        }
      },
    },
  ],
  "rungs/ollama:OllamaModel#toJSON": { noText: "the model's settings" },
  "rungs/ollama:ollamaModel": { noText: "makes an OllamaModel (its subject above)" },
  "rungs/ollama:ollamaHostFromEnv": [
    { name: "OLLAMA_HOST", run: (text) => ollamaHostFromEnv({ OLLAMA_HOST: text }) },
  ],
  // rungs/ai-sdk
  "rungs/ai-sdk:AiSdkModel": [
    {
      name: "a generated answer",
      run: (text) => fromAiSdk(aiSdkModel(text) as never).generate(ask),
    },
    {
      name: "a streamed answer (doStream), 4 chars a part",
      run: async (text) => {
        for await (const _part of fromAiSdk(aiSdkModel(text) as never).stream(ask)) {
          // drained: the work measured is the stream's
        }
      },
    },
  ],
  "rungs/ai-sdk:AiSdkModel#toJSON": { noText: "the model's id" },
  "rungs/ai-sdk:fromAiSdk": { noText: "makes an AiSdkModel (its subject above)" },
  "rungs/ai-sdk:messagesFromAiSdk": [
    {
      name: "an AI SDK prompt's text parts",
      run: (text) =>
        messagesFromAiSdk([
          { role: "system", content: text },
          { role: "user", content: [{ type: "text", text }] },
        ] as never),
    },
  ],
  "rungs/ai-sdk:generationOf": [
    {
      name: "a generateText result",
      run: (text) =>
        generationOf({
          content: [{ type: "text", text }],
          finishReason: "stop",
          usage: { inputTokens: 1, outputTokens: 1 },
          response: { modelId: "m" },
        } as never),
    },
  ],
  "rungs/ai-sdk:mapAiSdkError": [
    {
      name: "an API error's body",
      run: (text) =>
        mapAiSdkError(
          Object.assign(new Error(text), { name: "AI_APICallError", statusCode: 400, responseBody: text }),
          "m",
        ),
    },
  ],
  "rungs/ai-sdk:toAiSdk": [
    {
      name: "doGenerate on a long prompt, the answer echoed",
      run: (text) =>
        toAiSdk(
          defineModel("echo", async (request) => ({
            text: JSON.stringify(request.messages).slice(0, text.length),
          })),
          { specificationVersion: "v3" },
        ).doGenerate({ prompt: [{ role: "user", content: [{ type: "text", text }] }] }),
    },
    {
      name: "doStream (live) over a ladder streaming a long answer, 16 chars a delta",
      run: async (text) => {
        const ladder = escalateAcross([scriptedModel("s", [text], { streamChunkChars: 16 })]);
        const { stream } = await toAiSdk(ladder, {
          specificationVersion: "v3",
          streamMode: "live",
        }).doStream({ prompt: [{ role: "user", content: [{ type: "text", text: "q" }] }] });
        for await (const _part of stream) {
          // drained
        }
      },
    },
  ],
  // rungs/vitest
  "rungs/vitest:describeVerdict": [
    {
      name: "many violations",
      run: (text) =>
        describeVerdict({
          accepted: false,
          score: 0,
          threshold: 1,
          violations: keysOf(text, 200).map((message, i) => ({ ruleId: `r${i}`, message })),
          results: [],
        } as never),
    },
  ],
  "rungs/vitest:rungsMatchers.toSatisfyRubric": [
    {
      name: "a rejected text's message",
      run: async (text) =>
        (
          await rungsMatchers.toSatisfyRubric.call(
            { isNot: false } as never,
            text,
            defineRubric({ id: "v", rules: [notMatches("no-a", "a")] }),
          )
        ).message(),
    },
  ],
  "rungs/vitest:rungsMatchers.toBeCalibratedOn": [
    {
      name: "samples",
      run: async (text) =>
        (
          await rungsMatchers.toBeCalibratedOn.call(
            { isNot: false } as never,
            defineRubric({ id: "v", rules: [nonEmpty()] }),
            { accept: [text], reject: [`${text}.`] },
          )
        ).message(),
    },
  ],
  // rungs/config
  "rungs/config:ConfigError": [
    {
      name: "a config with many unknown keys",
      run: (text) =>
        swallow(() =>
          parseLadderConfig(
            Object.fromEntries([["ladder", ["ollama:m"]], ...keysOf(text).map((k) => [k, 1])]),
          ),
        ),
    },
  ],
  "rungs/config:configJsonSchema": { noText: "the schema, made from rungs' own zod schema" },
  "rungs/config:expandLadder": [
    { name: "many rungs", run: (text) => expandLadder(parseLadderConfig(ladderYamlObject(text))) },
  ],
  "rungs/config:ladderFromConfig": [
    {
      name: "an escalation chain of many models",
      run: (text) => swallow(() => ladderFromConfig(escalationObject(text), { providers })),
    },
  ],
  "rungs/config:loadLadder": [
    {
      name: "a YAML file of many rungs",
      run: (text) => {
        const file = freshFile("ladder.yaml");
        writeFileSync(file, ladderYaml(text));
        return swallow(() => loadLadder(file, { providers }));
      },
    },
  ],
  "rungs/config:loadLadderConfig": [
    {
      name: "the text as a YAML file",
      run: (text) => {
        const file = freshFile("config.yaml");
        writeFileSync(file, text);
        return swallow(() => loadLadderConfig(file));
      },
    },
    {
      name: "an escalation map of many models",
      run: (text) => {
        const file = freshFile("escalation.yaml");
        writeFileSync(file, escalationYaml(text));
        return swallow(() => loadLadderConfig(file));
      },
    },
  ],
  "rungs/config:parseLadderConfig": [
    {
      name: "a ladder whose model refs are the text",
      run: (text) => swallow(() => parseLadderConfig({ ladder: keysOf(text) })),
    },
  ],
  "rungs/config:splitRef": [
    { name: "a model reference", run: (text) => swallow(() => splitRef(`ollama:${text}`)) },
  ],
  // rungs/redis: Redis scripts and fields; the bench has no redis-server, the Redis tests cover them
  "rungs/redis:RedisCircuitBreakers": { noText: "breaker counts in Redis (model ids are hashed keys)" },
  "rungs/redis:RedisCircuitBreakers#admit": { noText: "a permit from a Lua script" },
  "rungs/redis:RedisCircuitBreakers#state": { noText: "a state name" },
  "rungs/redis:RedisCircuitBreakers#reset": { noText: "clears one model's counts" },
  "rungs/redis:RedisEvents": { noText: "an emitter of unavailable/restored events" },
  "rungs/redis:RedisRateGate": { noText: "a token bucket in Redis" },
  "rungs/redis:RedisRateGate#take": { noText: "a count" },
  "rungs/redis:RedisRetryQuota": { noText: "a token bucket in Redis" },
  "rungs/redis:RedisRetryQuota#available": { noText: "a count" },
  "rungs/redis:RedisRetryQuota#tryDebit": { noText: "a count" },
  "rungs/redis:RedisRetryQuota#refund": { noText: "a count" },
  "rungs/redis:RedisUnavailableError": { noText: "made from an operation name and the client's error" },
  "rungs/redis:redisCircuitBreakers": { noText: "makes RedisCircuitBreakers" },
  "rungs/redis:redisRateGate": { noText: "makes a RedisRateGate" },
  "rungs/redis:redisRetryQuota": { noText: "makes a RedisRetryQuota" },
  "rungs/redis:redisStatsStore": {
    noText:
      "reads Redis hash fields of counts and one JSON task state per key (bounded by the store's own checks); needs a redis-server, so its hostile reads are in the property suite",
  },
  // rungs/otel
  "rungs/otel:withOtel": [
    {
      name: "captured content on spans",
      run: (text) =>
        withOtel(scriptedModel("o", [text]), { captureContent: true }).generate({ prompt: text }),
    },
    {
      name: "a long answer streamed through a traced ladder (first chunk per attempt, no span per delta)",
      run: async (text) => {
        const ladder = escalateAcross([scriptedModel("s", [`x${text}`], { streamChunkChars: 16 })]);
        for await (const _part of withOtel(ladder, { captureContent: true }).stream(ask)) {
          // drained: the work measured is the traced stream's
        }
      },
    },
  ],
  // the `rungs` command
  "cli:run": [
    {
      name: "a prompt and an answer over HTTP",
      run: async (text) => {
        const dir = freshFile("cli-run");
        mkdirSync(dir);
        const { url } = await ollamaServer();
        serverText = text;
        writeFileSync(join(dir, "ladder.yaml"), `ladder: [ollama:m]\nmaxAttempts: 1\n`);
        return runCli(["run", "-c", "ladder.yaml", "-p", text], {
          ...cliIo(dir),
          env: { OLLAMA_HOST: url },
        });
      },
    },
  ],
  "cli:check": [
    {
      name: "a config of many rungs",
      run: (text) => {
        const dir = freshFile("cli-check");
        mkdirSync(dir);
        writeFileSync(join(dir, "ladder.yaml"), ladderYaml(text));
        return runCli(["check", "-c", "ladder.yaml"], cliIo(dir));
      },
    },
  ],
  "cli:stats": [
    {
      name: "a store of many keys",
      run: (text) => runCli(["stats", "-s", "stats.json"], cliIo(storeDir(text))),
    },
  ],
  "cli:blocked": [
    {
      name: "a store of many blocked tasks",
      run: (text) => runCli(["blocked", "-s", "stats.json"], cliIo(storeDir(text))),
    },
  ],
  "cli:unblock": [
    {
      name: "a store of many blocked tasks",
      run: (text) => runCli(["unblock", keysOf(text)[0] ?? "x", "-s", "stats.json"], cliIo(storeDir(text))),
    },
  ],
  "cli:replay": [
    {
      name: "a record of the text",
      run: async (text) => {
        const events = new RungsEvents();
        const dir = freshFile("replay");
        const recorder = recordRun(events, dir);
        const attempt = attemptOf(text);
        emit(events, "attempt-end", { path: attempt.path, timestamp: 1, attempt });
        await recorder.close();
        return runCli(["replay", dir], cliIo(dir));
      },
    },
  ],
  "cli:view": [
    {
      name: "an HTML page of a record of the text",
      run: async (text) => {
        const events = new RungsEvents();
        const dir = freshFile("view");
        const recorder = recordRun(events, dir);
        const attempt = attemptOf(text);
        emit(events, "attempt-end", { path: attempt.path, timestamp: 1, attempt });
        await recorder.close();
        return runCli(["view", dir], cliIo(dir));
      },
    },
  ],
  // Not exported, but what every record and error message passes through.
  "internal:redact": [
    { name: "redactText", run: (text) => redactText(text) },
    {
      name: "redactValue (a record)",
      run: (text) => redactValue({ attempts: [{ output: text, error: { message: text } }] }),
    },
  ],
};

function ladderYamlObject(text: string): unknown {
  return { ladder: wordsOf(text).map((name) => `ollama:${name}`) };
}
function escalationObject(text: string): unknown {
  const names = wordsOf(text);
  return {
    models: Object.fromEntries(names.map((name) => [name, `ollama:${name}`])),
    start: names[0] ?? "a",
    escalation: Object.fromEntries(names.slice(1).map((name, i) => [names[i], name])),
  };
}

/** Every subject, named `<key> — <subject>`. */
export function allSubjects(): Subject[] {
  return Object.entries(coverage).flatMap(([key, covered]) =>
    Array.isArray(covered) ? covered.map((s) => ({ name: `${key} — ${s.name}`, run: s.run })) : [],
  );
}

/** Closes the loopback server, if one was started. */
export async function closeSubjects(): Promise<void> {
  if (server !== undefined) (await server).server.close();
  server = undefined;
  rmSync(scratch, { recursive: true, force: true });
}
