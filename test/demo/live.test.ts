import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadIfeval } from "../../demo/data.js";
import { rubricOf } from "../../demo/ladder.js";
import { runLive } from "../../demo/live.js";
import { chatResponse, type FakeOllama, json, startFakeOllama } from "../e2e/fake-ollama.js";

let dir: string;
let output: string;
let errors: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rungs-live-"));
  output = "";
  errors = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    errors += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe("demo --live", () => {
  it("says how to start a server and returns a non-zero code when none is reachable", async () => {
    const fake = await startFakeOllama();
    const url = fake.url;
    await fake.close(); // a port nothing listens on any more
    const code = await runLive({ host: url, limit: 1, concurrency: 1, out: join(dir, "run") });
    expect(code).toBe(3);
    expect(errors).toContain("not reachable");
    expect(errors).toContain("ollama serve");
    expect(errors).toContain("ollama pull qwen2.5:0.5b");
    expect(errors).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("names the models the server lacks", async () => {
    const fake = await startFakeOllama();
    try {
      fake.models = ["qwen2.5:0.5b"];
      const code = await runLive({
        host: fake.url,
        models: ["qwen2.5:0.5b", "qwen2.5:7b"],
        limit: 1,
        concurrency: 1,
        out: dir,
      });
      expect(code).toBe(3);
      expect(errors).toContain("ollama pull qwen2.5:7b");
      expect(fake.chats).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it("feeds the violated instructions back, and a rung that reads them is accepted", async () => {
    const fake: FakeOllama = await startFakeOllama();
    try {
      fake.models = ["small", "large"];
      const data = loadIfeval({ limit: 2 });
      // A good answer for each prompt: a recorded response the rubric accepts.
      const good = new Map<string, string>();
      for (const prompt of data.prompts) {
        for (const responses of data.responses.values()) {
          const text = responses.get(prompt.key)!;
          if ((await rubricOf(prompt).evaluate(text)).accepted) {
            good.set(prompt.prompt, text);
            break;
          }
        }
      }
      expect(good.size).toBe(2);
      // A model that breaks the instructions unless the prompt carries rungs' feedback block.
      const answer = (_res: unknown, request: { body: Record<string, unknown> }) => {
        const messages = request.body.messages as { role: string; content: string }[];
        const user = messages.filter((m) => m.role === "user").at(-1)!.content;
        const sawFeedback = messages.some((m) => m.content.includes("<rungs-feedback>"));
        return sawFeedback ? good.get(user)! : "Sure, here it is, with commas, and nothing else.";
      };
      fake.script(
        ...Array.from(
          { length: 4 },
          () => (res: Parameters<typeof json>[0], request: { body: Record<string, unknown> }) =>
            json(res, 200, chatResponse(answer(res, request))),
        ),
      );
      const code = await runLive({
        host: fake.url,
        models: ["small", "large"],
        limit: 2,
        concurrency: 1,
        out: join(dir, "run"),
      });
      expect(code).toBe(0);
      expect(fake.chats).toHaveLength(4); // each prompt: small (rejected), then large with feedback (accepted)
      const withFeedback = fake.chats.filter((c) =>
        (c.body.messages as { content: string }[]).some((m) => m.content.includes("<rungs-feedback>")),
      );
      expect(withFeedback).toHaveLength(2);
      expect(output).toContain("Accepted by the rubric: 2/2");
      const summary = JSON.parse(readFileSync(join(dir, "run", "summary.json"), "utf8"));
      expect(summary).toMatchObject({ attempts: 4, accepted: 2 });
    } finally {
      await fake.close();
    }
  });
});
