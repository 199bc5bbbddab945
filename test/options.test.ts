import { describe, expect, it } from "vitest";
import { Budget, InvalidArgumentError, retryWithContext } from "../src/index.js";
import { parseOptions } from "../src/options.js";
import { ollamaModel as ollama } from "../src/providers/ollama/index.js";
import { scriptedModel } from "../src/testing/index.js";
import { number, object, string } from "../src/validate/check.js";

describe("parseOptions", () => {
  const schema = object({ maxAttempts: number({ int: true, min: 1 }), apiKey: string().optional() });

  it("names the option, what it accepts and what it got", () => {
    const error = (() => {
      try {
        parseOptions("retryWithContext", schema, { maxAttempts: 0.5 });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).parameter).toBe("maxAttempts");
    expect((error as InvalidArgumentError).value).toBe(0.5);
    expect((error as Error).message).toMatch(/^retryWithContext: option "maxAttempts" .* \(got 0\.5\)\.$/);
  });

  it("never repeats a secret-named option's value, whatever its type", () => {
    for (const apiKey of [123456789, { nested: "sk-abcdefghijklmnop" }, ["k1234567"]]) {
      try {
        parseOptions("ollama", schema, { maxAttempts: 1, apiKey });
        expect.unreachable();
      } catch (caught) {
        const error = caught as InvalidArgumentError;
        expect(error.parameter).toBe("apiKey");
        expect(error.value).toBe("***");
        expect(error.message).not.toContain(JSON.stringify(apiKey).slice(1, 8));
        expect(error.message).toContain("(got ***)");
      }
    }
  });
});

describe("parseOptions: rungs' own words", () => {
  const messageOf = (build: () => unknown) => {
    try {
      build();
    } catch (caught) {
      expect(InvalidArgumentError.isInstance(caught)).toBe(true);
      return caught as InvalidArgumentError;
    }
    throw new Error("expected an InvalidArgumentError");
  };

  it("names a misspelt option, the one it most likely meant, and the options taken", () => {
    const model = scriptedModel("m", ["ok"]);
    const error = messageOf(() => retryWithContext(model, { maxAttempt: 3 } as never));
    expect(error.parameter).toBe("maxAttempt");
    expect(error.message).toMatch(
      /^retryWithContext: unknown option "maxAttempt"\. Did you mean "maxAttempts"\? /,
    );
    expect(error.message).toContain("retryWithContext takes model, rubric, maxAttempts,");
  });

  it("suggests nested keys with their path, and says nothing when no key is close", () => {
    const nested = messageOf(() => ollama({ model: "m", retry: { maxRetry: 2 } } as never));
    expect(nested.parameter).toBe("retry.maxRetry");
    expect(nested.message).toContain('Did you mean "retry.maxRetries"?');
    expect(nested.message).toContain('ollamaModel "retry" takes maxRetries, initialDelayMs');
    const far = messageOf(() => new Budget({ temperature: 1 } as never));
    expect(far.message).toBe(
      'Budget: unknown option "temperature". Budget takes maxCalls, maxOutputTokens, deadlineMs, clock.',
    );
  });

  it("never repeats the value of a misspelt secret-named option", () => {
    const error = messageOf(() => ollama({ model: "m", apikey: "sk-live-0123456789abcdef" } as never));
    expect(error.message).toContain('Did you mean "apiKey"?');
    expect(error.message).not.toContain("0123456789");
    // An unknown option keeps only its name: its value may be a key under any name.
    expect(error.value).toEqual({ unknownKeys: ["apikey"] });
  });

  it('tells ollama("qwen3") to pass a settings object', () => {
    const error = messageOf(() => ollama("qwen3" as never));
    expect(error.message).toBe(
      'ollamaModel: takes a settings object, not a model name: write ollamaModel({ model: "qwen3" }) (got "qwen3").',
    );
  });

  it("says an options argument that is not an object is not one, and a missing option is missing", () => {
    expect(messageOf(() => new Budget(5 as never)).message).toBe(
      "Budget: options must be an object (got 5).",
    );
    expect(messageOf(() => ollama({} as never)).message).toBe(
      'ollamaModel: option "model" is missing; it must be a non-empty string.',
    );
  });
});
