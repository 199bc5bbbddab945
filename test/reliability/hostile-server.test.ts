// Classes "secrets" and "unbounded bodies": what an Ollama server sends is hostile. A redirect to another
// origin never carries the request's credentials there, and its answer never passes as the model's; a
// streamed answer that never stops fails loudly at its cap with the text kept; the 404 hint reads a bounded
// body and shows bounded names; a key in an unknown option or in the host's query is never shown.
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, ProviderError, partialTextOf } from "../../src/index.js";
import { ollamaModel } from "../../src/providers/ollama/index.js";
import { maxTagsBytes } from "../../src/providers/ollama/model-hint.js";
import { chatStream, type FakeOllama, json, ndjson, startFakeOllama } from "../e2e/fake-ollama.js";

const ask = { messages: [{ role: "user" as const, content: "hi" }] };
const key = "sk-hostile-0123456789abcdefghijklmnop";

let server: FakeOllama;
let other: FakeOllama;
beforeAll(async () => {
  server = await startFakeOllama();
  other = await startFakeOllama();
});
afterAll(async () => {
  await server.close();
  await other.close();
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
}

describe("a redirect to another origin", () => {
  it("is refused: the credentials never reach the other origin, and its answer is not the model's", async () => {
    other.script((res) => ndjson(res, chatStream(["not the model's answer"])));
    server.script((res) => {
      res.writeHead(307, { location: `${other.url}/api/chat` });
      res.end();
    });
    const model = ollamaModel({
      model: "m",
      host: server.url,
      apiKey: key,
      headers: { "x-api-key": key, "x-goog-api-key": key },
      retry: { maxRetries: 0 },
    });
    const error = await failure(model.generate(ask));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).message).toMatch(/redirected to another origin/);
    expect(other.chats).toHaveLength(0);
    expect(inspect(error, { depth: null })).not.toContain(key);
  });

  it("within the same origin is followed, credentials kept", async () => {
    const before = server.chats.length;
    server.script(
      (res) => {
        res.writeHead(307, { location: "/api/chat" });
        res.end();
      },
      (res) => ndjson(res, chatStream(["same origin"])),
    );
    const model = ollamaModel({ model: "m", host: server.url, headers: { "x-api-key": key } });
    const generation = await model.generate(ask);
    expect(generation.text).toBe("same origin");
    expect(server.chats.slice(before).map((r) => r.headers["x-api-key"])).toEqual([key, key]);
  });
});

describe("a streamed answer that never stops", () => {
  it("fails loudly at maxAnswerChars, keeping the text read up to the cap", async () => {
    const piece = "x".repeat(1_000);
    server.script((res) => ndjson(res, chatStream(Array.from({ length: 50 }, () => piece))));
    const model = ollamaModel({
      model: "m",
      host: server.url,
      maxAnswerChars: 10_000,
      retry: { maxRetries: 0 },
    });
    const error = await failure(model.generate(ask));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).kind).toBe("server-error");
    expect((error as ProviderError).message).toMatch(/10000-char cap \(maxAnswerChars\)/);
    expect(partialTextOf(error)).toBe("x".repeat(10_000));
  });
});

describe("the 404 hint", () => {
  it("reads a bounded number of bytes of /api/tags: an oversized list gives no hint, not a huge message", async () => {
    server.tags = (res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const name = "n".repeat(1_000);
      res.end(JSON.stringify({ models: Array.from({ length: 2_000 }, () => ({ name })) }));
    };
    server.script((res) => json(res, 404, { error: 'model "m" not found, try pulling it first' }));
    try {
      const error = await failure(ollamaModel({ model: "m", host: server.url }).generate(ask));
      expect((error as ProviderError).kind).toBe("model-not-found");
      expect((error as ProviderError).message.length).toBeLessThan(2_000);
      expect(2_000 * 1_000).toBeGreaterThan(maxTagsBytes);
    } finally {
      server.tags = undefined;
    }
  });

  it("shows at most 12 names, each cut to 80 chars", async () => {
    server.models = Array.from({ length: 30 }, (_, i) => `${i}-${"m".repeat(500)}`);
    server.script((res) => json(res, 404, { error: 'model "m" not found, try pulling it first' }));
    try {
      const error = await failure(ollamaModel({ model: "m", host: server.url }).generate(ask));
      const message = (error as ProviderError).message;
      expect(message).toMatch(/and 18 more/);
      expect(message).not.toContain("m".repeat(81));
      expect(message.length).toBeLessThan(2_000);
    } finally {
      server.models = ["qwen3:8b"];
    }
  });
});

describe("keys the caller passed", () => {
  it.each(["token", "apiToken", "accessToken", "bearer", "key"])(
    "an unknown option %s: its name is kept, its value never shown",
    (name) => {
      let error: unknown;
      try {
        ollamaModel({ model: "m", [name]: key } as never);
      } catch (caught) {
        error = caught;
      }
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).message).toContain(name);
      expect(`${inspect(error, { depth: null, showHidden: true })}\n${JSON.stringify(error)}`).not.toContain(
        key,
      );
    },
  );

  it("a key in the host's query is masked in the model's JSON and inspect output, yet sent", async () => {
    server.script((res) => ndjson(res, chatStream(["ok"])));
    const model = ollamaModel({ model: "m", host: `${server.url}/?key=${key}` });
    expect(`${JSON.stringify(model)}\n${inspect(model, { depth: null })}\n${model.host}`).not.toContain(key);
    const generation = await model.generate(ask);
    expect(generation.text).toBe("ok");
  });
});
