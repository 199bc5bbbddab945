import { describe, expect, it } from "vitest";
import { Budget, BudgetExhaustedError } from "../../src/budget.js";
import { ExhaustedError } from "../../src/errors/exhausted-error.js";
import { InvalidArgumentError } from "../../src/errors/invalid-argument-error.js";
import { NoProgressError } from "../../src/errors/no-progress-error.js";
import { type ContextSplitEvent, RungsEvents } from "../../src/events.js";
import type { GenerateRequest } from "../../src/model.js";
import { continueUntilComplete } from "../../src/primitives/continue-until-complete.js";
import { defaultMapPrompt, defaultReducePrompt } from "../../src/primitives/split-requests.js";
import { treeSplit } from "../../src/primitives/tree-split.js";
import { renderedChars } from "../../src/prompt.js";
import { hang, type ScriptStep, scriptedModel } from "../../src/testing/index.js";

const chunk = (i: number) =>
  `chunk-${String(i).padStart(3, "0")} ${"lorem ipsum dolor sit amet. ".repeat(10)}`;
const document = Array.from({ length: 100 }, (_, i) => chunk(i)).join("\n\n");
const task: GenerateRequest = {
  messages: [{ role: "user", content: "Summarise the document." }],
  context: [document],
};
const stageOf = (request: GenerateRequest) => {
  const system = request.messages[0]?.content;
  return system === defaultMapPrompt ? "map" : system === defaultReducePrompt ? "reduce" : "answer";
};
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A model that answers by stage: notes of `mapChars`, merged notes of `reduceChars`, then "final". */
function stagedModel(
  mapChars = 450,
  reduceChars = 150,
  extra: (request: GenerateRequest) => ScriptStep | undefined = () => undefined,
) {
  return scriptedModel(
    "m",
    [
      async (request) => {
        await tick(); // real 0-ms timers, so calls overlap and concurrency is observable
        const override = extra(request);
        if (override !== undefined) return override;
        const stage = stageOf(request);
        if (stage === "map")
          return { text: "n".repeat(mapChars), usage: { inputTokens: 1, outputTokens: 2 } };
        if (stage === "reduce")
          return { text: "r".repeat(reduceChars), usage: { inputTokens: 1, outputTokens: 2 } };
        return { text: "final", usage: { inputTokens: 1, outputTokens: 2 } };
      },
    ],
    { whenDone: "repeat-last" },
  );
}

describe("treeSplit", () => {
  it("passes a request within budget through untouched, in exactly one call", async () => {
    const model = stagedModel();
    const request: GenerateRequest = { messages: [{ role: "user", content: "hi" }], context: ["short"] };
    const result = await treeSplit(model, { promptLimit: { chars: 4000 } }).generate(request);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]?.request).toBe(request);
    expect(result.trace?.split).toBeUndefined();
  });

  it("a 100-chunk document under a 4,000-char budget: exact calls, bounded concurrency and depth, every chunk mapped", async () => {
    const model = stagedModel();
    const events = new RungsEvents();
    const splits: ContextSplitEvent[] = [];
    events.on("context-split", (e) => splits.push(e));
    // reserve 0: shards packed to the whole budget, so the counts below follow from the budget alone.
    const result = await treeSplit(model, {
      promptLimit: { chars: 4000 },
      concurrency: 4,
      reserve: 0,
    }).generate(task, {
      events,
    });

    const split = result.trace?.split;
    expect(split).toMatchObject({ shards: 9, reduces: 2, depth: 1, calls: 12, truncatedChars: 0 });
    expect(model.calls).toHaveLength(12);
    expect(model.calls).toHaveLength((split?.shards ?? 0) + (split?.reduces ?? 0) + 1);
    expect(model.maxInFlight).toBe(4);
    expect(result.text).toBe("final");
    expect(result.usage).toEqual({ inputTokens: 12, outputTokens: 24 });

    const stages = model.calls.map((c) => stageOf(c.request));
    expect(stages).toEqual([...Array(9).fill("map"), "reduce", "reduce", "answer"]);
    for (const call of model.calls) expect(renderedChars(call.request)).toBeLessThanOrEqual(4000);
    const mapped = model.calls
      .filter((c) => stageOf(c.request) === "map")
      .map((c) => c.request.context?.join("\n") ?? "");
    for (let i = 0; i < 100; i += 1) {
      const id = `chunk-${String(i).padStart(3, "0")}`;
      expect(mapped.filter((text) => text.includes(id))).toHaveLength(1);
      expect(mapped.join("\n")).toContain(chunk(i).trim());
    }
    // Greedy packing: no two neighbouring shards would have fit together.
    const shardTexts = mapped;
    for (let i = 0; i + 1 < shardTexts.length; i += 1) {
      const together = { ...model.calls[i]!.request, context: [`${shardTexts[i]}\n\n${shardTexts[i + 1]}`] };
      expect(renderedChars(together)).toBeGreaterThan(4000);
    }
    // The final call answers from the scratchpad with the original messages.
    const final = model.calls.at(-1)!.request;
    expect(final.messages).toEqual(task.messages);
    expect(final.context?.[0]).toContain("r".repeat(150));
    expect(split?.nodes.map((n) => `${n.stage}@${n.depth}`)).toEqual([
      ...Array(9).fill("map@0"),
      "reduce@1",
      "reduce@1",
      "answer@2",
    ]);
    expect(splits.map((e) => e.stage)).toEqual([
      "plan",
      ...Array(9).fill("map"),
      "reduce",
      "reduce",
      "answer",
    ]);
    expect(splits[1]?.path).toMatch(/^treeSplit\/map\[\d\]$/);
  });

  it("concurrency 1 runs one call at a time", async () => {
    const model = stagedModel();
    await treeSplit(model, { promptLimit: { chars: 4000 }, concurrency: 1 }).generate(task);
    expect(model.maxInFlight).toBe(1);
  });

  it("a reduce level that does not shrink the notes throws NoProgressError, never loops", async () => {
    const model = stagedModel(450, 0, (request) =>
      stageOf(request) === "reduce" ? `${request.context?.[0] ?? ""} and more` : undefined,
    );
    const error = await treeSplit(model, { promptLimit: { chars: 4000 }, reserve: 0 })
      .generate(task)
      .catch((e: unknown) => e);
    expect(NoProgressError.isInstance(error)).toBe(true);
    expect(ExhaustedError.isInstance(error)).toBe(true);
    const noProgress = error as NoProgressError;
    expect(noProgress).toMatchObject({ limit: "noProgress", stage: "reduce", depth: 1 });
    expect(noProgress.after).toBeGreaterThanOrEqual(noProgress.before);
    expect(model.calls).toHaveLength(9 + 2);
    expect(noProgress.trace?.calls).toBe(11);
  });

  it("at maxDepth the scratchpad is truncated with a visible marker, a split event and a trace entry", async () => {
    // Each reduce shrinks the notes only a little, so one level is not enough.
    const model = stagedModel(450, 0, (request) =>
      stageOf(request) === "reduce" ? (request.context?.[0] ?? "").slice(0, -40) : undefined,
    );
    const events = new RungsEvents();
    const truncations: ContextSplitEvent[] = [];
    events.on("context-split", (e) => e.stage === "truncate" && truncations.push(e));
    const result = await treeSplit(model, { promptLimit: { chars: 4000 }, maxDepth: 1 }).generate(task, {
      events,
    });
    const split = result.trace?.split;
    expect(split?.depth).toBe(1);
    expect(split?.truncatedChars).toBeGreaterThan(0);
    expect(truncations).toHaveLength(1);
    const final = model.calls.at(-1)!.request;
    expect(final.context?.[0]).toMatch(
      /\[rungs: \d+ chars of notes cut here to fit the budget after 1 reduce level\(s\)\]/,
    );
    expect(renderedChars(final)).toBeLessThanOrEqual(4000);
    expect(model.calls).toHaveLength((split?.shards ?? 0) + (split?.reduces ?? 0) + 1);
  });

  it('onShardError "skip" records the gap in the scratchpad and the trace; calls still add up', async () => {
    const failure = new Error("shard exploded");
    const model = stagedModel(100, 100, (request) =>
      stageOf(request) === "map" && request.context?.[0]?.includes("chunk-050") ? failure : undefined,
    );
    const result = await treeSplit(model, {
      promptLimit: { chars: 4000 },
      onShardError: "skip",
      reserve: 0,
    }).generate(task);
    const split = result.trace?.split;
    const failed = split?.nodes.filter((n) => n.error !== undefined) ?? [];
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error?.message).toBe("shard exploded");
    expect(model.calls.at(-1)?.request.context?.[0]).toMatch(
      /Part \d of 9: MISSING — the call failed \(Error: shard exploded\)/,
    );
    expect(model.calls).toHaveLength((split?.shards ?? 0) + (split?.reduces ?? 0) + 1);
  });

  it('onShardError "fail" (default) rethrows the first shard error untouched and aborts its siblings', async () => {
    const failure = new Error("shard exploded");
    const model = scriptedModel(
      "m",
      [(request) => (request.context?.[0]?.startsWith("chunk-000") ? failure : hang)],
      { whenDone: "repeat-last" },
    );
    const error = await treeSplit(model, { promptLimit: { chars: 4000 }, concurrency: 3 })
      .generate(task)
      .catch((e: unknown) => e);
    expect(error).toBe(failure);
    expect(model.calls).toHaveLength(3);
    expect(model.calls.every((c) => c.options.signal?.aborted)).toBe(true);
  });

  it("abort during fan-out: rejects with signal.reason, aborts every in-flight call, starts no new one", async () => {
    const model = scriptedModel("m", [hang], { whenDone: "repeat-last" });
    const controller = new AbortController();
    const reason = new Error("caller stopped");
    const running = treeSplit(model, { promptLimit: { chars: 4000 }, concurrency: 3 }).generate(task, {
      signal: controller.signal,
    });
    await tick();
    expect(model.inFlight).toBe(3);
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    await tick();
    expect(model.calls).toHaveLength(3);
    expect(model.inFlight).toBe(0);
    expect(model.calls.every((c) => c.options.signal?.aborted && c.options.signal.reason === reason)).toBe(
      true,
    );
  });

  it("a spent shared Budget stops the fan-out even with onShardError skip", async () => {
    const model = stagedModel();
    const error = await treeSplit(model, { promptLimit: { chars: 4000 }, onShardError: "skip" })
      .generate(task, { budget: new Budget({ maxCalls: 5 }) })
      .catch((e: unknown) => e);
    expect(BudgetExhaustedError.isInstance(error)).toBe(true);
    expect(model.calls.length).toBeLessThanOrEqual(5);
  });

  it("counts a token budget with the caller's counter", async () => {
    const count = (text: string) => text.split(/\s+/).filter(Boolean).length;
    const model = stagedModel(100, 50);
    const result = await treeSplit(model, { promptLimit: { tokens: 600, count } }).generate(task);
    const split = result.trace?.split;
    expect(split?.shards).toBeGreaterThan(1);
    for (const call of model.calls) {
      const rendered = [
        call.request.messages.map((m) => m.content).join(" "),
        ...(call.request.context ?? []),
      ];
      expect(count(rendered.join(" "))).toBeLessThanOrEqual(700); // block framing adds a few words
    }
    expect(model.calls).toHaveLength((split?.shards ?? 0) + (split?.reduces ?? 0) + 1);
  });

  it("nests: continuation inside treeSplit stitches cut-off notes", async () => {
    let cutOnce = false;
    const inner = stagedModel(100, 100, (request) => {
      if (stageOf(request) === "map" && !cutOnce) {
        cutOnce = true;
        return { text: "partial notes", finishReason: "length" };
      }
      return undefined;
    });
    const result = await treeSplit(continueUntilComplete(inner), { promptLimit: { chars: 4000 } }).generate(
      task,
    );
    const split = result.trace?.split;
    expect(split?.nodes.some((n) => n.trace?.continuation?.continuations === 1)).toBe(true);
    expect(inner.calls).toHaveLength((split?.shards ?? 0) + (split?.reduces ?? 0) + 1 + 1);
  });

  it("throws NoProgressError before any call when the task alone exceeds the budget", async () => {
    const model = stagedModel();
    const request: GenerateRequest = {
      messages: [{ role: "user", content: "x".repeat(5000) }],
      context: ["doc"],
    };
    const error = await treeSplit(model, { promptLimit: { chars: 4000 } })
      .generate(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoProgressError);
    expect((error as NoProgressError).stage).toBe("plan");
    expect(model.calls).toHaveLength(0);
  });

  it.each([
    [{}, "promptLimit"],
    [{ promptLimit: {} }, "promptLimit"],
    [{ promptLimit: { chars: 0 } }, "promptLimit.chars"],
    [{ promptLimit: { tokens: 10 } }, "promptLimit"],
    [{ promptLimit: { chars: 10 }, concurrency: 0 }, "concurrency"],
    [{ promptLimit: { chars: 10 }, maxDepth: 0 }, "maxDepth"],
    [{ promptLimit: { chars: 10 }, onShardError: "ignore" }, "onShardError"],
  ])("refuses %o at construction, naming %s", (options, parameter) => {
    const attempt = () => treeSplit(stagedModel(), options as never);
    expect(attempt).toThrow(InvalidArgumentError);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidArgumentError).parameter).toBe(parameter);
    }
  });
});
