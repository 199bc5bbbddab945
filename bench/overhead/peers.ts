import { RunnableLambda } from "@langchain/core/runnables";
import { APICallError, generateText } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { ConstantBackoff, fallback, handleAll, retry, wrap } from "cockatiel";
import pRetry from "p-retry";
import type { Row } from "./row.js";
import { passes, prompt, Rejected, type Script } from "./scenario.js";

/** The zero-cost model of the peer rows: a plain async function. */
const zeroCost = async (script: Script, _prompt: string): Promise<string> => script.next();

/** Calls the model and throws {@link Rejected} when the check fails, so a retry policy sees a failure. */
const checked = async (script: Script): Promise<string> => {
  const text = await zeroCost(script, prompt);
  if (!passes(text)) throw new Rejected(text);
  return text;
};

/** The floor: a `for` loop around the same throwing check, keeping the last error. */
const baseline: Row = {
  id: "baseline",
  stubTimers: false,
  setup: (script) => async () =>
    script.invoke(async () => {
      let last: unknown;
      for (let attempt = 1; attempt <= 6; attempt += 1) {
        try {
          return await checked(script);
        } catch (error) {
          last = error;
        }
      }
      throw last;
    }),
};

const pRetryRow: Row = {
  id: "p-retry",
  stubTimers: true,
  setup: (script) => async () =>
    script.invoke(() => pRetry(() => checked(script), { retries: 5, minTimeout: 0 })),
};

/** Every option given, so p-retry's `??=` defaults never reshape its options object. */
const pRetryAllGiven: Row = {
  id: "p-retry-all",
  stubTimers: true,
  setup: (script) => {
    const options = {
      retries: 5,
      factor: 2,
      minTimeout: 0,
      maxTimeout: Number.POSITIVE_INFINITY,
      maxRetryTime: Number.POSITIVE_INFINITY,
      randomize: false,
      onFailedAttempt: () => {},
      shouldRetry: () => true,
      shouldConsumeRetry: () => true,
    };
    return async () => script.invoke(() => pRetry(() => checked(script), options));
  },
};

const cockatielRetry: Row = {
  id: "cockatiel-retry",
  stubTimers: true,
  setup: (script) => {
    const policy = retry(handleAll, { maxAttempts: 5, backoff: new ConstantBackoff(0) });
    return async () => script.invoke(() => policy.execute(() => checked(script)));
  },
};

const cockatielFallback: Row = {
  id: "cockatiel-retry-fallback",
  stubTimers: true,
  setup: (script) => {
    const policy = wrap(
      fallback(handleAll, () => checked(script)),
      retry(handleAll, { maxAttempts: 4, backoff: new ConstantBackoff(0) }),
    );
    return async () => script.invoke(() => policy.execute(() => checked(script)));
  },
};

const langchainRetry: Row = {
  id: "langchain-retry",
  stubTimers: true,
  setup: (script) => {
    const runnable = RunnableLambda.from((_input: string) => checked(script)).withRetry({
      stopAfterAttempt: 6,
    });
    return async () => script.invoke(() => runnable.invoke(prompt));
  },
};

const langchainFallbacks: Row = {
  id: "langchain-fallbacks",
  stubTimers: true,
  setup: (script) => {
    const rungs = Array.from({ length: 6 }, () => RunnableLambda.from((_input: string) => checked(script)));
    const [first, ...rest] = rungs;
    const ladder = first!.withFallbacks(rest);
    return async () => script.invoke(() => ladder.invoke(prompt));
  },
};

/** A V3 generate result carrying `text`. */
const aiResult = (text: string) => ({
  content: [{ type: "text" as const, text }],
  finishReason: { unified: "stop" as const, raw: "stop" },
  usage: {
    inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 5, text: 5, reasoning: undefined },
  },
  warnings: [],
});

const aiSdk: Row = {
  id: "ai-sdk",
  stubTimers: true,
  // generateText has no output check to retry on, so only the thrown-error case.
  cases: ["A", "B"],
  setup: (script) => {
    const model = new MockLanguageModelV3({
      doGenerate: async () => {
        let text: string;
        try {
          text = script.next();
        } catch {
          throw new APICallError({
            message: "service unavailable",
            url: "http://localhost/v1",
            requestBodyValues: {},
            statusCode: 503,
            isRetryable: true,
          });
        }
        return aiResult(text);
      },
    });
    return async () =>
      script.invoke(async () => {
        const result = await generateText({ model, prompt, maxRetries: 5 });
        if (!passes(result.text)) throw new Rejected(result.text);
        return result.text;
      });
  },
};

/** Every peer row. */
export const peerRows: readonly Row[] = [
  baseline,
  pRetryRow,
  pRetryAllGiven,
  cockatielRetry,
  cockatielFallback,
  langchainRetry,
  langchainFallbacks,
  aiSdk,
];
