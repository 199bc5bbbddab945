import type { ToolCall } from "../messages.js";
import type { StreamPart } from "../model.js";

/**
 * The answer a live stream shows so far: every delta and tool call not inside a discarded attempt. A
 * `discard` drops what came since the `attempt-start` of the same path (nested attempts included). Each part
 * costs O(1) amortised: text is kept as pieces, joined only when read.
 */
export class VisibleText {
  #pieces: string[] = [];
  #length = 0;
  #toolCalls: ToolCall[] = [];
  /** Open attempts, innermost last: where each started (text length, tool calls). */
  readonly #open: { path: string; length: number; toolCalls: number }[] = [];
  #joined: string | undefined = "";

  /** Characters shown so far. */
  get length(): number {
    return this.#length;
  }

  /** The text shown so far. */
  get text(): string {
    this.#joined ??= this.#pieces.join("");
    if (this.#pieces.length > 1) this.#pieces = [this.#joined];
    return this.#joined;
  }

  /** The tool calls shown so far. */
  get toolCalls(): readonly ToolCall[] {
    return this.#toolCalls;
  }

  /** Takes one part into account. */
  apply(part: StreamPart): void {
    switch (part.type) {
      case "text-delta":
        this.#pieces.push(part.text);
        this.#length += part.text.length;
        this.#joined = undefined;
        return;
      case "tool-call":
        this.#toolCalls.push(part.toolCall);
        return;
      case "attempt-start":
        this.#open.push({
          path: part.path,
          length: this.#length,
          toolCalls: this.#toolCalls.length,
        });
        return;
      case "discard": {
        const at = this.#open.findLastIndex((open) => open.path === part.path);
        if (at < 0) return;
        const mark = this.#open[at]!;
        this.#open.length = at;
        // Cut by length (pieces may have been joined since the mark): O(n) per discard, and discards are few.
        const text = this.text.slice(0, mark.length);
        this.#pieces = text.length > 0 ? [text] : [];
        this.#joined = text;
        this.#length = mark.length;
        this.#toolCalls.length = mark.toolCalls;
        return;
      }
      default:
        return;
    }
  }
}
