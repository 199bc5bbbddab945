import type { FailureKind } from "./errors/failure-kind.js";

// The request as data: what a call sends. A leaf of the contract (it imports no other part of it), so the
// model, the renderer, the request checker and the rubric types can all use it without a circle.

/** One chat message. */
export interface Message {
  /** Who speaks: instructions (`system`), the user, or the model (`assistant`). */
  role: "system" | "user" | "assistant";
  /** The message text. */
  content: string;
}

/**
 * What to generate. Pure data, so it can be recorded and replayed; runtime values go in {@link CallOptions}.
 */
export interface GenerateRequest {
  /** The conversation, in order; at least one message. */
  messages: readonly Message[];
  /** Documents the answer draws on; `treeSplit` shards these. Rendered in escaped, capped blocks. */
  context?: readonly string[];
  /** Earlier failures, set by `retryWithContext` / `escalateAcross`. */
  feedback?: readonly Failure[];
  /** Most output tokens for this call. */
  maxOutputTokens?: number;
  /** Sampling temperature, passed to the provider as is. */
  temperature?: number;
  /** Sequences that end the output when generated. */
  stop?: readonly string[];
  /** `taskClass` keys learned ladders; `taskId` keys blocked tasks. */
  metadata?: {
    /** The kind of task, e.g. `"rust-fn"`: learned ladders keep accept rates per task class and rung. */
    taskClass?: string;
    /** One task across runs: the stats store keeps its escalation state and whether it was blocked. */
    taskId?: string;
    [key: string]: unknown;
  };
}

/**
 * The shorthand of a request, as the AI SDK's `generateText({ prompt, system })`: `prompt` becomes one user
 * message, after a system message when `system` is given. Every model rungs builds accepts it.
 */
export interface PromptRequest extends Omit<GenerateRequest, "messages"> {
  /** The user's message. */
  prompt: string;
  /** A system message sent before it. */
  system?: string;
  /** Not with `prompt`: give one or the other. */
  messages?: never;
}

/**
 * One earlier failure, fed back to the model on the next attempt (set by the attempt engine).
 * Structured until the leaf; {@link renderMessages} turns it into text.
 */
export interface Failure {
  /** 1-based attempt numbers this entry stands for (several when duplicates were merged). */
  attempts: readonly number[];
  /** The model that failed. */
  modelId: string;
  /** How it failed. */
  kind: FailureKind;
  /** The error message or the rubric's summary ("13/15 rules passed"). */
  message?: string;
  /** Violated rules with their messages. */
  violations?: readonly {
    /** The violated rule's id. */
    ruleId: string;
    /** Why it failed. */
    message: string;
  }[];
  /** The start of the rejected output, so the model sees what it wrote. */
  excerpt?: string;
  /**
   * True when the failure happened in an earlier run of the same task (`metadata.taskId`), restored from
   * the stats store; its attempt numbers are that run's.
   */
  earlierRun?: boolean;
}
