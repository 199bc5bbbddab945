import { describe, expect, it } from "vitest";
import { InvalidArgumentError, ProviderError } from "../../src/index.js";
import { hang, manualClock, scriptedModel } from "../../src/testing/index.js";

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

describe("scriptedModel", () => {
  it("plays texts, errors, partial generations and functions in order, recording every call", async () => {
    const failure = new ProviderError("down", { kind: "server-error", providerId: "m", status: 503 });
    const model = scriptedModel("m", [
      "first",
      failure,
      { text: "cut", finishReason: "length", usage: { outputTokens: 3 } },
      (request) => `echo: ${request.messages[0]?.content}`,
    ]);
    expect((await model.generate(ask("a"))).text).toBe("first");
    await expect(model.generate(ask("b"))).rejects.toBe(failure);
    expect(await model.generate(ask("c"))).toMatchObject({
      text: "cut",
      finishReason: "length",
      usage: { outputTokens: 3 },
    });
    expect((await model.generate(ask("d"))).text).toBe("echo: d");
    expect(model.calls.map((call) => call.request.messages[0]?.content)).toEqual(["a", "b", "c", "d"]);
    await expect(model.generate(ask("e"))).rejects.toThrow(/no step for call 5 \(4 scripted/);
  });

  it("repeats the last step when asked", async () => {
    const model = scriptedModel("m", ["x"], { whenDone: "repeat-last" });
    for (let i = 0; i < 3; i += 1) await model.generate(ask("q"));
    expect(model.calls).toHaveLength(3);
  });

  it("delays on the injected clock and tracks concurrency", async () => {
    const clock = manualClock();
    const model = scriptedModel("m", ["a", "b", "c"], { delayMs: 100, clock });
    const all = Promise.all([model.generate(ask("1")), model.generate(ask("2")), model.generate(ask("3"))]);
    await clock.advance(50);
    expect(model.inFlight).toBe(3);
    await clock.advance(50);
    expect((await all).map((g) => g.text)).toEqual(["a", "b", "c"]);
    expect(model.maxInFlight).toBe(3);
    expect(model.inFlight).toBe(0);
  });

  it("hangs until aborted, then rejects with the reason", async () => {
    const model = scriptedModel("m", [hang]);
    const controller = new AbortController();
    const pending = model.generate(ask("x"), { signal: controller.signal });
    controller.abort("stop");
    await expect(pending).rejects.toBe("stop");
  });

  it("refuses an empty script and bad options", () => {
    expect(() => scriptedModel("m", [])).toThrow(InvalidArgumentError);
    expect(() => scriptedModel("m", ["x"], { delayMs: -1 })).toThrow(/option "delayMs"/);
  });
});
