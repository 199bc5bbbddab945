/**
 * The IFEval replay ladder (demo/ladder.ts: the same eight rungs, order, requests and strict rule pack) with
 * every rung a streaming leaf: `defineModel` with a `stream` function that sends that model's recorded
 * response one o200k_base token per delta at a fixed rate, paced by a virtual clock (bench/streaming/
 * virtual-time.ts), so a run of the 541 prompts takes seconds and its times are exact and repeatable.
 */
import pLimit from "p-limit";
import { requestTokens } from "../../demo/cost.js";
import { type IfevalData, type IfevalPrompt, ladderModels } from "../../demo/data.js";
import { requestOf, rubricOf } from "../../demo/ladder.js";
import {
  type Attempt,
  defineModel,
  ExhaustedError,
  escalateAcross,
  type Generation,
  type Rubric,
  type StreamingModel,
} from "../../src/index.js";
import { tokenPieces } from "./token-pieces.js";
import { type VirtualClock, virtualClock } from "./virtual-time.js";

/** How a prompt is asked: `generate`, or `stream` in one of the two modes. */
export type ReplayMode = "generate" | "live" | "accepted-only";

/** One call of a rung's leaf: what its provider stream sent. */
interface LeafCall {
  /** Tokens of the whole recorded response. */
  tokens: number;
  /** Tokens sent before the stream ended or was cancelled. */
  sentTokens: number;
  /** Virtual time the latest delta was sent at. */
  lastAt?: number;
  /** True when the stream sent its `finish` (false: the consumer cancelled it). */
  finished: boolean;
}

/** What happened to one prompt in one mode; times in virtual ms from the request. */
export interface PromptRun {
  key: number;
  /** First `text-delta` the caller saw (any attempt's); absent when none came. */
  firstTokenMs?: number | undefined;
  /** First `text-delta` of the accepted attempt the caller saw; absent when the ladder was exhausted. */
  firstAcceptedMs?: number | undefined;
  /** The `finish` part (or `generate`'s resolution); absent when exhausted. */
  answerMs?: number | undefined;
  /** 0-based rung of the accepted attempt; absent when exhausted. */
  rung?: number | undefined;
  attempts: number;
  /** Attempts with `stoppedEarly` in the trace. */
  stoppedEarly: number;
  /** Leaf streams closed before their `finish` (the provider's stream cancelled). */
  cancelled: number;
  /** Tokens the leaves sent, over every attempt. */
  tokensSent: number;
  /** Tokens the cancelled streams did not send. */
  tokensSaved: number;
  /** Tokens sent by the attempts that were rejected (a live stream showed them, then discarded them). */
  tokensDiscarded: number;
  /** Largest gap between when a leaf sent a delta and when the caller saw it (0 unless something lags). */
  lagMs: number;
}

/** The pace of every replayed stream. */
export interface Pace {
  /** Virtual ms per token: 20 = 50 tokens/s. The first token arrives one interval after the call. */
  msPerToken: number;
}

/** A rung's model for one prompt run: replays `name`'s recorded answer on `clock`, logging each call. */
function replayLeaf(
  name: string,
  data: IfevalData,
  clock: VirtualClock,
  pace: Pace,
  log: LeafCall[],
): StreamingModel {
  const recorded = data.responses.get(name);
  if (recorded === undefined) throw new Error(`No recorded responses for "${name}".`);
  const answerOf = (key: unknown) => {
    const text = typeof key === "number" ? recorded.get(key) : undefined;
    if (text === undefined)
      throw new Error(`No recorded response of "${name}" for prompt key ${String(key)}.`);
    return text;
  };
  return defineModel(
    `replay:${name}`,
    async (request, { signal }) => {
      const text = answerOf(request.metadata?.key);
      const pieces = tokenPieces(text);
      const tokens = pieces.reduce((sum, p) => sum + p.tokens, 0);
      // Unstreamed, the whole answer arrives when its last token would have.
      await clock.sleep(tokens * pace.msPerToken, signal);
      log.push({ tokens, sentTokens: tokens, finished: true });
      return { text, usage: { inputTokens: requestTokens(request), outputTokens: tokens } };
    },
    {
      async *stream(request, { signal }) {
        const pieces = tokenPieces(answerOf(request.metadata?.key));
        const call: LeafCall = { tokens: 0, sentTokens: 0, finished: false };
        for (const piece of pieces) call.tokens += piece.tokens;
        log.push(call);
        for (const piece of pieces) {
          await clock.sleep(piece.tokens * pace.msPerToken, signal);
          call.lastAt = clock.now();
          call.sentTokens += piece.tokens;
          yield { type: "text-delta", text: piece.text };
        }
        call.finished = true;
        yield {
          type: "finish",
          finishReason: "stop",
          usage: { inputTokens: requestTokens(request), outputTokens: call.tokens },
        };
      },
    },
  );
}

/** Runs one prompt through the ladder in `mode` on a fresh virtual clock. */
async function runPrompt(
  prompt: IfevalPrompt,
  mode: ReplayMode,
  data: IfevalData,
  pace: Pace,
  rubricFor: (prompt: IfevalPrompt) => Rubric,
) {
  // Only the leaves pace themselves on the virtual clock; rungs keeps the system clock, so its timers (the
  // attempt's 10-minute limit) stay real and the virtual clock holds a timer only while a leaf waits for its
  // next token. It cannot jump while rungs itself waits on the event loop (a leaf stream yields to it every
  // 256 parts), which would make a part arrive later than it was sent: `lagMs` would show it.
  const clock = virtualClock();
  const log: LeafCall[] = [];
  const rungs = ladderModels.map(({ name }) => replayLeaf(name, data, clock, pace, log));
  const ladder = escalateAcross(rungs, { rubric: rubricFor(prompt), maxAttempts: rungs.length });
  const request = requestOf(prompt);
  const run: PromptRun = {
    key: prompt.key,
    attempts: 0,
    stoppedEarly: 0,
    cancelled: 0,
    tokensSent: 0,
    tokensSaved: 0,
    tokensDiscarded: 0,
    lagMs: 0,
  };
  let attempts: readonly Attempt[] = [];
  try {
    let generation: Generation | undefined;
    if (mode === "generate") {
      generation = await ladder.generate(request);
      run.firstTokenMs = run.firstAcceptedMs = clock.now();
    } else {
      // The accepted attempt's first delta: in live mode the first after the last attempt-start; in
      // accepted-only mode the one delta there is.
      let attemptFirst: number | undefined;
      for await (const part of ladder.stream(request, { mode })) {
        if (part.type === "attempt-start" || part.type === "discard") attemptFirst = undefined;
        else if (part.type === "text-delta") {
          const now = clock.now();
          run.firstTokenMs ??= now;
          attemptFirst ??= now;
          // The latest leaf call sent this delta (live) or the accepted text's last one (accepted-only).
          run.lagMs = Math.max(run.lagMs, now - (log.at(-1)?.lastAt ?? now));
        } else if (part.type === "finish") generation = part.generation;
      }
      run.firstAcceptedMs = attemptFirst;
    }
    if (generation === undefined) throw new Error(`prompt ${prompt.key}: the stream ended without finish`);
    run.answerMs = clock.now();
    attempts = generation.trace?.attempts ?? [];
    run.rung = generation.answeredBy?.rung;
  } catch (error) {
    if (!ExhaustedError.isInstance(error)) throw error;
    attempts = error.attempts;
    run.firstAcceptedMs = undefined;
  }
  run.attempts = attempts.length;
  run.stoppedEarly = attempts.filter((a) => a.stoppedEarly === true).length;
  for (const call of log) {
    run.tokensSent += call.sentTokens;
    if (!call.finished) {
      run.cancelled += 1;
      run.tokensSaved += call.tokens - call.sentTokens;
    }
  }
  // The accepted attempt is the last call when the ladder answered.
  run.tokensDiscarded = run.tokensSent - (run.rung === undefined ? 0 : (log.at(-1)?.sentTokens ?? 0));
  return run;
}

/** Options of {@link replayStreams}. */
export interface ReplayOptions {
  /** Prompts run at once, each on its own virtual clock (the figures do not depend on it). @default 16 */
  concurrency?: number;
  /** The rubric for a prompt. @default rubricOf (demo/ladder.ts), as the cascade bench */
  rubricFor?: (prompt: IfevalPrompt) => Rubric;
}

/** Every prompt of `data` through the streamed ladder in `mode`. */
export async function replayStreams(
  data: IfevalData,
  mode: ReplayMode,
  pace: Pace,
  options: ReplayOptions = {},
): Promise<PromptRun[]> {
  const limit = pLimit(options.concurrency ?? 16);
  const rubricFor = options.rubricFor ?? rubricOf;
  return Promise.all(
    data.prompts.map((prompt) => limit(() => runPrompt(prompt, mode, data, pace, rubricFor))),
  );
}

/** Prompts whose rubric can judge a prefix (`evaluatePrefix`: at least one rule with `checkPrefix` that rejects). */
export function promptsWithPrefixRules(prompts: readonly IfevalPrompt[]): number {
  return prompts.filter((prompt) => rubricOf(prompt).evaluatePrefix !== undefined).length;
}
