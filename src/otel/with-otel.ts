import type { Attributes, Span, Tracer } from "@opentelemetry/api";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { RungsEvents } from "../events.js";
import type { CallOptions, GenerateRequest, Generation, Model, PromptRequest } from "../model.js";
import { validateModelId } from "../model.js";
import { parseOptions } from "../options.js";
import { toRequest } from "../request.js";
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
 * @returns a Model with the same `id`, `capabilities` and value type (a `structured` rubric's `value`
 *   stays typed).
 * @throws InvalidArgumentError when `model` is not a Model or an option is malformed.
 * @example
 * const traced = withOtel(escalateAcross([small, large], { rubric }));
 * await traced.generate({ prompt: "Summarise the report." });
 */
export function withOtel<V = unknown>(model: Model<V>, options: OtelOptions = {}): Model<V> {
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

  const generate = async (
    input: GenerateRequest | PromptRequest,
    given: CallOptions = {},
  ): Promise<Generation<V>> => {
    const api = await loadApi();
    const path = given.path ?? "";
    const attributes: Attributes = {
      "gen_ai.operation.name": "invoke_workflow",
      "gen_ai.workflow.name": workflowName,
      "rungs.model.id": model.id,
      ...(path === "" ? {} : { "rungs.path": path }),
    };
    const name = `invoke_workflow ${workflowName}`;
    const outer = given.events === undefined ? undefined : runs.get(given.events);
    if (outer !== undefined) {
      // Beneath another traced run: one more span in its tree, at this call's path.
      const registered = path !== "" && !outer.has(path);
      const span = safely(() =>
        registered
          ? outer.open(path, name, { attributes }, outer.container(parentOf(path)))
          : outer.tracer.startSpan(
              name,
              { attributes, startTime: wallNow() },
              outer.contextOf(outer.nearest(path)),
            ),
      );
      if (span === undefined) return model.generate(input, given);
      return traced(api, outer, span, input, given, () =>
        registered ? outer.end(path) : span.end(wallNow()),
      );
    }
    const root = safely(() => {
      const tracer = parsed.tracer ?? api.trace.getTracer("rungs", version);
      const span = tracer.startSpan(name, { attributes, startTime: wallNow() }, api.context.active());
      return { tracer, span };
    });
    if (root === undefined) return model.generate(input, given);
    const tree = new SpanTree(api, root.tracer, root.span, path, content, report);
    const events = new RungsEvents({ onListenerError: report });
    tree.listen(events, given.events);
    runs.set(events, tree);
    return traced(api, tree, root.span, input, { ...given, events }, () => {
      runs.delete(events);
      tree.endAll();
      root.span.end(wallNow());
    });
  };

  /** Runs the model with `span` active and records its outcome on it; `close` ends the spans. */
  const traced = async (
    api: Api,
    tree: SpanTree,
    span: Span,
    input: GenerateRequest | PromptRequest,
    callOptions: CallOptions,
    close: () => void,
  ): Promise<Generation<V>> => {
    if (content !== undefined) {
      let request: GenerateRequest | undefined;
      try {
        request = toRequest("withOtel", input);
      } catch {
        // A malformed request: the model refuses it below, with its own error.
      }
      if (request !== undefined)
        safely(() => span.setAttribute("gen_ai.input.messages", content.input(request)));
    }
    let generation: Generation<V>;
    try {
      generation = await api.context.with(tree.contextOf(span), () => model.generate(input, callOptions));
    } catch (error) {
      safely(() => {
        const { limit, attempts } = (error ?? {}) as { limit?: unknown; attempts?: unknown };
        if (typeof limit === "string") span.setAttribute("rungs.exhaustion.limit", limit);
        if (Array.isArray(attempts)) span.setAttribute("rungs.attempts", attempts.length);
        // No Generation to read them from: the run's token totals are its attempts' (nested ones once).
        if (span === tree.root) span.setAttributes(usageAttributes(tree.usage));
        tree.fail(span, error);
      });
      safely(close);
      throw error;
    }
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
    return generation;
  };

  const wrapped: Model<V> = { id: model.id, generate };
  return model.capabilities === undefined ? wrapped : { ...wrapped, capabilities: { ...model.capabilities } };
}
