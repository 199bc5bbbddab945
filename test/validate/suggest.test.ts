import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closestKey } from "../../src/validate/suggest.js";

const engineKeys = [
  "rubric",
  "maxAttempts",
  "maxFeedbackChars",
  "onExhausted",
  "breakers",
  "timeoutMs",
  "id",
];

describe("closestKey", () => {
  it.each([
    ["maxAttempt", "maxAttempts"],
    ["maxAtempts", "maxAttempts"],
    ["maxAttmepts", "maxAttempts"],
    ["max_attempts", "maxAttempts"],
    ["MaxAttempts", "maxAttempts"],
    ["max_feedback_chars", "maxFeedbackChars"],
    ["timeout", "timeoutMs"],
    ["rubrik", "rubric"],
    ["onExhaust", "onExhausted"],
  ])("suggests %s → %s", (typo, meant) => {
    expect(closestKey(typo, engineKeys)).toBe(meant);
  });

  it.each(["temperature", "x", "model", "", "budget"])("suggests nothing for %j", (key) => {
    expect(closestKey(key, engineKeys)).toBeUndefined();
  });

  it("serves config names too: one threshold, any iterable of names", () => {
    const providers = new Set(["ollama", "ai-sdk", "function"]);
    expect(closestKey("olama", providers)).toBe("ollama");
    expect(closestKey("aisdk", providers)).toBe("ai-sdk");
    expect(closestKey("fats", ["fast", "slow"])).toBe("fast");
    expect(closestKey("attemps", ["attempts", "feedback"])).toBe("attempts");
    // A one-character name is never "close" to a longer one; only a case or separator slip is.
    expect(closestKey("i", ["id", "ab"])).toBeUndefined();
    expect(closestKey("I", ["i"])).toBe("i");
  });

  it("finds every known key from itself and from any one-letter slip of a long key", () => {
    fc.assert(
      fc.property(fc.constantFrom(...engineKeys.filter((k) => k.length >= 6)), fc.nat(), (key, at) => {
        const i = at % key.length;
        const dropped = key.slice(0, i) + key.slice(i + 1);
        expect(closestKey(key, engineKeys)).toBe(key);
        expect(closestKey(dropped, engineKeys)).toBe(key);
      }),
    );
  });
});
