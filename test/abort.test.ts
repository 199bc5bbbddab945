import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { sequentialRacer } from "../src/abort.js";

describe("sequentialRacer", () => {
  it("races many promises in turn with one listener, and removes it on dispose", async () => {
    const controller = new AbortController();
    const racer = sequentialRacer(controller.signal);
    for (let i = 0; i < 1_000; i++) expect(await racer.race(Promise.resolve(i))).toBe(i);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    racer.dispose();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("rejects the race in flight with the signal's reason, and every later one at once", async () => {
    const controller = new AbortController();
    const racer = sequentialRacer(controller.signal);
    const pending = racer.race(new Promise(() => {}));
    const why = new Error("stop");
    controller.abort(why);
    await expect(pending).rejects.toBe(why);
    await expect(racer.race(Promise.resolve(1))).rejects.toBe(why);
  });

  it("a losing promise that rejects later is handled (no unhandled rejection)", async () => {
    const controller = new AbortController();
    const racer = sequentialRacer(controller.signal);
    let fail: (error: Error) => void = () => {};
    const pending = racer.race(new Promise((_, reject) => (fail = reject)));
    controller.abort(new Error("first"));
    await expect(pending).rejects.toThrow("first");
    fail(new Error("late"));
    await new Promise((resolve) => setTimeout(resolve, 0));
  });

  it("without a signal, returns the promise itself", async () => {
    const promise = Promise.resolve(5);
    expect(sequentialRacer(undefined).race(promise)).toBe(promise);
  });
});
