// One failure classifier for every model (issue 29): an SDK error carrying an HTTP status is classified the
// same whether fromFunction, defineModel or a hand-written Model threw it, and failureKindOf agrees.
import { describe, expect, it } from "vitest";
import {
  defineModel,
  type ExhaustedError,
  failureKindOf,
  fromFunction,
  type Model,
  retryWithContext,
} from "../../src/index.js";

/** An error as openai-node and anthropic-sdk throw it: a message and a numeric `status`. */
const sdkError = (status: number, message: string, field: "status" | "statusCode" = "status") =>
  Object.assign(new Error(message), { [field]: status });

const makers: Record<string, (error: Error, calls: { n: number }) => Model> = {
  fromFunction: (error, calls) =>
    fromFunction("f", () => {
      calls.n += 1;
      throw error;
    }),
  defineModel: (error, calls) =>
    defineModel("d", () => {
      calls.n += 1;
      throw error;
    }),
  "a hand-written Model": (error, calls) => ({
    id: "h",
    generate: async () => {
      calls.n += 1;
      throw error;
    },
  }),
};

const cases = [
  [401, "Unauthorized", "auth"],
  [403, "Forbidden", "auth"],
  [404, "The model `gpt-9` does not exist", "model-not-found"],
  [400, "This model's maximum context length is 8192 tokens", "context-overflow"],
  [429, "You exceeded your current quota (insufficient_quota)", "quota-exhausted"],
  [429, "Rate limit reached for requests", "rate-limited"],
  [503, "Service Unavailable", "server-error"],
] as const;

describe("one failure classifier for every model", () => {
  for (const [maker, make] of Object.entries(makers)) {
    it.each(cases)(
      `${maker}: status %i (%s) is %s, and a kind asking again cannot fix is not re-sent`,
      async (status, message, kind) => {
        const calls = { n: 0 };
        const error = (await retryWithContext(make(sdkError(status, message), calls), { maxAttempts: 3 })
          .generate({ prompt: "q" })
          .catch((e: unknown) => e)) as ExhaustedError;
        expect(error.attempts[0]?.kind).toBe(kind);
        expect(calls.n).toBe(kind === "server-error" ? 3 : 1);
      },
    );
  }

  it("failureKindOf reads status and statusCode the same way the providers do", () => {
    for (const [status, message, kind] of cases) {
      expect(failureKindOf(sdkError(status, message))).toBe(kind);
      expect(failureKindOf(sdkError(status, message, "statusCode"))).toBe(kind);
    }
    // No status, or not an HTTP error status: an unknown failure of the call.
    expect(failureKindOf(new Error("boom"))).toBe("server-error");
    expect(failureKindOf(Object.assign(new Error("odd"), { status: 200 }))).toBe("server-error");
  });
});
