// toAiSdk's doStream: a rungs model's stream as the AI SDK's stream parts, so `streamText` runs a ladder.
// A text block per attempt, closed with `providerMetadata.rungs` saying whether it was discarded; tool calls
// only from the accepted answer (the SDK executes a tool as soon as its call arrives).
import { childController } from "../abort.js";
import type { DiscardPart, Generation, StreamPart } from "../model.js";
import type { JsonValue } from "./ai-sdk-prompt.js";

/**
 * What `streamText` over {@link toAiSdk} shows of the attempts beneath it:
 * - `accepted-only` (default): nothing until the run has an accepted answer, then its text (one text block)
 *   and tool calls. `result.text` is exactly the accepted answer.
 * - `live`: each attempt's text as it comes, each attempt in its own text block; a discarded attempt's block
 *   ends with `providerMetadata.rungs.discarded: true`. The SDK joins every block into `result.text` and
 *   `textStream`, discarded ones included: read `fullStream` (or `result.content`) and drop those blocks.
 */
export type ToAiSdkStreamMode = "accepted-only" | "live";

/** `providerMetadata.rungs` of a text block's `text-end`: whether the attempt that wrote it was kept. */
export interface RungsTextBlockMetadata {
  [key: string]: JsonValue | undefined;
  /** True when the attempt that wrote the block was rejected (or the run failed): drop its text. */
  discarded: boolean;
  /** Why (discarded blocks): the attempt's failure kind (`rejected`, `timeout`, ...). */
  kind?: string;
  /** Why, in words (discarded blocks): the failed rules, or the error's message. */
  reason?: string;
  /** The discarded attempt's event path (`escalate/attempt[1]`). */
  path?: string;
  /** The discarded attempt's 1-based number within its run. */
  attempt?: number;
  /** The discarded attempt's 0-based ladder position. */
  rung?: number;
  /** The discarded attempt's model id. */
  modelId?: string;
  /** True when a prefix rule stopped the attempt before its end. */
  early?: boolean;
}

/**
 * A part of {@link toAiSdk}'s stream (`doStream`), in the AI SDK's vocabulary. `W`, `F` and `U` are the
 * specification's warning, finish reason and usage shapes (as its `doGenerate` result has them).
 */
export type RungsStreamPart<W, F, U, M> =
  | {
      /** First: the call options rungs did not pass on. */
      type: "stream-start";
      /** One per option. */
      warnings: W[];
    }
  | {
      /** A text block starts (live: one per attempt). */
      type: "text-start";
      /** The block's id (`rungs-1`, `rungs-2`, ...). */
      id: string;
    }
  | {
      /** More text of a block. */
      type: "text-delta";
      /** The block's id. */
      id: string;
      /** The new text. */
      delta: string;
    }
  | {
      /** A text block ends. */
      type: "text-end";
      /** The block's id. */
      id: string;
      /** `{ rungs: { discarded, ... } }`: whether the block's text is part of the answer. */
      providerMetadata: {
        /** Whether the attempt that wrote the block was kept, and if not, why. */
        rungs: RungsTextBlockMetadata;
      };
    }
  | {
      /** A tool call of the accepted answer, for the SDK to execute. */
      type: "tool-call";
      /** The call's id. */
      toolCallId: string;
      /** The tool's name. */
      toolName: string;
      /** The arguments, JSON-encoded. */
      input: string;
    }
  | {
      /** With the SDK's `includeRawChunks` (live mode): each rungs `attempt-start` and `discard` part. */
      type: "raw";
      /** The rungs part, as JSON. */
      rawValue: unknown;
    }
  | {
      /** Live mode: the run failed after its stream started (before, `doStream` rejects). */
      type: "error";
      /** The rungs error (`ExhaustedError`, `BudgetExhaustedError`, ...). */
      error: unknown;
    }
  | {
      /** The leaf model that produced the answer. */
      type: "response-metadata";
      /** `generation.modelId`. */
      modelId: string;
    }
  | {
      /** Last: why the run stopped, and its tokens (every attempt's). */
      type: "finish";
      /** The accepted answer's finish reason; `error` when the run failed. */
      finishReason: F;
      /** Tokens of the whole run. */
      usage: U;
      /** `{ rungs: RungsProviderMetadata }`, when the run answered. */
      providerMetadata?: M;
    };

/** How one `doStream` call turns rungs parts into the SDK's. */
export interface StreamShape<W, F, U, M> {
  /** The stream-start warnings. */
  warnings: W[];
  /** With the SDK's `includeRawChunks`: attempt starts and discards as `raw` parts. */
  raw: boolean;
  /** The finish part's fields for an answer, in the specification's shapes. */
  finish(generation: Generation): { finishReason: F; usage: U; providerMetadata: M };
  /** The finish part's fields of a run that failed after its stream started. */
  failed: { finishReason: F; usage: U };
}

/** Why the run's signal fires when the SDK cancels the stream (its consumer stopped reading). */
function cancelledReason(): DOMException {
  return new DOMException("The AI SDK cancelled the stream.", "AbortError");
}

/**
 * The SDK stream of a rungs run's stream (`open`, given the signal to run under). Waits for the run's first
 * part before returning, so a run that fails before any part (in `accepted-only` mode: one that ends
 * without an accepted answer) rejects here, as a provider's failed request rejects `doStream`: `streamText`
 * then reports the error (`onError`, an `error` part) and its `text` rejects. `signal` (the SDK's
 * `abortSignal`) aborts the run; cancelling the returned stream (a consumer that stops) aborts it too.
 * @throws what the rungs stream throws first (`ExhaustedError`, `signal.reason` on abort, ...).
 */
export async function sdkStreamOf<W, F, U, M>(
  open: (signal: AbortSignal) => AsyncIterable<StreamPart>,
  signal: AbortSignal | undefined,
  shape: StreamShape<W, F, U, M>,
): Promise<ReadableStream<RungsStreamPart<W, F, U, M>>> {
  // The run's own signal: a pending read cannot be returned from, but an abort ends it at once.
  const run = childController(signal);
  const iterator = open(run.controller.signal)[Symbol.asyncIterator]();
  let first: IteratorResult<StreamPart> | undefined;
  try {
    first = await iterator.next();
  } catch (error) {
    run.dispose();
    throw error;
  }
  const blocks = new TextBlocks();
  let ended = false;
  let cancelled = false;
  return new ReadableStream<RungsStreamPart<W, F, U, M>>({
    start(controller) {
      controller.enqueue({ type: "stream-start", warnings: shape.warnings });
    },
    async pull(controller) {
      const out: RungsStreamPart<W, F, U, M>[] = [];
      try {
        // Reads until there is something to send: an attempt start alone sends nothing.
        while (out.length === 0 && !ended) {
          const step = first ?? (await iterator.next());
          first = undefined;
          if (step.done === true) {
            ended = true;
            break;
          }
          const part = step.value;
          switch (part.type) {
            case "text-delta":
              blocks.delta(part.text, out);
              break;
            case "attempt-start":
              blocks.attemptStart(part.path);
              if (shape.raw) out.push({ type: "raw", rawValue: { ...part } });
              break;
            case "discard":
              blocks.discard(part, out);
              if (shape.raw) out.push({ type: "raw", rawValue: { ...part } });
              break;
            case "tool-call":
              // Held back: the SDK runs a tool as soon as its call arrives, and this attempt may yet be
              // discarded. The accepted answer's calls go out with its finish.
              break;
            case "finish": {
              ended = true;
              const { generation } = part;
              blocks.closeAll({ discarded: false }, out);
              for (const call of generation.toolCalls ?? []) {
                out.push({
                  type: "tool-call",
                  toolCallId: call.id,
                  toolName: call.name,
                  input: JSON.stringify(call.input ?? {}),
                });
              }
              out.push({ type: "response-metadata", modelId: generation.modelId });
              out.push({ type: "finish", ...shape.finish(generation) });
              break;
            }
          }
        }
      } catch (error) {
        ended = true;
        // The run failed after its stream started (live mode): nothing shown was accepted.
        const kind = (error as { kind?: unknown } | null)?.kind;
        blocks.closeAll(
          {
            discarded: true,
            ...(typeof kind === "string" ? { kind } : {}),
            reason: error instanceof Error ? error.message : String(error),
          },
          out,
        );
        out.push({ type: "error", error });
        out.push({ type: "finish", ...shape.failed });
      }
      if (ended) run.dispose();
      if (cancelled) return; // nothing more goes to a stream its consumer cancelled
      for (const part of out) controller.enqueue(part);
      if (ended) controller.close();
    },
    cancel() {
      cancelled = true;
      if (!ended) run.controller.abort(cancelledReason());
      run.dispose();
      // Closes the rungs stream too; never awaited, so a run slow to wind down cannot hold the SDK.
      Promise.resolve()
        .then(() => iterator.return?.())
        .catch(() => {});
    },
  });
}

/**
 * The open text blocks, by attempt: each attempt's text goes to a block of its own, opened at its first
 * delta; a `discard` ends every block since its `attempt-start` (nested attempts' included) as discarded.
 */
class TextBlocks {
  /** Open attempts, innermost last (the root: text outside any attempt), with their open blocks. */
  readonly #attempts: { path: string; open: string[] }[] = [{ path: "", open: [] }];
  /** The block deltas go to, and the attempt it belongs to (its index in #attempts). */
  #current: { id: string; attempt: number } | undefined;
  #count = 0;

  delta(text: string, out: BlockSink): void {
    const top = this.#attempts.length - 1;
    if (this.#current === undefined || this.#current.attempt !== top) {
      this.#count += 1;
      const id = `rungs-${this.#count}`;
      this.#attempts[top]?.open.push(id);
      this.#current = { id, attempt: top };
      out.push({ type: "text-start", id });
    }
    out.push({ type: "text-delta", id: this.#current.id, delta: text });
  }

  attemptStart(path: string): void {
    this.#attempts.push({ path, open: [] });
  }

  discard(part: DiscardPart, out: BlockSink): void {
    const at = this.#attempts.findLastIndex((attempt, i) => i > 0 && attempt.path === part.path);
    if (at < 0) return;
    const metadata: RungsTextBlockMetadata = {
      discarded: true,
      kind: part.kind,
      reason: part.reason,
      path: part.path,
      attempt: part.attempt,
      rung: part.rung,
      modelId: part.modelId,
      early: part.early,
    };
    this.#close(at, metadata, out);
    this.#attempts.length = at;
  }

  closeAll(metadata: RungsTextBlockMetadata, out: BlockSink): void {
    this.#close(0, metadata, out);
  }

  #close(from: number, metadata: RungsTextBlockMetadata, out: BlockSink): void {
    for (let i = from; i < this.#attempts.length; i++) {
      const attempt = this.#attempts[i];
      if (attempt === undefined) continue;
      for (const id of attempt.open)
        out.push({ type: "text-end", id, providerMetadata: { rungs: metadata } });
      attempt.open = [];
    }
    if (this.#current !== undefined && this.#current.attempt >= from) this.#current = undefined;
  }
}

/** Where the text blocks' parts go: the parts of one pull. */
interface BlockSink {
  push(part: Extract<RungsStreamPart<never, never, never, never>, { type: `text-${string}` }>): unknown;
}
