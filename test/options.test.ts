import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidArgumentError } from "../src/index.js";
import { parseOptions } from "../src/options.js";

describe("parseOptions", () => {
  const schema = z.object({ maxAttempts: z.number().int().min(1), apiKey: z.string().optional() }).strict();

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
