import { describe, expect, it, vi } from "vitest";
import { emit, joinPath } from "../src/events.js";
import { RungsEvents } from "../src/index.js";

const skip = {
  path: "escalate",
  timestamp: 1,
  skip: { rung: 0, modelId: "m", reason: "disabled" as const, detail: "off", at: 1 },
};

describe("RungsEvents", () => {
  it("delivers typed events to every listener, even after one throws, and reports it once", () => {
    const reported: string[] = [];
    const events = new RungsEvents({
      onListenerError: (error, event) => reported.push(`${event}: ${String(error)}`),
    });
    const seen: string[] = [];
    const bad = () => {
      throw new Error("listener bug");
    };
    events.on("rung-skip", bad);
    events.on("rung-skip", (event) => seen.push(event.skip.reason));
    emit(events, "rung-skip", skip);
    emit(events, "rung-skip", skip);
    expect(seen).toEqual(["disabled", "disabled"]);
    expect(reported).toEqual(["rung-skip: Error: listener bug"]);
  });

  it("removes a listener by the function the caller passed", () => {
    const events = new RungsEvents();
    const fn = vi.fn();
    events.on("rung-skip", fn);
    events.off("rung-skip", fn);
    emit(events, "rung-skip", skip);
    expect(fn).not.toHaveBeenCalled();
    const stop = events.subscribe("rung-skip", fn);
    emit(events, "rung-skip", skip);
    stop();
    emit(events, "rung-skip", skip);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(events.listenerCount("rung-skip")).toBe(0);
  });

  it("fires once-listeners once", () => {
    const events = new RungsEvents();
    const fn = vi.fn();
    events.once("rung-skip", fn);
    emit(events, "rung-skip", skip);
    emit(events, "rung-skip", skip);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("reports a throwing listener as a process warning by default", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const events = new RungsEvents();
    events.on("rung-skip", () => {
      throw new Error("oops");
    });
    emit(events, "rung-skip", skip);
    emit(events, "rung-skip", skip);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain("oops");
    warn.mockRestore();
  });
});

describe("joinPath", () => {
  it("joins segments with slashes", () => {
    expect(joinPath(undefined, "treeSplit")).toBe("treeSplit");
    expect(joinPath("treeSplit/map[3]", "escalate")).toBe("treeSplit/map[3]/escalate");
  });
});
