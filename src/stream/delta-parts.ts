// The parts a leaf model streams: a leaf of the contract (events and the Model contract use them).
import type { ToolCall } from "../messages.js";

/** Text the model produced, in order. */
export interface TextDeltaPart {
  /** The part's kind. */
  type: "text-delta";
  /** The new text (never empty). */
  text: string;
}

/** A tool the model called (agent calls: `request.tools`), complete with its input. */
export interface ToolCallPart {
  /** The part's kind. */
  type: "tool-call";
  /** The call, as `generation.toolCalls` will hold it. */
  toolCall: ToolCall;
}
