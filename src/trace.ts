import type { FailureKind } from "./errors/failure-kind.js";
import type { ToolCall } from "./messages.js";
import type { SerializedError } from "./redact.js";
import type { Verdict } from "./rubric/verdict.js";

/**
 * Why a generation ended, in the AI SDK's vocabulary. `length` means the output was cut off; `tool-calls`
 * that the model stopped to call tools (`generation.toolCalls`).
 */
export type FinishReason = "stop" | "length" | "content-filter" | "tool-calls" | "error" | "other";

/** Token counts, summed over everything beneath a call. Either may be missing (providers omit them). */
export interface Usage {
  /** Tokens sent (the prompt), as the provider counted them. */
  inputTokens?: number;
  /** Tokens generated (the output), as the provider counted them. */
  outputTokens?: number;
}

/** One transport-level retry inside a provider (429/5xx/network), which is not an attempt. */
export interface TransportRetry {
  /** 1-based retry number within the call. */
  retry: number;
  /** The failure that caused the retry (`rate-limited`, `server-error`, `network`, ...). */
  kind: FailureKind;
  /** The HTTP status, when the failure had one. */
  status?: number;
  /** The delay slept before the retry, in ms (full jitter, Retry-After honoured up to the cap). */
  delayMs: number;
  /** The failure's message, redacted. */
  message: string;
}

/** One attempt of the attempt engine: a single call of one rung's model, and how it was judged. */
export interface Attempt {
  /** 1-based attempt number within the run. */
  index: number;
  /** 0-based ladder position (always 0 for `retryWithContext`). */
  rung: number;
  /** The model called. */
  modelId: string;
  /** Event path of the engine that made the attempt. */
  path: string;
  /** True when the output was accepted. */
  accepted: boolean;
  /** Why the attempt failed; absent when accepted. */
  kind?: FailureKind;
  /** The raw output, as the model produced it (possibly partial, possibly empty). */
  text: string;
  /** The tools the model called, when it called any. */
  toolCalls?: readonly ToolCall[];
  /** Why the generation ended; absent when the call threw before answering. */
  finishReason?: FinishReason;
  /** The rubric's verdict on the output; absent when nothing judged it (empty, cut off, or no rubric). */
  verdict?: Verdict;
  /** The error, redacted, when the call threw. */
  error?: SerializedError;
  /** Tokens used by the call (summed over everything beneath it). */
  usage: Usage;
  /** Start and end, ms since the epoch (from the injected clock). */
  startedAt: number;
  /** End, ms since the epoch (from the injected clock). */
  endedAt: number;
  /** Characters of rendered feedback this attempt carried (0 for the first). */
  feedbackChars: number;
  /** Characters of the whole rendered prompt this attempt sent. */
  promptChars: number;
  /** Transport retries the provider made inside this attempt. */
  transportRetries?: readonly TransportRetry[];
  /** The trace of the model beneath (continuations, splits, nested ladders). */
  trace?: Trace;
  /**
   * True when the attempt was streamed and stopped before its end: a prefix of `text` already failed a rule
   * (`verdict` holds the failed prefix checks). The provider's stream was cancelled there, and `usage`
   * counts one output token per delta received (the provider's own count comes only at a stream's end).
   */
  stoppedEarly?: boolean;
}

/** Why a rung was not tried. */
export type SkipReason =
  | "disabled"
  | "circuit-open"
  | "learned"
  | "not-retryable"
  /** Below the rung a task (`metadata.taskId`) resumed at, from the stats store's escalation state. */
  | "escalated";

/** A rung the engine passed over, with its reason. Skips are never silent. */
export interface Skip {
  /** 0-based ladder position of the rung passed over. */
  rung: number;
  /** The rung's model id. */
  modelId: string;
  /** Why the rung was not tried. */
  reason: SkipReason;
  /** The reason in words (e.g. when the circuit closes again). */
  detail: string;
  /** When, ms since the epoch (from the injected clock). */
  at: number;
}

/**
 * Where a run of a task (`metadata.taskId`) started, from the escalation state the stats store kept of its
 * earlier runs: above the rung that last failed (the top rung stays the top), with those failures as
 * feedback.
 */
export interface Resumption {
  /** The task's id (`metadata.taskId`). */
  taskId: string;
  /** Failed attempts of the task since its last accepted answer, before this run. */
  failures: number;
  /** The rung (0-based) and model of the last failed attempt, as the store kept them. */
  failedRung: number;
  /** The model id of that failed attempt. */
  failedModelId: string;
  /** The rung this run started at (0-based). */
  startRung: number;
  /** Earlier failures restored as feedback (each still within `maxFeedbackChars`). */
  carriedFailures: number;
  /** Why the run starts there, in words. */
  detail: string;
}

/** One piece of a continued generation. */
export interface ContinuationPiece {
  /** 0 for the first call, 1.. for continuations. */
  index: number;
  /** Characters this piece added to the text, after the seam overlap was removed. */
  chars: number;
  /** Characters dropped at the seam because they repeated the end of the previous piece. */
  overlapRemoved: number;
  /** Why this piece ended (`length`: cut off, so continued). */
  finishReason: FinishReason;
  /** The trace of the call that produced this piece (attempts of a nested ladder, transport retries). */
  trace?: Trace;
}

/** How a generation was continued: its pieces and what stopped it. */
export interface ContinuationTrace {
  /** Extra calls made after the first. */
  continuations: number;
  /** Every piece, the first call's included, in order. */
  pieces: readonly ContinuationPiece[];
  /** Which limit stopped continuing, if one did. */
  stoppedBy?: "maxContinuations" | "maxTotalChars" | "contextWindow" | "splitBudget";
}

/** One node of a tree-split: a map call on a shard, a reduce call, or the final answer. */
export interface SplitNode {
  /** What the node did: notes on a shard (`map`), merged notes (`reduce`), or the final `answer`. */
  stage: "map" | "reduce" | "answer";
  /**
   * Tree depth: 0 for map nodes, the reduce level for reduce nodes, one more than the last level for the
   * answer.
   */
  depth: number;
  /** 0-based position of the node within its level. */
  index: number;
  /** Characters of context (map) or notes (reduce, answer) the node was given. */
  inputChars: number;
  /** Characters of notes (or of the answer) the node produced. */
  outputChars: number;
  /** The model that answered, when it did. */
  modelId?: string;
  /** Set when the node failed and `onShardError: "skip"` recorded a gap. */
  error?: SerializedError;
  /** The trace of the call beneath this node (a nested ladder's attempts, continuations). */
  trace?: Trace;
}

/** How a tree-split ran: shards, reduce levels, calls, truncation, and every node. */
export interface SplitTrace {
  /** Shards the context was split into (map calls). */
  shards: number;
  /** Reduce calls made, over all levels. */
  reduces: number;
  /** Reduce levels run (0 when the notes fit at once). */
  depth: number;
  /** Model calls made: shards + reduces + 1. */
  calls: number;
  /** Characters cut to stay within budget (marked in the text). */
  truncatedChars: number;
  /** Every node, level by level. */
  nodes: readonly SplitNode[];
}

/** What happened beneath one call. Every field is optional: each primitive fills its own. */
export interface Trace {
  /** Every attempt of an attempt engine, in order, accepted or not. */
  attempts?: readonly Attempt[];
  /** Rungs passed over, with their reasons. */
  skips?: readonly Skip[];
  /** Where the run resumed from the stats store's escalation state, when it did. */
  resumed?: Resumption;
  /** How the output was continued (`continueUntilComplete`). */
  continuation?: ContinuationTrace;
  /** How the context was split (`treeSplit`). */
  split?: SplitTrace;
  /** Transport retries a provider made inside the call. */
  transportRetries?: readonly TransportRetry[];
  /**
   * Context documents the renderer cut at its cap (`maxContextChars`, 1 M chars) for this call: which
   * document (0-based), its length and how many characters were cut. The prompt carries a visible
   * marker where each was cut, and a `run-warn` event (`context-capped`) reports it.
   */
  contextCuts?: readonly ContextCut[];
}

/** One context document cut at the renderer's cap (a marker in the prompt says where). */
export interface ContextCut {
  /** The document's index in `request.context`. */
  index: number;
  /** Its length before the cut, in chars. */
  chars: number;
  /** How many chars were cut from it. */
  cutChars: number;
  /** The renderer's per-document cap, in chars (1,000,000 by default). */
  cap: number;
}
