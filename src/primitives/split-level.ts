import type { ContextSplitEvent } from "../events.js";
import { joinPath } from "../events.js";
import type { CallOptions, GenerateRequest, Generation, Model } from "../model.js";
import { serializeError } from "../redact.js";
import type { SplitNode } from "../trace.js";
import { type FanOutcome, fanOut } from "./fan-out.js";
import { noteRequest } from "./split-requests.js";

/** What one tree-split run shares between its levels. */
export interface SplitRun {
  /** The model that takes notes (map and reduce). */
  model: Model;
  /** The prompt limit every call beneath keeps to (the split's, within any limit above it). */
  promptFits(request: GenerateRequest): boolean;
  request: GenerateRequest;
  task: string;
  callOptions: CallOptions;
  /** Event path of the tree-split, e.g. `escalate/treeSplit`. */
  base: string;
  concurrency: number;
  failFast: boolean;
  /** Receives every node, in index order per level. */
  nodes: SplitNode[];
  /** Receives every successful generation (usage is summed by the caller). */
  onGeneration(generation: Generation): void;
  event(payload: Omit<ContextSplitEvent, "timestamp">): void;
}

/** Notes from one node, or the gap a skipped failure left (its error as `"Name: message"`). */
export type NoteOutcome = string | { gap: string };

/**
 * Runs one map or reduce level: each item (the context documents of one call) becomes a call through
 * {@link fanOut} and a node in `run.nodes`; a failure becomes a gap (`onShardError: "skip"`) or stops
 * the run. Emits a `context-split` event per node as it settles, at `base/map[i]` or `base/reduce[depth.i]`.
 */
export async function runLevel(
  run: SplitRun,
  stage: "map" | "reduce",
  depth: number,
  items: readonly (readonly string[])[],
  instruction: string,
): Promise<NoteOutcome[]> {
  const path = (i: number) => joinPath(run.base, stage === "map" ? `map[${i}]` : `reduce[${depth}.${i}]`);
  const settled = (i: number, outcome: FanOutcome) =>
    run.event({
      path: path(i),
      stage,
      depth,
      count: i,
      chars: outcome.ok ? outcome.generation.text.length : 0,
    });
  const outcomes = await fanOut(
    items.length,
    run.concurrency,
    run.callOptions.signal,
    run.failFast,
    (i, signal) =>
      run.model.generate(noteRequest(instruction, run.task, items[i]!, run.request), {
        ...run.callOptions,
        signal,
        path: path(i),
        promptFits: run.promptFits,
      }),
    settled,
  );
  return outcomes.map((outcome, index) => {
    const inputChars = items[index]!.reduce((sum, doc) => sum + doc.length, 0);
    const node: SplitNode = { stage, depth, index, inputChars, outputChars: 0 };
    run.nodes.push(node);
    if (!outcome.ok) {
      const error = serializeError(outcome.error);
      node.error = error;
      return { gap: `${error.name}: ${error.message}` };
    }
    const g = outcome.generation;
    run.onGeneration(g);
    node.outputChars = g.text.length;
    node.modelId = g.modelId;
    if (g.trace !== undefined) node.trace = g.trace;
    return g.text;
  });
}
