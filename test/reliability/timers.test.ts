// Class "timer overflow": Node fires a timer set past 2³¹−1 ms after about 1 ms. Every time limit rungs
// takes refuses such a value at construction, naming the option; computed delays are clamped by the clock.
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.js";
import {
  Budget,
  CircuitBreakers,
  defineRubric,
  InvalidArgumentError,
  jsPattern,
  judgeRule,
  predicate,
} from "../../src/index.js";
import { ollamaModel } from "../../src/providers/ollama/index.js";
import { scriptedModel } from "../../src/testing/index.js";

const thirtyDays = 30 * 24 * 3_600_000;
const longest = 2 ** 31 - 1;

const limits: Array<[string, (ms: number) => unknown]> = [
  ["Budget deadlineMs", (ms) => new Budget({ deadlineMs: ms })],
  [
    "defineRubric ruleTimeoutMs",
    (ms) => defineRubric({ id: "r", rules: [predicate("p", () => true)], ruleTimeoutMs: ms }),
  ],
  ["rule timeoutMs", (ms) => predicate("p", () => true, { timeoutMs: ms })],
  [
    "judgeRule timeoutMs",
    (ms) => judgeRule("j", scriptedModel("j", ["{}"]), { criteria: "good", timeoutMs: ms }),
  ],
  ["CircuitBreakers probeTimeoutMs", (ms) => new CircuitBreakers({ probeTimeoutMs: ms })],
  ["CircuitBreakers openMs", (ms) => new CircuitBreakers({ openMs: ms })],
  ["ollama timeoutMs", (ms) => ollamaModel({ model: "m", timeoutMs: ms })],
  ["ollama retry maxDelayMs", (ms) => ollamaModel({ model: "m", retry: { maxDelayMs: ms } })],
  ["ollama retry maxRetryAfterMs", (ms) => ollamaModel({ model: "m", retry: { maxRetryAfterMs: ms } })],
  ["scriptedModel delayMs", (ms) => scriptedModel("s", ["a"], { delayMs: ms })],
  ["jsPattern timeoutMs", (ms) => jsPattern(/a/, { timeoutMs: ms })],
];

describe("time limits past 2³¹−1 ms", () => {
  it.each(limits)(
    "%s: 30 days is refused, naming the option and the limit; 2³¹−1 ms is accepted",
    (name, make) => {
      const option = name.split(" ").at(-1) as string;
      let error: unknown;
      try {
        make(thirtyDays);
      } catch (e) {
        error = e;
      }
      expect(InvalidArgumentError.isInstance(error), `${name} accepted 30 days`).toBe(true);
      expect((error as Error).message).toContain(option);
      expect((error as Error).message).toMatch(/2147483647/);
      expect(() => make(longest)).not.toThrow();
    },
  );

  it("the system clock clamps a computed delay instead of firing it at once", async () => {
    let fired = false;
    const handle = systemClock.setTimeout(() => {
      fired = true;
    }, thirtyDays);
    await new Promise((resolve) => setTimeout(resolve, 50));
    systemClock.clearTimeout(handle);
    expect(fired).toBe(false);
  });

  it("a Budget with the longest deadline runs a call instead of failing it at once", async () => {
    const budget = new Budget({ deadlineMs: longest });
    await expect(budget.runWithinDeadline(undefined, async () => "ok")).resolves.toBe("ok");
  });
});
