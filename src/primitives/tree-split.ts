import { raceAbort, throwIfAborted } from "../abort.js";
import { checkCallOptions } from "../call-options-check.js";
import { systemClock } from "../clock.js";
import { NoProgressError } from "../errors/no-progress-error.js";
import { type ContextSplitEvent, emit, joinPath, listening, withProcessSink } from "../events.js";
import {
  addUsage,
  type CallOptions,
  type GenerateRequest,
  type Generation,
  type Model,
  type StreamingModel,
} from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { toRequest } from "../request.js";
import { checkStreamOptions } from "../stream/check-stream-options.js";
import { withMode } from "../stream/modes.js";
import { runAsStream } from "../stream/run-stream.js";
import { streamCall } from "../stream/stream-call.js";
import type { SplitNode, SplitTrace, Usage } from "../trace.js";
import { custom, number, object, oneOf, union } from "../validate/check.js";
import { assertModel } from "./assert-model.js";
import { runLevel, type SplitRun } from "./split-level.js";
import { planShards, truncateScratchpad } from "./split-plan.js";
import {
  answerRequest,
  defaultMapPrompt,
  defaultReducePrompt,
  noteRequest,
  noteSection,
  type PromptLimit,
  requestMeasure,
  taskText,
  truncationMarker,
} from "./split-requests.js";
import { splitText } from "./split-text.js";

export type { PromptLimit } from "./split-requests.js";

/** The call that answers: the one call of a request within budget (`whole`), or the answer stage's. */
type AnswerCall<V> = (
  request: GenerateRequest,
  options: CallOptions,
  stage: "whole" | "answer",
) => Promise<Generation<V>>;

/** Options of {@link treeSplit}. */
export interface TreeSplitOptions {
  /**
   * Most size of any one call's rendered prompt: `{ chars }` (characters, as `renderedChars` counts
   * them) or `{ tokens, count }` with a tokenizer's `count(text) → tokens` (see examples/token-budget.ts).
   */
  promptLimit: PromptLimit;
  /** Most map or reduce calls in flight at once. @default 4 */
  concurrency?: number;
  /** Most reduce levels; a scratchpad still over budget after them is truncated with a marker. @default 4 */
  maxDepth?: number;
  /** A failed map or reduce call fails the whole call (`"fail"`) or leaves a recorded gap (`"skip"`). @default "fail" */
  onShardError?: "fail" | "skip";
  /** The system instruction of each map call. @default defaultMapPrompt */
  mapPrompt?: string;
  /** The system instruction of each reduce call. @default defaultReducePrompt */
  reducePrompt?: string;
  /**
   * Takes the map and reduce notes in place of `model`; the answer stays with `model`. Give one whenever
   * `model` judges its answers: notes are not answers, and a rubric written for the answer would reject them.
   * E.g. the ladder's rungs without the rubric, a cheaper model, or `retryWithContext(cheap, { rubric:
   * notesRubric })` to judge notes by rules of their own. @default model
   */
  notesModel?: Model;
  /**
   * Share of the budget (0 to 0.9) kept free in every map, reduce and answer request treeSplit builds, for
   * what the models beneath add: a ladder's feedback, a continuation's partial text. Whatever is reserved,
   * nothing beneath ever renders a request over the budget (feedback and continued text are cut to the room
   * left); with 0 a full shard leaves no room, so a cut-off note cannot be continued and a retry carries no
   * feedback. A request within the whole budget still passes through untouched.
   * @default 0.25
   */
  reserve?: number;
}

const schema = object({
  promptLimit: union(
    [object({ chars: schemas.positiveInt }), object({ tokens: schemas.positiveInt, count: schemas.fn })],
    "must be { chars: number } or { tokens: number, count: (text) => number }",
  ),
  concurrency: schemas.positiveInt.optional(),
  maxDepth: schemas.positiveInt.optional(),
  onShardError: oneOf(["fail", "skip"]).optional(),
  mapPrompt: schemas.nonEmptyString.optional(),
  reducePrompt: schemas.nonEmptyString.optional(),
  notesModel: custom<Model>(
    (v) => typeof (v as Model | null)?.generate === "function",
    "must be a Model",
  ).optional(),
  reserve: number({ min: 0, max: 0.9, rangeMessage: "must be between 0 and 0.9" }).optional(),
});

/**
 * Wraps `model` so a request whose rendered prompt exceeds `budget` is answered through a map-reduce tree
 * (docs/architecture.md); a request within budget passes through untouched, in exactly one call.
 *
 * 1. `context` is split on paragraph, sentence, then word boundaries (never mid-word unless a word alone
 *    exceeds the budget) into shards that each fit, rendered, with the map instruction and the task.
 * 2. Each shard is mapped to notes, at most `concurrency` calls in flight; the notes form a scratchpad.
 * 3. While the final request (the original messages with the scratchpad as context) is over budget, the
 *    scratchpad is reduced: split into groups that fit, each merged to shorter notes. Each level must
 *    shrink the scratchpad; after `maxDepth` levels it is truncated with a visible marker (and a
 *    `context-split` event with `stage: "truncate"`).
 * 4. The final call answers from the scratchpad. Calls made = shards + reduces + 1, exactly.
 *
 * Every call carries `CallOptions.promptFits`, this split's `promptLimit` (within any limit above it):
 * ladders beneath keep their feedback, like a continuation its partial text, within it, so no request
 * beneath renders over the limit. Nothing else changes beneath: each model judges with its own rubric, so
 * the notes go to `notesModel` (give one when `model` judges answers).
 *
 * The result is the final call's generation with usage summed over every call and `trace.split` holding
 * the tree (every node's sizes, depth, model and nested trace). Events: `context-split` at plan, each map and
 * reduce node, truncate and answer, under `path + "/treeSplit"`.
 *
 * `stream` runs the map and reduce calls as `generate` does (their notes are not the answer) and streams the
 * answer call, or the one call of a request within budget, with the parts of the model beneath (an inner
 * ladder's attempts and discards); its `finish` carries the generation `generate` returns.
 *
 * @throws InvalidArgumentError at construction for a bad model or option.
 * @throws NoProgressError (`limit: "noProgress"`) when a reduce level does not shrink the scratchpad, or
 *   (before any call) when the task alone renders over the budget.
 * @throws the first map or reduce error untouched with `onShardError: "fail"`; the caller's
 *   `signal.reason` on abort (in-flight calls are aborted, no new ones start); `BudgetExhaustedError`.
 * @example
 * const reader = treeSplit(model, { promptLimit: { chars: 8_000 }, concurrency: 4 });
 * const answer = await reader.generate({ messages: [{ role: "user", content: "Summarise." }], context: [book] });
 */
export function treeSplit<V = unknown>(model: Model<V>, options: TreeSplitOptions): StreamingModel<V> {
  assertModel("treeSplit", model);
  const parsed = parseOptions("treeSplit", schema, options);
  const { limit: budgetLimit, measure, size } = requestMeasure(options.promptLimit);
  // Requests are planned to `limit`; what the calls beneath add must stay within `budgetLimit`.
  const limit = Math.max(1, Math.floor(budgetLimit * (1 - (parsed.reserve ?? 0.25))));
  const notesModel = parsed.notesModel ?? model;
  const concurrency = parsed.concurrency ?? 4;
  const maxDepth = parsed.maxDepth ?? 4;
  const failFast = (parsed.onShardError ?? "fail") === "fail";
  const mapPrompt = parsed.mapPrompt ?? defaultMapPrompt;
  const reducePrompt = parsed.reducePrompt ?? defaultReducePrompt;

  /**
   * One run: the map and reduce calls through `generate`, the answer (or the one call of a request within
   * budget) through `answer`: `generate` for `generate`, streamed into the caller's stream for `stream`.
   */
  const run = async (
    request: GenerateRequest,
    callOptions: CallOptions,
    answer: AnswerCall<V>,
  ): Promise<Generation<V>> => {
    const outer = callOptions.promptFits;
    // Every call beneath keeps within this split's limit, and within any limit set above it.
    const promptFits = (r: GenerateRequest) => measure(r) <= budgetLimit && (outer === undefined || outer(r));
    if (measure(request) <= budgetLimit) {
      return answer(request, { ...callOptions, promptFits }, "whole");
    }
    throwIfAborted(callOptions.signal);
    const clock = callOptions.clock ?? systemClock;
    const base = joinPath(callOptions.path, "treeSplit");
    const task = taskText(request);
    const noteFits = (instruction: string) => (docs: readonly string[]) =>
      measure(noteRequest(instruction, task, docs, request)) <= limit;
    const mapFits = noteFits(mapPrompt);
    const reduceFits = noteFits(reducePrompt);
    const marker = truncationMarker(Number.MAX_SAFE_INTEGER, maxDepth);
    if (!mapFits(["x"]) || !reduceFits(["x"]) || measure(answerRequest(request, marker)) > limit) {
      const taskSize = measure({ ...request, context: [] });
      throw new NoProgressError({
        stage: "plan",
        depth: 0,
        before: taskSize,
        after: taskSize,
        message: `treeSplit: the task alone (messages and instructions, without context) renders to ${taskSize} of a ${limit} budget, so no shard of context fits beside it. Shorten the messages or raise the budget.`,
      });
    }

    const nodes: SplitNode[] = [];
    const trace: SplitTrace = { shards: 0, reduces: 0, depth: 0, calls: 0, truncatedChars: 0, nodes };
    let usage: Usage = {};
    const event = (payload: Omit<ContextSplitEvent, "timestamp">) => {
      if (listening(callOptions.events, "context-split"))
        emit(callOptions.events, "context-split", { ...payload, timestamp: clock.now() });
    };

    const split: SplitRun = {
      model: notesModel,
      promptFits,
      request,
      task,
      callOptions,
      base,
      concurrency,
      failFast,
      nodes,
      onGeneration: (g) => {
        usage = addUsage(usage, g.usage);
      },
      event,
    };
    const contextChars = (request.context ?? []).reduce((sum, doc) => sum + doc.length, 0);

    const shards = planShards(request.context ?? [], mapFits, (doc) =>
      splitText(doc, limit, (piece) => measure(noteRequest(mapPrompt, task, [piece], request))),
    );
    trace.shards = shards.length;
    event({ path: base, stage: "plan", depth: 0, count: shards.length, chars: contextChars });
    const notes = await runLevel(split, "map", 0, shards, mapPrompt);
    let scratchpad = notes.map((n, i) => noteSection(i, notes.length, n)).join("\n\n");

    while (measure(answerRequest(request, scratchpad)) > limit) {
      if (trace.depth >= maxDepth) {
        scratchpad = truncateScratchpad(
          scratchpad,
          (kept, cut) =>
            measure(answerRequest(request, `${kept}\n\n${truncationMarker(cut, maxDepth)}`)) <= limit,
          maxDepth,
          trace,
        );
        event({
          path: base,
          stage: "truncate",
          depth: trace.depth,
          count: 0,
          chars: trace.truncatedChars,
          detail: `cut ${trace.truncatedChars} chars of notes after ${maxDepth} reduce level(s)`,
        });
        break;
      }
      trace.depth += 1;
      const groups = splitText(scratchpad, limit, (piece) =>
        measure(noteRequest(reducePrompt, task, [piece], request)),
      );
      const merged = await runLevel(
        split,
        "reduce",
        trace.depth,
        groups.map((g) => [g]),
        reducePrompt,
      );
      trace.reduces += groups.length;
      const next = merged.map((n, i) => noteSection(i, merged.length, n)).join("\n\n");
      if (size(next) >= size(scratchpad)) {
        trace.calls = trace.shards + trace.reduces;
        throw new NoProgressError({
          stage: "reduce",
          depth: trace.depth,
          before: size(scratchpad),
          after: size(next),
          trace,
          message: `treeSplit: reduce level ${trace.depth} did not shrink the notes (${size(scratchpad)} → ${size(next)}); another level would not converge. Use a reducePrompt that asks for shorter notes, a model that follows it, or a larger budget.`,
        });
      }
      scratchpad = next;
    }

    const answerPath = joinPath(base, "answer");
    const finalRequest = answerRequest(request, scratchpad);
    throwIfAborted(callOptions.signal);
    const answered = await answer(finalRequest, { ...callOptions, path: answerPath, promptFits }, "answer");
    nodes.push({
      stage: "answer",
      depth: trace.depth + 1,
      index: 0,
      inputChars: scratchpad.length,
      outputChars: answered.text.length,
      modelId: answered.modelId,
    });
    trace.calls = trace.shards + trace.reduces + 1;
    event({
      path: answerPath,
      stage: "answer",
      depth: trace.depth + 1,
      count: 0,
      chars: answered.text.length,
    });
    return {
      ...answered,
      usage: addUsage(usage, answered.usage),
      trace: { ...answered.trace, split: trace },
    };
  };

  const id = `treeSplit(${model.id})`;
  const wrapped: StreamingModel<V> = {
    id,
    generate: async (input, given = {}) =>
      run(
        toRequest(`${id}.generate`, input),
        withProcessSink(checkCallOptions("treeSplit.generate", given)),
        (request, options, stage) =>
          // A request within budget passes through untouched; the answer call is raced against the signal.
          stage === "whole"
            ? model.generate(request, options)
            : raceAbort(model.generate(request, options), options.signal),
      ),
    // Map and reduce run as for `generate`; the answer call (or the one call within budget) is streamed.
    stream: async function* (input, given) {
      const { mode, ...checked } = checkStreamOptions("treeSplit.stream", given);
      const request = toRequest(`${id}.stream`, input);
      const callOptions = withProcessSink(checked);
      yield* withMode(
        runAsStream(callOptions.signal, (sink, signal) =>
          run(request, { ...callOptions, signal }, (next, options) =>
            streamCall(model, next, options, (part) => sink.push(part)),
          ),
        ),
        mode,
      );
    },
  };
  return model.capabilities === undefined ? wrapped : { ...wrapped, capabilities: { ...model.capabilities } };
}
