// Every model the package builds streams. The subjects are found, not listed: each function (or class) of
// every export-map entry whose result, awaited, is a Model (it has `generate`), read with the TypeScript
// checker from the entries tsup builds. Each must be typed to have `stream` (a StreamingModel), and each has
// a recipe below that builds one: its stream must exist, be well-formed (parts in order, one `finish`, last;
// a discard closing an attempt that started), show the text its finish carries, and finish with the
// generation `generate` returns for the same script (clock readings aside). A new Model-returning export
// fails here until it has a recipe.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MockLanguageModelV3 } from "ai/test";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportEntries } from "../bench/linear/discover.js";
import { ladderFromConfig, loadLadder } from "../src/config/index.js";
import {
  continueUntilComplete,
  defineModel,
  defineRubric,
  escalateAcross,
  fromFunction,
  type GenerateRequest,
  type Model,
  notMatches,
  retryWithContext,
  type StreamPart,
  treeSplit,
} from "../src/index.js";
import { withOtel } from "../src/otel/index.js";
import { defaultMapPrompt } from "../src/primitives/split-requests.js";
import { AiSdkModel, fromAiSdk } from "../src/providers/ai-sdk.js";
import { OllamaModel, ollamaModel } from "../src/providers/ollama/index.js";
import { recordingModel, replayModel, scriptedModel } from "../src/testing/index.js";
import { collect, finishOf, shownText, withoutTimes } from "./support/stream-parts.js";

const root = resolve(import.meta.dirname, "..");

/**
 * Subjects typed to return a plain `Model` though what they build streams (its `stream` is there at run
 * time, checked below). Each entry fails the test once its type says `stream`, so the list only shrinks.
 */
const typeGaps: string[] = [];

interface Subject {
  key: string;
  /** Every signature's result (awaited) has a `stream` that is not optional. */
  typedToStream: boolean;
}

/** Every function or class of the export map whose result, awaited, has `generate`. */
async function discoverModelMakers(): Promise<Subject[]> {
  const entries = await exportEntries();
  const config = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
  const options = ts.parseJsonConfigFileContent(config.config, ts.sys, root).options;
  const program = ts.createProgram(
    entries.map((entry) => entry.source),
    options,
  );
  const checker = program.getTypeChecker();
  const found = new Map<string, Subject>();
  for (const { specifier, source } of entries) {
    const file = program.getSourceFile(source);
    const module = file === undefined ? undefined : checker.getSymbolAtLocation(file);
    if (module === undefined) throw new Error(`cannot read the entry ${source}`);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Variable)))
        continue;
      const type = checker.getTypeOfSymbol(symbol);
      const signatures = [...type.getCallSignatures(), ...type.getConstructSignatures()];
      const results = signatures.map((signature) => {
        const result = checker.getReturnTypeOfSignature(signature);
        return checker.getAwaitedType(result) ?? result;
      });
      const models = results.filter((result) => result.getProperty("generate") !== undefined);
      if (models.length === 0) continue;
      const key = `${specifier}:${exported.name}`;
      const typedToStream = models.every((result) => {
        const stream = result.getProperty("stream");
        return stream !== undefined && (stream.flags & ts.SymbolFlags.Optional) === 0;
      });
      // A re-export under a later subpath is the same subject.
      if (![...found.values()].some((subject) => subject.key.endsWith(`:${exported.name}`)))
        found.set(key, { key, typedToStream });
    }
  }
  return [...found.values()];
}

const request: GenerateRequest = { messages: [{ role: "user", content: "Name the capital of France." }] };
const rubric = defineRubric({ id: "done", rules: [notMatches("no-todo", /TODO/)] });
const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "rungs-streams-"));
  dirs.push(dir);
  return dir;
};

// A loopback Ollama: /api/chat answers with `ollamaAnswer`, as NDJSON lines when the request streams.
const ollamaAnswer = ["Paris ", "is the ", "capital."];
let server: Server | undefined;
let ollamaUrl = "";
beforeAll(async () => {
  const ollama = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      const streamed = (JSON.parse(body) as { stream?: boolean }).stream !== false;
      const line = (content: string, done: boolean) =>
        `${JSON.stringify({
          model: "m",
          created_at: "2026-01-01T00:00:00Z",
          message: { role: "assistant", content },
          done,
          ...(done ? { done_reason: "stop", prompt_eval_count: 7, eval_count: 3 } : {}),
        })}\n`;
      res.writeHead(200, { "content-type": streamed ? "application/x-ndjson" : "application/json" });
      res.end(
        streamed
          ? `${ollamaAnswer.map((piece) => line(piece, false)).join("")}${line("", true)}`
          : line(ollamaAnswer.join(""), true),
      );
    });
  });
  server = ollama;
  await new Promise<void>((ready) => ollama.listen(0, "127.0.0.1", ready));
  ollamaUrl = `http://127.0.0.1:${(ollama.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((done) => (server === undefined ? done() : server.close(() => done())));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An AI SDK (spec v3) mock model answering `text`, generated or streamed in words. */
function aiSdkMock(text: string) {
  const usage = {
    inputTokens: { total: 7, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 3, text: undefined, reasoning: undefined },
  };
  const finishReason = { unified: "stop" as const, raw: "stop" };
  return new MockLanguageModelV3({
    provider: "mock",
    modelId: "m",
    doGenerate: async () => ({ content: [{ type: "text", text }], finishReason, usage, warnings: [] }),
    doStream: async () => {
      const parts = [
        { type: "stream-start" as const, warnings: [] },
        { type: "text-start" as const, id: "t" },
        ...text.split(/(?<= )/).map((delta) => ({ type: "text-delta" as const, id: "t", delta })),
        { type: "text-end" as const, id: "t" },
        { type: "finish" as const, finishReason, usage },
      ];
      return {
        stream: new ReadableStream({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  });
}

/** Scripted providers for config ladders: `test:<name>` answers from the script. */
const providers = {
  test: (name: string) =>
    scriptedModel(`test:${name}`, name === "small" ? ["TODO: look it up"] : ["Paris."], {
      whenDone: "repeat-last",
    }),
};
const ladderConfig = {
  models: { small: "test:small", large: "test:large" },
  start: "small",
  escalation: { small: "large" },
  rubric: "done",
};

/** How to build each subject: a fresh model per call (one is generated, one streamed). */
const recipes: Record<string, () => Model | Promise<Model>> = {
  "rungs:defineModel": () =>
    defineModel("leaf", async () => ({ text: "Paris is the capital." }), {
      async *stream() {
        yield { type: "text-delta", text: "Paris is " };
        yield { type: "text-delta", text: "the capital." };
        yield { type: "finish", finishReason: "stop" };
      },
    }),
  "rungs:fromFunction": () => fromFunction("fn", async (prompt) => `You asked: ${prompt}`),
  "rungs:retryWithContext": () =>
    retryWithContext(scriptedModel("m", ["TODO: look it up", "Paris."]), { rubric }),
  "rungs:escalateAcross": () =>
    escalateAcross([scriptedModel("small", ["TODO: look it up"]), scriptedModel("large", ["Paris."])], {
      rubric,
    }),
  "rungs:continueUntilComplete": () =>
    continueUntilComplete(
      scriptedModel("m", [
        { text: "The capital of France is ", finishReason: "length" },
        "of France is Paris.",
      ]),
    ),
  "rungs:treeSplit": () =>
    treeSplit(
      scriptedModel(
        "m",
        [(r) => (r.messages[0]?.content === defaultMapPrompt ? "Notes." : "Paris, from the notes.")],
        { whenDone: "repeat-last" },
      ),
      { promptLimit: { chars: 1_500 } },
    ),
  "rungs/testing:scriptedModel": () => scriptedModel("s", ["Paris is the capital."]),
  "rungs/testing:recordingModel": () =>
    recordingModel(scriptedModel("s", ["Paris."]), join(freshDir(), "run.jsonl")),
  "rungs/testing:replayModel": () =>
    replayModel([{ modelId: "m", request, generation: { text: "Paris, as recorded." } }]),
  "rungs/ollama:ollamaModel": () => ollamaModel({ model: "m", host: ollamaUrl }),
  "rungs/ollama:OllamaModel": () => new OllamaModel({ model: "m", host: ollamaUrl }),
  "rungs/ai-sdk:fromAiSdk": () => fromAiSdk(aiSdkMock("Paris is the capital.")),
  "rungs/ai-sdk:AiSdkModel": () => new AiSdkModel(aiSdkMock("Paris, the capital.")),
  "rungs/config:ladderFromConfig": () =>
    ladderFromConfig(ladderConfig, { providers, rubrics: { done: rubric } }),
  "rungs/config:loadLadder": () => {
    const file = join(freshDir(), "ladder.json");
    writeFileSync(file, JSON.stringify(ladderConfig));
    return loadLadder(file, { providers, rubrics: { done: rubric } });
  },
  "rungs/otel:withOtel": () =>
    withOtel(
      escalateAcross([scriptedModel("small", ["TODO: look it up"]), scriptedModel("large", ["Paris."])], {
        rubric,
      }),
    ),
};

/** The problems with one stream's parts, in words (none: well-formed). */
function problemsOf(parts: readonly StreamPart[]): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  parts.forEach((part, index) => {
    if (part.type === "finish" && index !== parts.length - 1) problems.push(`finish at ${index}, not last`);
    if (part.type === "text-delta" && (typeof part.text !== "string" || part.text.length === 0))
      problems.push(`an empty text-delta at ${index}`);
    if (part.type === "attempt-start") open.push(part.path);
    if (part.type === "discard") {
      const at = open.lastIndexOf(part.path);
      if (at < 0) problems.push(`a discard of ${part.path} that never started`);
      else open.length = at;
    }
  });
  if (parts.filter((part) => part.type === "finish").length !== 1) problems.push("not exactly one finish");
  return problems;
}

describe("every model the package builds streams", () => {
  let subjects: Subject[] = [];
  beforeAll(async () => {
    subjects = await discoverModelMakers();
  }, 120_000);

  it("finds the model makers of the export map, each with a recipe, and no recipe for what is gone", () => {
    const keys = subjects.map((subject) => subject.key);
    expect(keys).toContain("rungs:escalateAcross");
    expect(keys).toContain("rungs/testing:scriptedModel");
    expect(keys.filter((key) => !(key in recipes))).toEqual([]);
    expect(Object.keys(recipes).filter((key) => !keys.includes(key))).toEqual([]);
  });

  it("types each one's result with `stream` (StreamingModel), but for the known gaps, which fail once fixed", () => {
    const untyped = subjects.filter((subject) => !subject.typedToStream).map((subject) => subject.key);
    expect(untyped.sort()).toEqual([...typeGaps].sort());
  });

  it("streams each one: well-formed parts, the finish's text shown, and generate's generation", async () => {
    const failures: string[] = [];
    for (const [key, recipe] of Object.entries(recipes)) {
      const streamed = await recipe();
      if (typeof streamed.stream !== "function") {
        failures.push(`${key}: no stream`);
        continue;
      }
      const parts = await collect(streamed.stream(request));
      const problems = problemsOf(parts);
      if (problems.length > 0) {
        failures.push(`${key}: ${problems.join("; ")}`);
        continue;
      }
      const finish = finishOf(parts);
      if (shownText(parts) !== finish.text) failures.push(`${key}: shows text its finish does not carry`);
      const generated = await (await recipe()).generate(request);
      try {
        expect(withoutTimes(finish)).toEqual(withoutTimes(generated));
      } catch (error) {
        failures.push(`${key}: finish differs from generate's\n${(error as Error).message.slice(0, 2_000)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
