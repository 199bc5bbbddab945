// Acceptance item 15 (docs/reliability.md): a local generation longer than undici's 300 s
// headers timeout (ollama-js#72, #144) is not cut by HeadersTimeoutError; only the configured deadline
// applies. Scaled down: undici's global dispatcher gets a 300 ms headers timeout standing in for the 300 s
// default (undici checks its timeouts on a coarse timer, so a 300 ms timeout fires within about 2 s), and the
// loopback server takes 2.5 s.
import { Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ollamaModel } from "../../src/providers/ollama/index.js";
import { chatResponse, chatStream, type FakeOllama, ndjson, startFakeOllama } from "../e2e/fake-ollama.js";

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });
const scaledTimeoutMs = 300;
/** Longer than the scaled timeout can take to fire. */
const generationMs = 2_500;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let server: FakeOllama;
let original: Dispatcher;
beforeAll(async () => {
  server = await startFakeOllama();
  original = getGlobalDispatcher();
  // Node's fetch reads undici's global dispatcher, so this is what every default fetch now runs on.
  setGlobalDispatcher(new Agent({ headersTimeout: scaledTimeoutMs, bodyTimeout: scaledTimeoutMs }));
});
afterAll(async () => {
  setGlobalDispatcher(original);
  await server.close();
});

describe("a generation longer than undici's headers timeout (item 15)", () => {
  it("the scaled timeout is real: a plain fetch whose headers come late fails with HeadersTimeoutError", async () => {
    server.script(async (res) => {
      await sleep(generationMs);
      res.end("{}");
    });
    const error = await fetch(`${server.url}/api/chat`, { method: "POST", body: "{}" }).catch(
      (e: unknown) => e,
    );
    expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe("UND_ERR_HEADERS_TIMEOUT");
  });

  it("streamed (the default): a 2.5 s generation, tokens flowing, completes with the default fetch", async () => {
    const words = Array.from({ length: 12 }, (_, i) => `w${i} `);
    server.script(async (res) => {
      for (const line of chatStream(words)) {
        ndjson(res, [line], { end: false });
        await sleep(generationMs / words.length);
      }
      res.end();
    });
    const startedAt = performance.now();
    const generation = await ollamaModel({ model: "slow", host: server.url }).generate(ask("write a lot"));
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(generationMs * 0.9);
    expect(generation.text).toBe(words.join(""));
    expect(generation.finishReason).toBe("stop");
  });

  it("not streamed: headers after 2.5 s pass with the fetch the provider documents (an Agent without the timeout)", async () => {
    server.script(async (res) => {
      await sleep(generationMs);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(chatResponse("all at once")));
    });
    const patient = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
    const model = ollamaModel({
      model: "slow",
      host: server.url,
      stream: false,
      fetch: (input, init) => fetch(input, { ...init, dispatcher: patient } as unknown as RequestInit),
    });
    const generation = await model.generate(ask("write a lot"));
    expect(generation.text).toBe("all at once");
    await patient.close();
  });
});
