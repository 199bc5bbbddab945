import { describe, expect, it } from "vitest";
import { Budget, BudgetExhaustedError, defineModel, InvalidArgumentError } from "../src/index.js";
import { hang, manualClock, scriptedModel } from "../src/testing/index.js";

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });

describe("defineModel", () => {
  it("fills finishReason, usage and modelId", async () => {
    const model = defineModel("echo", async (request) => ({ text: request.messages.at(-1)?.content ?? "" }));
    await expect(model.generate(ask("hi"))).resolves.toEqual({
      text: "hi",
      finishReason: "stop",
      usage: {},
      modelId: "echo",
    });
  });

  it("refuses an empty id, naming the parameter", () => {
    const attempt = () => defineModel("", async () => ({ text: "" }));
    expect(attempt).toThrow(InvalidArgumentError);
    expect(attempt).toThrow(/"id" must be a non-empty string/);
  });

  it("rejects with signal.reason, unwrapped, when aborted mid-call", async () => {
    const model = scriptedModel("slow", [hang]);
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const pending = model.generate(ask("x"), { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("aborts a hung call at the budget's deadline and names the limit", async () => {
    const clock = manualClock();
    const budget = new Budget({ deadlineMs: 1000, clock });
    const model = scriptedModel("hung", [hang]);
    const pending = model.generate(ask("x"), { budget });
    const settled = pending.catch((error: unknown) => error);
    await clock.advance(1000);
    const error = await settled;
    expect(error).toBeInstanceOf(BudgetExhaustedError);
    expect((error as BudgetExhaustedError).limit).toBe("deadline");
    // The call saw its signal abort, so the provider can stop its request.
    expect(model.calls[0]?.options.signal?.aborted).toBe(true);
  });
});
