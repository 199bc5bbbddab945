// Acceptance item 20 (docs/reliability.md): a key in options, headers, the URL (`?key=`,
// `user:pass@`) or echoed in an error body is absent from every event, record file, `error.message`, `cause`
// chain, `JSON.stringify` and `util.inspect` output — here through a whole ladder with recordRun, so every
// place rungs writes is looked at once.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defineModel,
  ExhaustedError,
  escalateAcross,
  ProviderError,
  RungsEvents,
  recordRun,
  retryWithContext,
} from "../../src/index.js";
import { ollamaModel } from "../../src/providers/ollama/index.js";
import { type FakeOllama, json, startFakeOllama } from "../e2e/fake-ollama.js";
import { leakedSecrets, secrets, secretsIn, secretText } from "./support.js";

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

let server: FakeOllama;
let dir: string;
beforeAll(async () => {
  server = await startFakeOllama();
  dir = mkdtempSync(join(tmpdir(), "rungs-secrets-"));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every file under `root`, read as text. */
function readTree(root: string): string {
  let out = "";
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    out += statSync(path).isDirectory() ? readTree(path) : `${name}\n${readFileSync(path, "utf8")}\n`;
  }
  return out;
}

/** An error, each of its causes, and their JSON and inspect forms, as one text. */
function everyFormOf(error: unknown): string {
  let text = `${JSON.stringify(error)}\n${inspect(error, { depth: null, showHidden: true })}\n`;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth += 1) {
    text += `${e.message}\n${e.stack ?? ""}\n${JSON.stringify(e)}\n`;
  }
  return text;
}

describe("secrets never leave rungs (item 20)", () => {
  it("keys in options, headers, URL userinfo, ?key= and echoed error bodies: absent everywhere rungs writes", async () => {
    // Rung 1: apiKey option; the server echoes the key in a 401 body.
    // Rung 2: an x-api-key header and user:pass@ in the host; the server echoes both in 500 bodies.
    // Rung 3: a provider whose error message and cause carry a Gemini-style ?key= URL and a Bearer token.
    server.script(
      (res) => json(res, 401, { error: `invalid api key ${secrets.skKey}` }),
      (res) =>
        json(res, 500, { error: `upstream said: ${secretText(3)} with x-api-key ${secrets.registered}` }),
      (res) =>
        json(res, 500, { error: `upstream said: ${secretText(3)} with x-api-key ${secrets.registered}` }),
    );
    const url = new URL(server.url);
    const withKey = ollamaModel({ model: "keyed", host: server.url, apiKey: secrets.skKey });
    const withHeaders = ollamaModel({
      model: "headed",
      host: `http://admin:${secrets.password}@${url.host}`,
      headers: { "x-api-key": secrets.registered },
      retry: { maxRetries: 1, initialDelayMs: 0 },
    });
    const gemini = defineModel("gemini", async () => {
      throw new ProviderError(`request failed: ${secretText(1)}`, {
        kind: "server-error",
        providerId: "gemini",
        status: 503,
        body: secretText(2),
        cause: new Error(secretText(1), { cause: new Error(secretText(2)) }),
      });
    });
    const events = new RungsEvents();
    const seen: unknown[] = [];
    for (const name of [
      "attempt-start",
      "attempt-end",
      "rung-skip",
      "run-exhaust",
      "transport-retry",
    ] as const) {
      events.on(name, (payload: unknown) => seen.push({ name, payload }));
    }
    const recorder = recordRun(events, dir);
    const error = await escalateAcross([withKey, withHeaders, gemini])
      .generate(ask("q"), { events })
      .catch((e: unknown) => e);
    await recorder.close();

    expect(ExhaustedError.isInstance(error)).toBe(true);
    expect((error as ExhaustedError).attempts.map((a) => a.kind)).toEqual([
      "auth",
      "server-error",
      "server-error",
    ]);
    // The secrets really were sent and echoed: the test would prove nothing otherwise.
    expect(server.chats[0]?.headers.authorization).toBe(`Bearer ${secrets.skKey}`);
    expect(server.chats[1]?.headers["x-api-key"]).toBe(secrets.registered);
    expect(server.chats[1]?.headers.authorization).toMatch(/^Basic /);
    expect(server.chats).toHaveLength(3);

    const files = readTree(dir);
    expect(files).toContain("attempt_1.json");
    expect(secretsIn(files)).toEqual([]);
    expect(secretsIn(JSON.stringify(seen))).toEqual([]);
    expect(secretsIn(inspect(seen, { depth: null }))).toEqual([]);
    expect(secretsIn(everyFormOf(error))).toEqual([]);
    expect(leakedSecrets(withKey, withHeaders, gemini)).toEqual([]);
  });

  it("a refused host with credentials and a refused apiKey are not repeated in the InvalidArgumentError", () => {
    let thrown: unknown;
    try {
      ollamaModel({ model: "m", host: `ftp://admin:${secrets.password}@example.com` });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(secretsIn(everyFormOf(thrown))).toEqual([]);
    try {
      retryWithContext(
        defineModel("m", async () => ({ text: "x" })),
        {
          // An option that is not allowed, holding a key: the error must not echo the value.
          apiKey: secrets.skKey,
        } as never,
      );
    } catch (error) {
      thrown = error;
    }
    expect(secretsIn(everyFormOf(thrown))).toEqual([]);
  });
});
