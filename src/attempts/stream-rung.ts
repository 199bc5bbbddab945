import type { GenerateRequest, ToolCall } from "../messages.js";
import type { CallOptions, Generation, Model } from "../model.js";
import type { Rubric, RuleContext, Verdict } from "../rubric/types.js";
import { macrotask } from "../stream/macrotask.js";
import { PrefixSchedule } from "../stream/prefix-schedule.js";
import type { PartSink } from "../stream/sink.js";
import { streamCall } from "../stream/stream-call.js";
import type { VisibleText } from "../stream/visible-text.js";

/** An attempt stopped before its end: a prefix of its text already failed a rule. */
export interface EarlyStop {
  type: "early-stop";
  /** The text streamed before the stop (nested discarded attempts left out). */
  text: string;
  toolCalls: readonly ToolCall[];
  /** The rejecting verdict on the prefix. */
  verdict: Verdict;
  /** Text deltas received (nested attempts' included): the output tokens booked for the attempt. */
  deltas: number;
}

/** What a streamed attempt needs beyond the call: where its parts go, and the rubric that judges prefixes. */
export interface StreamTarget {
  sink: PartSink;
  rubric: Rubric | undefined;
  /** The context the rubric's prefix rules see. */
  context: RuleContext;
  /**
   * What the attempt has shown so far (made by the attempt, filled here): read when the attempt fails or is
   * aborted mid-stream, so its record keeps the text streamed before it ended.
   */
  visible: VisibleText;
}

/**
 * Streams one rung's model into the run's sink, judging prefixes on the way (when the rubric can:
 * `evaluatePrefix`). Resolves to the stream's final generation, or to an {@link EarlyStop} when a prefix
 * already failed a rule that rejects any output; the model's stream is closed then (its provider's stream
 * cancelled). Each `next()` is raced against `options.signal`, so a stalled stream ends at the attempt's
 * time limit.
 * @throws what the model's stream throws; ProviderError (`server-error`) for a stream without `finish`.
 */
export async function streamRung(
  model: Model,
  request: GenerateRequest,
  options: CallOptions,
  target: StreamTarget,
): Promise<Generation | EarlyStop> {
  const { sink, rubric, visible } = target;
  const judgePrefix = rubric?.evaluatePrefix;
  const schedule = judgePrefix === undefined ? undefined : new PrefixSchedule();
  let deltas = 0;
  let stop: Verdict | undefined;
  const generation = await streamCall(model, request, options, (part) => {
    visible.apply(part);
    const pushed = sink.push(part);
    let checked = false;
    if (part.type === "text-delta") {
      deltas += 1;
      if (schedule?.due(visible.length) === true) {
        checked = true;
        const verdict = judgePrefix?.call(rubric, visible.text, target.context);
        if (verdict !== undefined && !verdict.accepted) stop = verdict;
      }
    }
    if (!checked) return pushed;
    // A prefix check runs synchronously, however long a custom rule takes: let the timers due by now (the
    // attempt's time limit) run before the stream goes on. Checks are few (geometric), so this is cheap.
    const waited = pushed === undefined ? macrotask() : pushed.then(macrotask);
    // The prefix already fails: this part is the stream's last for the attempt (pushed, then stopped).
    return stop === undefined ? waited : waited.then(() => "stop" as const);
  });
  if (generation !== undefined) return generation;
  if (stop === undefined) throw new Error("unreachable: a stream call stopped without a verdict");
  return { type: "early-stop", text: visible.text, toolCalls: visible.toolCalls, verdict: stop, deltas };
}
