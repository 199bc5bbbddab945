import type { Attributes, Span, Tracer } from "@opentelemetry/api";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { privateSink, type RungsEvents, withProcessSink } from "../events.js";
import type {
  CallOptions,
  GenerateRequest,
  Generation,
  Model,
  PromptRequest,
  StreamingModel,
  StreamOptions,
  StreamPart,
} from "../model.js";
import { validateModelId } from "../model.js";
import { parseOptions } from "../options.js";
import { toRequest } from "../request.js";
import { streamModel } from "../stream/stream-model.js";
import { boolean, custom, number, object, string } from "../validate/check.js";
import { type Api, loadApi } from "./api.js";
import {
  ContentCapture,
  genAiFinishReason,
  modelAttributes,
  parentOf,
  usageAttributes,
} from "./attributes.js";
import { SpanTree, wallNow } from "./span-tree.js";

declare const __RUNGS_VERSION__: string | undefined;

/** Options of {@link withOtel}. */
export interface OtelOptions {
  /** The tracer spans are made with. @default trace.getTracer("rungs", version), from the global provider */
  tracer?: Tracer;
  /** `gen_ai.workflow.name` of the run's span, and its name (`invoke_workflow <name>`). @default the model's id */
  workflowName?: string;
  /**
   * Record prompt and output text on spans (`gen_ai.input.messages` on the run's span, `gen_ai.output.messages`
   * on the run's and each attempt's), redacted by rungs' secret scrubber and cut to `maxContentChars` each.
   * Off by default: prompts and answers often hold personal data. @default false
   */
  captureContent?: boolean;
  /** Most characters of one captured text (one message or output); the rest is cut, with a marker. @default 4000 */
  maxContentChars?: number;
}

const optionsSchema = object({
  tracer: custom<Tracer>(
    (t) => typeof (t as Partial<Tracer> | null)?.startSpan === "function",
    'must be an OpenTelemetry Tracer (e.g. provider.getTracer("my-app"))',
  ).optional(),
  workflowName: string({ nonEmpty: true }).optional(),
  captureContent: boolean().optional(),
  maxContentChars: number({ int: true, min: 1, max: 1_000_000 }).optional(),
});

/** The span trees of traced runs now going, by the event sink they listen on: a traced model called beneath
 * another traced run (a judge's model, a rung) adds its span to that run's tree instead of starting a trace. */
const runs = new WeakMap<RungsEvents, SpanTree>();

/** A traced run: its tree, its span, the options the model is called with, and what ends its spans. */
interface Run {
  api: Api;
  tree: SpanTree;
  span: Span;
  callOptions: CallOptions;
  close: () => void;
  /** The span's start, wall clock ms: a stream's time to first chunk is measured from it. */
  startedAt: number;
}

const version = typeof __RUNGS_VERSION__ === "string" ? __RUNGS_VERSION__ : "0.0.0-dev";

/**
 * Traces a model with OpenTelemetry. Each `generate` makes a span for the run (`invoke_workflow <name>`,
 * `gen_ai.operation.name` `invoke_workflow`) and, nested beneath it by event path, a span per attempt and per
 * continuation (`chat <model id>`, kind CLIENT) and per primitive, split shard and judge beneath
 * (`rungs escalate`, `rungs treeSplit`, `rungs map[3]`, `rungs judge[quality]`, ...).
 *
 * Attributes follow the OpenTelemetry GenAI semantic conventions (`gen_ai.operation.name`,
 * `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.response.model`, `gen_ai.usage.input_tokens`,
 * `gen_ai.usage.output_tokens`, `gen_ai.response.finish_reasons`, `error.type`) plus rungs' own under `rungs.`
 * (`rungs.path`, `rungs.rung`, `rungs.attempt.number`, `rungs.failure.kind`, `rungs.verdict.score`,
 * `rungs.exhaustion.limit`, ...); skips, transport retries and truncations are span events. A failed attempt,
 * an exhausted engine and a run that throws have status ERROR (the error recorded as an exception event,
 * redacted). Every span ends when the run does, accepted, exhausted or aborted. No prompt or output text is
 * recorded unless `captureContent` is true. A tracer or exporter that throws never breaks the run: it goes on
 * (untraced if its span could not start) and one `RUNGS_OTEL_ERROR` process warning says why.
 *
 * The run's span is a child of the span active when `generate` is called, and is itself active while the
 * model runs (with a context manager registered, spans of instrumented HTTP clients nest in it). A judge's
 * model wrapped with `withOtel` too gets its span under the judged attempt. Events still reach the
 * `events` you pass. Span times are wall-clock times, whatever clock the run is given.
 *
 * `stream` makes the same spans (the inner model's `stream`, or its `generate` as one chunk): they carry
 * `gen_ai.request.stream` and `gen_ai.response.time_to_first_chunk` (seconds, from the GenAI conventions'
 * inference span: the run's to the first delta or tool call it yields, an attempt's to its first), a
 * discarded attempt has a `rungs.attempt_discard` span event (kind, reason, early) and one stopped early
 * `rungs.attempt.stopped_early`. No span event per delta. The run's span ends when the stream does: at its
 * `finish`, at an error, or when the consumer leaves early (`rungs.stream.closed_early`).
 *
 * @returns a streaming Model with the same `id`, `capabilities` and value type (a `structured` rubric's
 *   `value` stays typed).
 * @throws InvalidArgumentError when `model` is not a Model or an option is malformed.
 * @example
 * const traced = withOtel(escalateAcross([small, large], { rubric }));
 * await traced.generate({ prompt: "Summarise the report." });
 */
export function withOtel<V = unknown>(model: Model<V>, options: OtelOptions = {}): StreamingModel<V> {
  if (typeof (model as Partial<Model> | null | undefined)?.generate !== "function") {
    throw new InvalidArgumentError({
      parameter: "model",
      value: model,
      message:
        'withOtel: "model" must be a Model ({ id, generate }), e.g. from escalateAcross or defineModel.',
    });
  }
  validateModelId("withOtel", model.id);
  const parsed = parseOptions("withOtel", optionsSchema, options);
  const workflowName = parsed.workflowName ?? model.id;
  const content =
    parsed.captureContent === true ? new ContentCapture(parsed.maxContentChars ?? 4000) : undefined;

  // A tracer, span processor or exporter that throws must not break the run it observes: the error is
  // reported once (a RUNGS_OTEL_ERROR process warning) and the run goes on, traced or not.
  let reported = false;
  const report = (error: unknown) => {
    if (reported) return;
    reported = true;
    globalThis.process?.emitWarning?.(
      `withOtel: tracing failed and was skipped (reported once; the run goes on): ${error instanceof Error ? error.message : String(error)}`,
      { code: "RUNGS_OTEL_ERROR" },
    );
  };
  const safely = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      report(error);
      return undefined;
    }
  };

  /** Starts a run's span (a root, or one more span in the traced run above); undefined when it cannot. */
  const begin = async (given: CallOptions, streamed: boolean): Promise<Run | undefined> => {
    const api = await loadApi();
    const path = given.path ?? "";
    const attributes: Attributes = {
      "gen_ai.operation.name": "invoke_workflow",
      "gen_ai.workflow.name": workflowName,
      "rungs.model.id": model.id,
      ...(path === "" ? {} : { "rungs.path": path }),
      ...(streamed ? { "gen_ai.request.stream": true } : {}),
    };
    const name = `invoke_workflow ${workflowName}`;
    const outer = given.events === undefined ? undefined : runs.get(given.events);
    if (outer !== undefined) {
      // Beneath another traced run: one more span in its tree, at this call's path (after its parent's).
      const registered = path !== "" && !outer.has(path);
      let startTime = wallNow();
      const span = safely(() => {
        const parent = registered ? outer.container(parentOf(path)) : outer.nearest(path);
        startTime = wallNow();
        return registered
          ? outer.open(path, name, { attributes, startTime }, parent)
          : outer.tracer.startSpan(name, { attributes, startTime }, outer.contextOf(parent));
      });
      if (span === undefined) return undefined;
      const close = () => (registered ? outer.end(path) : span.end(wallNow()));
      return { api, tree: outer, span, callOptions: given, close, startedAt: startTime };
    }
    const startTime = wallNow();
    const root = safely(() => {
      const tracer = parsed.tracer ?? api.trace.getTracer("rungs", version);
      const span = tracer.startSpan(name, { attributes, startTime }, api.context.active());
      return { tracer, span };
    });
    if (root === undefined) return undefined;
    const tree = new SpanTree(api, root.tracer, root.span, path, content, report, streamed);
    // The run's own sink (runs on one caller's sink stay apart), forwarded to the caller's or, when there is
    // none, to the process's RUNGS_LOG sink: the console reporter hears each event once.
    const events = privateSink({ onListenerError: report });
    tree.listen(events, withProcessSink(given).events);
    runs.set(events, tree);
    const close = () => {
      runs.delete(events);
      tree.endAll();
      root.span.end(wallNow());
    };
    return { api, tree, span: root.span, callOptions: { ...given, events }, close, startedAt: startTime };
  };

  const generate = async (
    input: GenerateRequest | PromptRequest,
    given: CallOptions = {},
  ): Promise<Generation<V>> => {
    const run = await begin(given, false);
    if (run === undefined) return model.generate(input, given);
    captureInput(run.span, input);
    let generation: Generation<V>;
    try {
      generation = await run.api.context.with(run.tree.contextOf(run.span), () =>
        model.generate(input, run.callOptions),
      );
    } catch (error) {
      failed(run, error);
      throw error;
    }
    succeeded(run, generation);
    return generation;
  };

  async function* stream(
    input: GenerateRequest | PromptRequest,
    given: StreamOptions = {},
  ): AsyncGenerator<StreamPart<V>> {
    const run = await begin(given, true);
    if (run === undefined) {
      yield* streamModel(model, input, given);
      return;
    }
    const { api, tree, span } = run;
    captureInput(span, input);
    safely(() => span.setAttribute("rungs.stream.mode", given.mode ?? "live"));
    const active = tree.contextOf(span);
    const { startedAt } = run;
    let firstPart = true;
    let discards = 0;
    // Settled: the run's spans are closed (finish, error); otherwise the consumer left early.
    let settled = false;
    let iterator: AsyncIterator<StreamPart<V>> | undefined;
    try {
      // Each step runs with the run's span active, as generate's whole call does.
      const opened = api.context.with(active, () =>
        streamModel(model, input, { ...given, ...run.callOptions })[Symbol.asyncIterator](),
      );
      iterator = opened;
      for (;;) {
        const step = await api.context.with(active, () => opened.next());
        if (step.done === true) {
          // A stream that ends without finish: the spans still end, with what is known.
          settled = true;
          safely(() => span.setAttribute("rungs.stream.discards", discards));
          safely(run.close);
          return;
        }
        const part = step.value;
        if (firstPart && (part.type === "text-delta" || part.type === "tool-call")) {
          firstPart = false;
          safely(() =>
            span.setAttribute("gen_ai.response.time_to_first_chunk", (wallNow() - startedAt) / 1000),
          );
        }
        if (part.type === "discard") discards += 1;
        if (part.type === "finish") {
          settled = true;
          safely(() => span.setAttribute("rungs.stream.discards", discards));
          succeeded(run, part.generation);
        }
        yield part;
        if (settled) return;
      }
    } catch (error) {
      if (!settled) {
        settled = true;
        safely(() => span.setAttribute("rungs.stream.discards", discards));
        failed(run, error);
      }
      throw error;
    } finally {
      if (!settled) {
        // The consumer left early: the run beneath is closed first (its attempts end), then its spans.
        try {
          await iterator?.return?.();
        } catch {
          // The model's own cleanup failed: its spans still end below.
        }
        safely(() =>
          span.setAttributes({ "rungs.stream.closed_early": true, "rungs.stream.discards": discards }),
        );
        safely(run.close);
      }
    }
  }

  /** With `captureContent`, the request's messages on the run's span. */
  const captureInput = (span: Span, input: GenerateRequest | PromptRequest): void => {
    if (content === undefined) return;
    let request: GenerateRequest | undefined;
    try {
      request = toRequest("withOtel", input);
    } catch {
      // A malformed request: the model refuses it, with its own error.
    }
    if (request !== undefined)
      safely(() => span.setAttribute("gen_ai.input.messages", content.input(request)));
  };

  /** The run threw: what is known of it on its span, status ERROR, and every span ended. */
  const failed = ({ tree, span, close }: Run, error: unknown): void => {
    safely(() => {
      const { limit, attempts } = (error ?? {}) as { limit?: unknown; attempts?: unknown };
      if (typeof limit === "string") span.setAttribute("rungs.exhaustion.limit", limit);
      if (Array.isArray(attempts)) span.setAttribute("rungs.attempts", attempts.length);
      // No Generation to read them from: the run's token totals are its attempts' (nested ones once).
      if (span === tree.root) span.setAttributes(usageAttributes(tree.usage));
      tree.fail(span, error);
    });
    safely(close);
  };

  /** The run answered: the answer's facts on its span, and every span ended. */
  const succeeded = ({ span, close }: Run, generation: Generation<V>): void => {
    safely(() => {
      span.setAttributes({
        "gen_ai.response.model":
          modelAttributes(generation.modelId)["gen_ai.request.model"] ?? generation.modelId,
        "gen_ai.response.finish_reasons": [genAiFinishReason(generation.finishReason)],
        ...usageAttributes(generation.usage),
      });
      if (generation.verdict !== undefined) {
        span.setAttributes({
          "rungs.verdict.accepted": generation.verdict.accepted,
          "rungs.verdict.score": generation.verdict.score,
        });
      }
      if (generation.answeredBy !== undefined) {
        span.setAttributes({
          "rungs.rung": generation.answeredBy.rung,
          "rungs.attempts": generation.answeredBy.attemptCount,
          "rungs.climbed": generation.answeredBy.climbed,
        });
      }
      if (content !== undefined) {
        span.setAttribute(
          "gen_ai.output.messages",
          content.output(generation.text, generation.finishReason, generation.toolCalls),
        );
      }
    });
    safely(close);
  };

  const wrapped: StreamingModel<V> = { id: model.id, generate, stream };
  return model.capabilities === undefined ? wrapped : { ...wrapped, capabilities: { ...model.capabilities } };
}
