// The attempt loop (src/attempts/engine.ts) through its public face: pick a rung, ask the gates, call,
// judge, decide. Each gate has its own test under gates/; the decision, decide.test.ts.
import { describe, expect, it } from "vitest";
import {
  defineRubric,
  type ExhaustedError,
  escalateAcross,
  matches,
  memoryStatsStore,
  ProviderError,
  RungsEvents,
} from "../../src/index.js";
import { scriptedModel } from "../../src/testing/index.js";

const rubric = defineRubric({ id: "r", rules: [matches("ok", /\bok\b/)] });
const ask = (content: string, metadata?: Record<string, string>) => ({
  messages: [{ role: "user" as const, content }],
  ...(metadata === undefined ? {} : { metadata }),
});
const fail = async (run: Promise<unknown>) =>
  (await run.then(
    () => undefined,
    (e: unknown) => e,
  )) as ExhaustedError;

describe("the attempt loop", () => {
  it("retries a rung up to its maxAttempts with feedback, then climbs; the answer names its rung", async () => {
    const low = scriptedModel("low", ["nope", "still no"]);
    const high = scriptedModel("high", ["ok"]);
    const answer = await escalateAcross([{ model: low, maxAttempts: 2 }, high], { rubric }).generate(
      ask("q"),
    );
    expect(answer.answeredBy).toEqual({ rung: 1, modelId: "high", climbed: true, attemptCount: 3 });
    expect(answer.trace?.attempts?.map((a) => [a.rung, a.kind ?? "accepted"])).toEqual([
      [0, "rejected"],
      [0, "rejected"],
      [1, "accepted"],
    ]);
    expect(low.calls[1]!.request.feedback).toHaveLength(1);
    // The two failures say the same thing: merged into one entry standing for both attempts.
    expect(high.calls[0]!.request.feedback).toMatchObject([{ attempts: [1, 2], kind: "rejected" }]);
  });

  it("arrival gates are asked once per rung, in order; a skipped rung is recorded and climbed past", async () => {
    const asked: number[] = [];
    const ladder = escalateAcross(
      [
        {
          model: scriptedModel("a", ["ok"]),
          skip: ({ rung }) => {
            asked.push(rung);
            return "local only";
          },
        },
        {
          model: scriptedModel("b", ["nope", "ok"]),
          maxAttempts: 2,
          skip: ({ rung }) => {
            asked.push(rung);
            return false;
          },
        },
      ],
      { rubric },
    );
    const answer = await ladder.generate(ask("q"));
    expect(asked).toEqual([0, 1]);
    expect(answer.trace?.skips).toMatchObject([{ rung: 0, reason: "disabled", detail: "local only" }]);
    expect(answer.answeredBy?.attemptCount).toBe(2);
  });

  it("names the limit that fired: maxAttempts, everyRungTried, notRetryable", async () => {
    const bad = () => scriptedModel("bad", ["nope"], { whenDone: "repeat-last" });
    expect(
      (
        await fail(
          escalateAcross([{ model: bad(), maxAttempts: 5 }], { rubric, maxAttempts: 2 }).generate(ask("q")),
        )
      ).limit,
    ).toBe("maxAttempts");
    expect((await fail(escalateAcross([bad(), bad()], { rubric }).generate(ask("q")))).limit).toBe(
      "everyRungTried",
    );
    const denied = scriptedModel("denied", [
      new ProviderError("401", { kind: "auth", status: 401, providerId: "denied" }),
    ]);
    expect((await fail(escalateAcross([denied], { rubric }).generate(ask("q")))).limit).toBe("notRetryable");
  });

  it("reports run-exhaust once, with the attempt count, and blocks the task whose ladder was tried", async () => {
    const events = new RungsEvents();
    const seen: unknown[] = [];
    events.on("run-exhaust", (e) => seen.push([e.limit, e.attemptCount]));
    const store = memoryStatsStore();
    const ladder = escalateAcross([scriptedModel("a", ["nope"]), scriptedModel("b", ["nope"])], {
      rubric,
      store,
    });
    await fail(ladder.generate(ask("q", { taskId: "t" }), { events }));
    expect(seen).toEqual([["everyRungTried", 2]]);
    expect(await store.blockedAt("t")).toBeTypeOf("number");
  });
});
