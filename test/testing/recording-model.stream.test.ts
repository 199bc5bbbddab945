// recordingModel and replayModel streamed: a streamed call is recorded as a generated one, and replays.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defineRubric, escalateAcross, ProviderError, predicate } from "../../src/index.js";
import { hang, readCassette, recordingModel, replayModel, scriptedModel } from "../../src/testing/index.js";
import { collect, finishOf, shape, shownText, withoutTimes } from "../support/stream-parts.js";

const ask = { prompt: "Name three rivers." };
const dirs: string[] = [];
const cassette = () => {
  const dir = mkdtempSync(join(tmpdir(), "rungs-cassette-"));
  dirs.push(dir);
  return join(dir, "run.jsonl");
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const answer = "The Nile, the Amazon and the Yangtze.";

describe("recordingModel.stream", () => {
  it("passes the model's deltas through and records the entry generate would have written", async () => {
    const streamedFile = cassette();
    const live = scriptedModel("live", [{ text: answer, usage: { inputTokens: 5, outputTokens: 9 } }]);
    const parts = await collect(recordingModel(live, streamedFile).stream(ask));
    expect(parts.filter((part) => part.type === "text-delta").map((part) => part.text)).toEqual(
      answer.match(/.{1,4}/g),
    );
    expect(finishOf(parts)).toMatchObject({ text: answer, usage: { inputTokens: 5, outputTokens: 9 } });

    const generatedFile = cassette();
    await recordingModel(
      scriptedModel("live", [{ text: answer, usage: { inputTokens: 5, outputTokens: 9 } }]),
      generatedFile,
    ).generate(ask);
    expect(readCassette(streamedFile)).toEqual(readCassette(generatedFile));
  });

  it("the entry is written before finish is sent, and replays streamed and generated", async () => {
    const file = cassette();
    const recording = recordingModel(scriptedModel("live", [answer]), file);
    for await (const part of recording.stream(ask)) {
      if (part.type === "finish") expect(recording.recorded).toBe(1);
    }
    const replayParts = await collect(replayModel(file).stream(ask));
    expect(replayParts.map((part) => part.type)).toEqual(["text-delta", "finish"]);
    expect(shownText(replayParts)).toBe(answer);
    expect(withoutTimes(finishOf(replayParts))).toEqual(withoutTimes(await replayModel(file).generate(ask)));
  });

  it("a nested ladder's attempts pass through; the ladder's final generation is recorded", async () => {
    const file = cassette();
    const rubric = defineRubric({
      id: "rivers",
      rules: [predicate("names-nile", (text: string) => text.includes("Nile"))],
    });
    const ladder = escalateAcross([scriptedModel("small", ["Rivers."]), scriptedModel("large", [answer])], {
      rubric,
    });
    const parts = await collect(recordingModel(ladder, file).stream(ask));
    expect(shape(parts)).toEqual([
      "attempt-start",
      "text-delta*",
      "discard",
      "attempt-start",
      "text-delta*",
      "finish",
    ]);
    const [entry] = readCassette(file);
    expect(entry?.generation?.text).toBe(answer);
    expect(entry?.generation?.answeredBy).toMatchObject({ rung: 1 });
  });

  it("a stream that fails is recorded as the failure; an abort and a stream left early are not", async () => {
    const file = cassette();
    const broken = new ProviderError("connection reset", { kind: "network", providerId: "live" });
    const failing = recordingModel(scriptedModel("live", [{ chunks: ["The Nile", broken] }]), file);
    await expect(collect(failing.stream(ask))).rejects.toBe(broken);
    expect(readCassette(file)).toMatchObject([{ error: { kind: "network", message: "connection reset" } }]);

    const controller = new AbortController();
    const stalled = recordingModel(scriptedModel("live", [{ chunks: ["The", hang] }]), file);
    const reason = new Error("stop");
    const run = (async () => {
      for await (const part of stalled.stream(ask, { signal: controller.signal })) {
        if (part.type === "text-delta") controller.abort(reason);
      }
    })();
    await expect(run).rejects.toBe(reason);

    const left = recordingModel(scriptedModel("live", [answer]), file);
    for await (const part of left.stream(ask)) if (part.type === "text-delta") break;
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(1);
  });

  it("accepted-only sends the recorded answer as one delta", async () => {
    const parts = await collect(
      recordingModel(scriptedModel("live", [answer]), cassette()).stream(ask, { mode: "accepted-only" }),
    );
    expect(parts).toEqual([
      { type: "text-delta", text: answer },
      expect.objectContaining({ type: "finish" }),
    ]);
  });
});
