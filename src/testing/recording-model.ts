import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { isAbortReason } from "../abort.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { ProviderError } from "../errors/provider-error.js";
import { RungsError } from "../errors/rungs-error.js";
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
import { redactValue, serializeError } from "../redact.js";
import { toRequest } from "../request.js";
import { requestData } from "../request-data.js";
import { checkStreamOptions } from "../stream/check-stream-options.js";
import { withMode } from "../stream/modes.js";
import { streamModel } from "../stream/stream-model.js";
import { type CassetteEntry, requestKey } from "./cassette.js";

/** A model that also writes every call it makes to a cassette, generated or streamed. */
export interface RecordingModel extends StreamingModel {
  /** The cassette file (JSON Lines). */
  readonly file: string;
  /** Entries written so far. */
  readonly recorded: number;
}

/**
 * Wraps `model` so each call is appended to `file` as one JSON Lines entry: the request, and the
 * generation or the error (its kind and status). Secrets are masked in what is written (known keys,
 * Bearer tokens, `key=` parameters, authorization-like fields); the entry's `key` is the hash of the
 * request as it was, so `replayModel(file)` serves it back for the same request. Each call resolves after
 * its entry is written, and entries are written in the order calls end; an abort is not recorded (it is
 * the caller's doing, not the model's answer). Calls pass through unchanged: same options, same result.
 * A streamed call (`stream`) passes the model's parts through as they come and records its final
 * generation, the one its `finish` carries, before sending `finish`: the entry is the one `generate` writes,
 * so a replay serves it either way. A stream left early (`break`) is not recorded.
 *
 * @example
 * const live = recordingModel(ollamaModel({ model: "qwen3:8b" }), "test/fixtures/qwen.jsonl");
 * // later, in tests, without a server:
 * const replayed = replayModel("test/fixtures/qwen.jsonl");
 */
export function recordingModel(model: Model, file: string): RecordingModel {
  if (typeof model?.generate !== "function" || typeof model.id !== "string") {
    throw new RungsError('recordingModel: "model" must be a rungs Model ({ id, generate }).');
  }
  let recorded = 0;
  let ready: Promise<unknown> | undefined;
  let queue: Promise<void> = Promise.resolve();
  const write = (entry: CassetteEntry): Promise<void> => {
    let line: string;
    try {
      line = `${JSON.stringify(entry)}\n`;
    } catch (error) {
      // A value JSON cannot hold (a BigInt in a structured answer): this entry is not written, and the
      // model's answer is not turned into a failure of the model's.
      return Promise.reject(
        new RungsError(
          `recordingModel: the answer to request ${entry.key} cannot be written as JSON (${(error as Error).message}); it is not in the cassette.`,
          { cause: error },
        ),
      );
    }
    ready ??= mkdir(dirname(file), { recursive: true });
    const next = queue.then(async () => {
      await ready;
      await appendFile(file, line, "utf8");
      recorded += 1;
    });
    queue = next.catch(() => {});
    return next;
  };

  /** The entry's fields that say which request it answers. */
  const entryBase = (request: GenerateRequest) => ({
    v: 1 as const,
    modelId: model.id,
    key: requestKey(request),
    request: redactValue(requestData(request)),
  });
  /** Records a failure, unless it is the caller's abort (the caller's doing, not the model's answer). */
  const recordError = async (
    base: ReturnType<typeof entryBase>,
    error: unknown,
    signal: AbortSignal | undefined,
  ): Promise<void> => {
    if (isAbortReason(error, signal)) return;
    const { name, message, kind, status } = serializeError(error);
    const recordedError: NonNullable<CassetteEntry["error"]> = { name, message };
    if (kind !== undefined) recordedError.kind = kind as FailureKind;
    if (status !== undefined) recordedError.status = status;
    await write({ ...base, error: recordedError }).catch(reportWriteError);
  };
  // A cassette that cannot be written must not replace the model's answer (or its error): warn instead.
  const recordGeneration = (base: ReturnType<typeof entryBase>, generation: Generation): Promise<void> =>
    write({ ...base, generation: redactValue(generation) }).catch(reportWriteError);

  const generate = async (
    input: GenerateRequest | PromptRequest,
    options?: CallOptions,
  ): Promise<Generation> => {
    // The shorthand ({ prompt }) is recorded expanded, as replayModel keys it: a cassette must replay.
    const request = toRequest("recordingModel", input);
    const base = entryBase(request);
    let generation: Generation;
    try {
      generation = await model.generate(request, options);
    } catch (error) {
      await recordError(base, error, options?.signal);
      throw error;
    }
    await recordGeneration(base, generation);
    return generation;
  };

  /** The model's own stream (live), passed through; its final generation is recorded before `finish`. */
  async function* recordedStream(request: GenerateRequest, options: CallOptions): AsyncGenerator<StreamPart> {
    const base = entryBase(request);
    let generation: Generation | undefined;
    try {
      for await (const part of streamModel(model, request, { ...options, mode: "live" })) {
        if (part.type === "finish") {
          generation = part.generation;
          break;
        }
        yield part;
      }
      if (generation === undefined) {
        throw new ProviderError(
          `The stream of "${model.id}" ended without a finish part: a Model's stream must end with { type: "finish", generation }.`,
          { kind: "server-error", providerId: model.id },
        );
      }
    } catch (error) {
      await recordError(base, error, options.signal);
      throw error;
    }
    await recordGeneration(base, generation);
    yield { type: "finish", generation };
  }

  const stream = async function* (
    input: GenerateRequest | PromptRequest,
    options?: StreamOptions,
  ): AsyncGenerator<StreamPart> {
    const { mode } = checkStreamOptions("recordingModel.stream", options);
    const { mode: _mode, ...callOptions } = options ?? {};
    // Recorded as `generate` records: the request expanded, the final generation (a streamed call left
    // early, like an abort, is the caller's doing and is not recorded).
    yield* withMode(recordedStream(toRequest("recordingModel", input), callOptions), mode);
  };

  const recording: StreamingModel = { id: model.id, generate, stream };
  if (model.capabilities !== undefined)
    Object.defineProperty(recording, "capabilities", { value: model.capabilities, enumerable: true });
  return Object.defineProperties(recording, {
    file: { value: file, enumerable: true },
    recorded: { get: () => recorded, enumerable: true },
  }) as RecordingModel;
}

function reportWriteError(error: unknown): void {
  globalThis.process?.emitWarning?.(
    `rungs: recordingModel could not write its cassette (the call's result is kept): ${error instanceof Error ? error.message : String(error)}`,
    { code: "RUNGS_CASSETTE_WRITE_ERROR" },
  );
}
