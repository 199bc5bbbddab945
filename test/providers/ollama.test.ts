import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidArgumentError } from "../../src/index.js";
import { ollamaHostFromEnv, ollamaModel } from "../../src/providers/ollama/index.js";
import { chatResponse, json, startFakeOllama } from "../e2e/fake-ollama.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("ollamaModel() settings", () => {
  it("defaults to the local server, ollama:<model>, native continuation and the server's own window", () => {
    const model = ollamaModel({ model: "qwen3:8b" });
    expect(model.id).toBe("ollama:qwen3:8b");
    expect(model.host).toBe("http://127.0.0.1:11434");
    // No num_ctx set: rungs claims no window size, so it never overrides a Modelfile's own setting.
    expect(model.capabilities).toEqual({ continueAssistant: true, inputParts: ["image"] });
    const sized = ollamaModel({ model: "qwen3:8b", options: { num_ctx: 8192 } });
    expect(sized.capabilities).toEqual({
      continueAssistant: true,
      contextWindowTokens: 8192,
      inputParts: ["image"],
    });
  });

  it("reads OLLAMA_HOST as the CLI does: explicit host first, then OLLAMA_HOST (with or without scheme and port), then the local default", async () => {
    vi.stubEnv("OLLAMA_HOST", "gpu-box");
    expect(ollamaModel({ model: "m" }).host).toBe("http://gpu-box:11434");
    expect(ollamaHostFromEnv({ OLLAMA_HOST: "gpu-box" })).toBe("http://gpu-box:11434");
    vi.stubEnv("OLLAMA_HOST", "0.0.0.0:11500");
    expect(ollamaModel({ model: "m" }).host).toBe("http://127.0.0.1:11500");
    vi.stubEnv("OLLAMA_HOST", "https://ollama.com");
    expect(ollamaModel({ model: "m" }).id).toBe("ollama-cloud:m");
    expect(ollamaModel({ model: "m", host: "http://10.0.0.7:11434" }).host).toBe("http://10.0.0.7:11434");
    vi.stubEnv("OLLAMA_HOST", "");
    expect(ollamaModel({ model: "m" }).host).toBe("http://127.0.0.1:11434");
    expect(ollamaHostFromEnv({})).toBeUndefined();
    // A real call reaches the server OLLAMA_HOST names (written as ollama serve takes it: host:port).
    const server = await startFakeOllama();
    try {
      vi.stubEnv("OLLAMA_HOST", server.url.replace("http://", ""));
      server.script((res) => json(res, 200, chatResponse("from the env host")));
      const answer = await ollamaModel({ model: "m", stream: false }).generate({
        messages: [{ role: "user", content: "hi" }],
      });
      expect(answer.text).toBe("from the env host");
      expect(server.chats).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it("names Ollama Cloud models apart and takes OLLAMA_API_KEY for ollama.com only, never showing it", () => {
    vi.stubEnv("OLLAMA_API_KEY", "ollama-env-key-0123456789");
    const cloud = ollamaModel({ model: "gpt-oss:120b", host: "https://ollama.com" });
    expect(cloud.id).toBe("ollama-cloud:gpt-oss:120b");
    for (const text of [
      JSON.stringify(cloud),
      inspect(cloud, { showHidden: true, depth: 10 }),
      String(cloud),
    ]) {
      expect(text).not.toContain("ollama-env-key-0123456789");
    }
  });

  it.each([
    [{ model: "" }, "model"],
    [{ model: "m", host: "not a url" }, "host"],
    [{ model: "m", host: "ftp://example.com" }, "host"],
    [{ model: "m", options: { num_ctx: 0 } }, "options.num_ctx"],
    [{ model: "m", options: { num_predict: 1.5 } }, "options.num_predict"],
    [{ model: "m", timeoutMs: -1 }, "timeoutMs"],
    [{ model: "m", retry: { maxRetries: Number.NaN } }, "retry.maxRetries"],
    [{ model: "m", retry: { maxRetries: -1 } }, "retry.maxRetries"],
    [{ model: "m", retry: { maxRetries: 0.5 } }, "retry.maxRetries"],
    [{ model: "m", stream: "yes" }, "stream"],
    [{ model: "m", unknown: 1 }, "unknown"],
  ])("refuses %j at construction, naming %s", (settings, parameter) => {
    let error: unknown;
    try {
      ollamaModel(settings as never);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).parameter).toBe(parameter);
  });

  it("never repeats credentials from a refused host or a refused key", () => {
    const attempts = [
      () => ollamaModel({ model: "m", host: "ftp://me:pa55word-xyz@example.com" }),
      () => ollamaModel({ model: "m", apiKey: 12345678901 as never }),
    ];
    for (const attempt of attempts) {
      let error: unknown;
      try {
        attempt();
      } catch (caught) {
        error = caught;
      }
      const text = `${(error as Error).message} ${inspect(error, { depth: 10 })}`;
      expect(text).not.toContain("pa55word-xyz");
      expect(text).not.toContain("12345678901");
    }
  });
});
