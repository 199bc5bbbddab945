import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  Budget,
  failureKindOf,
  type GenerateRequest,
  InvalidArgumentError,
  ProviderError,
} from "../../src/index.js";
import {
  type CassetteEntry,
  hang,
  ReplayMissError,
  readCassette,
  recordingModel,
  replayModel,
  requestKey,
  scriptedModel,
} from "../../src/testing/index.js";
import { captureWarnings } from "../support/warnings.js";

const ask = (content: string, extra: object = {}) => ({
  messages: [{ role: "user" as const, content }],
  ...extra,
});
const cassetteDirs: string[] = [];
const cassetteDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "rungs-cassette-"));
  cassetteDirs.push(dir);
  return dir;
};
const cassette = () => join(cassetteDir(), "nested", "run.jsonl");
afterEach(() => {
  for (const dir of cassetteDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("recordingModel → replayModel", () => {
  it("records the { prompt } shorthand expanded, so the cassette reads back and replays it", async () => {
    const file = cassette();
    await recordingModel(scriptedModel("live", ["hello"]), file).generate({
      prompt: "hi",
      system: "be brief",
    });
    expect(readCassette(file)).toHaveLength(1);
    expect((await replayModel(file).generate({ prompt: "hi", system: "be brief" })).text).toBe("hello");
  });

  it("round-trips generations and errors exactly, in recorded order", async () => {
    const file = cassette();
    const live = scriptedModel("live", [
      "first answer",
      { text: "cut off", finishReason: "length", usage: { inputTokens: 5, outputTokens: 9 } },
      new ProviderError("slow down", { kind: "rate-limited", providerId: "live", status: 429 }),
      "second answer to the same question",
    ]);
    const recorder = recordingModel(live, file);
    const requests = [ask("a"), ask("b", { maxOutputTokens: 9 }), ask("c"), ask("a")];
    const results: unknown[] = [];
    for (const request of requests) {
      results.push(await recorder.generate(request).catch((error: unknown) => error));
    }
    expect(recorder.recorded).toBe(4);
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(4);

    const replay = replayModel(file);
    expect(replay.id).toBe("live");
    expect(replay.size).toBe(4);
    const replayed: unknown[] = [];
    for (const request of requests) {
      replayed.push(await replay.generate(request).catch((error: unknown) => error));
    }
    expect(replayed[0]).toEqual(results[0]);
    expect(replayed[1]).toEqual(results[1]);
    expect(replayed[3]).toEqual(results[3]);
    const error = replayed[2] as ProviderError;
    expect(ProviderError.isInstance(error)).toBe(true);
    expect({ kind: error.kind, status: error.status, message: error.message }).toEqual({
      kind: "rate-limited",
      status: 429,
      message: "slow down",
    });
    expect(replay.served).toBe(4);
  });

  it("masks secrets in the cassette yet still matches the live request", async () => {
    const file = cassette();
    const key = "sk-live-0123456789abcdefghij";
    const recorder = recordingModel(scriptedModel("m", [`echo ${key}`]), file);
    const request = ask(`my key is ${key}`, { metadata: { apiKey: key } });
    await recorder.generate(request);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(key);
    expect(text).toContain("***");
    await expect(replayModel(file).generate(request)).resolves.toMatchObject({ text: "echo ***" });
  });

  it("does not record an abort, and passes it through as signal.reason", async () => {
    const file = cassette();
    const recorder = recordingModel(scriptedModel("m", [hang]), file);
    const controller = new AbortController();
    const pending = recorder.generate(ask("q"), { signal: controller.signal }).catch((e: unknown) => e);
    const reason = new Error("stop");
    controller.abort(reason);
    expect(await pending).toBe(reason);
    expect(recorder.recorded).toBe(0);
  });
});

describe("replayModel", () => {
  const entries: CassetteEntry[] = [
    { modelId: "small", request: ask("one", { metadata: { key: 1 } }), generation: { text: "small-1" } },
    { modelId: "small", request: ask("two", { metadata: { key: 2 } }), generation: { text: "small-2" } },
    { modelId: "large", request: ask("one", { metadata: { key: 1 } }), generation: { text: "large-1" } },
  ];

  it("fails loudly on a request it has no recording for, with a kind that stops retries", async () => {
    const replay = replayModel(entries, { modelId: "small" });
    const error = await replay.generate(ask("three")).catch((e: unknown) => e);
    expect(ReplayMissError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/no recording for this request .*"three"/);
    expect(failureKindOf(error)).toBe("invalid-request");
  });

  it("serves in-memory entries per model, ignoring metadata unless asked", async () => {
    const small = replayModel(entries, { modelId: "small" });
    const large = replayModel(entries, { modelId: "large" });
    expect(small.id).toBe("small");
    await expect(small.generate(ask("one", { metadata: { key: 99 } }))).resolves.toMatchObject({
      text: "small-1",
      modelId: "small",
    });
    await expect(large.generate(ask("one"))).resolves.toMatchObject({ text: "large-1" });
    const strict = replayModel(entries, { modelId: "small", match: { metadata: ["key"] } });
    await expect(strict.generate(ask("one", { metadata: { key: 99 } }))).rejects.toThrow(ReplayMissError);
  });

  it("keys on the fields it is told to, so a ladder's feedback can be ignored", async () => {
    const replay = replayModel(entries, { modelId: "small", match: { fields: ["messages"] } });
    const withFeedback = ask("two", {
      feedback: [{ attempts: [1], modelId: "x", kind: "rejected", message: "13/15 rules passed" }],
    });
    await expect(replay.generate(withFeedback)).resolves.toMatchObject({ text: "small-2" });
    const byFunction = replayModel(entries, { modelId: "small", match: (r) => r.metadata?.key });
    await expect(byFunction.generate(ask("anything", { metadata: { key: 2 } }))).resolves.toMatchObject({
      text: "small-2",
    });
  });

  it("repeats the last recording by default, or throws when told to", async () => {
    const once: CassetteEntry[] = [{ modelId: "m", request: ask("q"), generation: { text: "only" } }];
    const repeat = replayModel(once);
    await repeat.generate(ask("q"));
    await expect(repeat.generate(ask("q"))).resolves.toMatchObject({ text: "only" });
    const strict = replayModel(once, { whenDone: "throw" });
    await strict.generate(ask("q"));
    await expect(strict.generate(ask("q"))).rejects.toThrow(/all are served/);
  });

  it("is a leaf model: it draws on a shared budget", async () => {
    const budget = new Budget({ maxCalls: 1 });
    const replay = replayModel(entries, { modelId: "small" });
    await replay.generate(ask("one"), { budget });
    await expect(replay.generate(ask("two"), { budget })).rejects.toMatchObject({ limit: "maxCalls" });
  });

  it("refuses a malformed cassette, naming the line, and bad entries, naming the index", () => {
    const file = cassette().replace("nested/", "");
    writeFileSync(file, `${JSON.stringify(entries[0])}\n\n{"modelId": "m"}\n`);
    expect(() => readCassette(file)).toThrow(/line 3/);
    expect(() => replayModel(join(tmpdir(), "no-such-rungs-cassette.jsonl"))).toThrow(InvalidArgumentError);
    expect(() => replayModel([{ modelId: "m" } as never])).toThrow(/entry 0/);
  });
});

describe("requestKey", () => {
  const message = fc.record({ role: fc.constantFrom("system", "user", "assistant"), content: fc.string() });
  const request = fc.record(
    {
      messages: fc.array(message, { minLength: 1, maxLength: 4 }),
      context: fc.array(fc.string(), { maxLength: 3 }),
      temperature: fc.double({ min: 0, max: 2, noNaN: true }),
      metadata: fc.dictionary(fc.string(), fc.string()),
    },
    { requiredKeys: ["messages"] },
  );

  it("is the same for the same request whatever its key order, and ignores metadata by default", () => {
    fc.assert(
      fc.property(request, fc.string(), (r, tag) => {
        const reordered = Object.fromEntries(Object.entries(r).reverse()) as typeof r;
        expect(requestKey(reordered)).toBe(requestKey(r));
        expect(requestKey({ ...r, metadata: { taskClass: tag } })).toBe(requestKey(r));
      }),
    );
  });

  it("differs when a message differs", () => {
    fc.assert(
      fc.property(request, fc.string({ minLength: 1 }), (r, extra) => {
        const changed = { ...r, messages: [...r.messages, { role: "user" as const, content: extra }] };
        expect(requestKey(changed)).not.toBe(requestKey(r));
      }),
    );
  });
});

describe("recordingModel when its cassette cannot be written", () => {
  it("keeps the model's answer and error, and warns instead", async () => {
    const dir = cassetteDir();
    const blocker = join(dir, "not-a-dir");
    writeFileSync(blocker, "a file where the cassette's folder should be");
    const failure = new ProviderError("down", { kind: "server-error", providerId: "live", status: 503 });
    const recorder = recordingModel(
      scriptedModel("live", ["the answer", failure]),
      join(blocker, "run.jsonl"),
    );
    const warnings = captureWarnings();
    expect((await recorder.generate(ask("q1"))).text).toBe("the answer");
    await expect(recorder.generate(ask("q2"))).rejects.toBe(failure);
    expect(recorder.recorded).toBe(0);
    expect(warnings.some((w) => w.message.includes("could not write its cassette"))).toBe(true);
  });
});

describe("cassettes of agent calls: parts, tools and tool calls", () => {
  const bytes = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
  const call = { id: "c1", name: "get_weather", input: { city: "Paris" } };
  const agentRequest = (data: Uint8Array | string, tools: unknown[]) =>
    ({
      messages: [
        {
          role: "user" as const,
          content: [
            { type: "text" as const, text: "Weather where this was taken?" },
            { type: "image" as const, data, mediaType: "image/png" },
          ],
        },
      ],
      tools,
      toolChoice: "auto" as const,
    }) as GenerateRequest;

  it("hashes bytes as their base64 and a Standard Schema tool as its JSON Schema, so a recorded request replays", async () => {
    const { z } = await import("zod");
    const weather = z.object({ city: z.string() }).strict();
    const json = weather["~standard"].jsonSchema.input({ target: "draft-2020-12" });
    const live = agentRequest(bytes, [{ name: "get_weather", inputSchema: weather }]);
    const asData = agentRequest(Buffer.from(bytes).toString("base64"), [
      { name: "get_weather", inputSchema: json },
    ]);
    expect(requestKey(live)).toBe(requestKey(asData));
    // Everything that identifies the call is in the key: the bytes, the tools, the tool choice.
    expect(
      requestKey(agentRequest(new Uint8Array([1]), [{ name: "get_weather", inputSchema: weather }])),
    ).not.toBe(requestKey(live));
    expect(requestKey(agentRequest(bytes, [{ name: "get_time", inputSchema: weather }]))).not.toBe(
      requestKey(live),
    );
    expect(requestKey({ ...live, toolChoice: "required" })).not.toBe(requestKey(live));

    const file = cassette();
    const model = scriptedModel("live", [{ text: "", finishReason: "tool-calls", toolCalls: [call] }], {
      capabilities: { inputParts: ["image"] },
    });
    await recordingModel(model, file).generate(live);
    const entry = readCassette(file)[0]!;
    const image = (entry.request.messages[0]!.content as readonly { data?: unknown }[])[1];
    expect(image?.data).toBe(Buffer.from(bytes).toString("base64"));
    expect(entry.request.tools).toEqual([{ name: "get_weather", inputSchema: json }]);
    const replayed = await replayModel(file, { capabilities: { inputParts: ["image"] } }).generate(live);
    expect(replayed).toMatchObject({ text: "", finishReason: "tool-calls", toolCalls: [call] });
  });

  it("keys a request without tools as before tools existed (older cassettes replay)", () => {
    // Pinned: the key of a plain request must not move when the contract grows.
    expect(requestKey({ messages: [{ role: "user", content: "hi" }] })).toBe(
      requestKey({
        messages: [{ role: "user", content: "hi" }],
        tools: undefined,
        toolChoice: undefined,
      } as never),
    );
    expect(requestKey({ messages: [{ role: "user", content: "hi" }] })).toBe(
      createHash("sha256").update('{"messages":[{"content":"hi","role":"user"}]}').digest("hex"),
    );
  });
});
