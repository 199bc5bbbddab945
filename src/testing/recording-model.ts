import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { isAbortReason } from "../abort.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { RungsError } from "../errors/rungs-error.js";
import type { CallOptions, GenerateRequest, Generation, Model } from "../model.js";
import { redactValue, serializeError } from "../redact.js";
import { toRequest } from "../request.js";
import { requestData } from "../request-data.js";
import { type CassetteEntry, requestKey } from "./cassette.js";

/** A model that also writes every call it makes to a cassette. */
export interface RecordingModel extends Model {
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

  const generate = async (input: GenerateRequest, options?: CallOptions): Promise<Generation> => {
    // The shorthand ({ prompt }) is recorded expanded, as replayModel keys it: a cassette must replay.
    const request = toRequest("recordingModel", input);
    const base = {
      v: 1 as const,
      modelId: model.id,
      key: requestKey(request),
      request: redactValue(requestData(request)),
    };
    let generation: Generation;
    try {
      generation = await model.generate(request, options);
    } catch (error) {
      if (!isAbortReason(error, options?.signal)) {
        const { name, message, kind, status } = serializeError(error);
        const recordedError: NonNullable<CassetteEntry["error"]> = { name, message };
        if (kind !== undefined) recordedError.kind = kind as FailureKind;
        if (status !== undefined) recordedError.status = status;
        await write({ ...base, error: recordedError }).catch(reportWriteError);
      }
      throw error;
    }
    // A cassette that cannot be written must not replace the model's answer (or its error): warn instead.
    await write({ ...base, generation: redactValue(generation) }).catch(reportWriteError);
    return generation;
  };

  const recording = { id: model.id, generate } as RecordingModel;
  if (model.capabilities !== undefined)
    Object.defineProperty(recording, "capabilities", { value: model.capabilities, enumerable: true });
  return Object.defineProperties(recording, {
    file: { value: file, enumerable: true },
    recorded: { get: () => recorded, enumerable: true },
  });
}

function reportWriteError(error: unknown): void {
  globalThis.process?.emitWarning?.(
    `rungs: recordingModel could not write its cassette (the call's result is kept): ${error instanceof Error ? error.message : String(error)}`,
    { code: "RUNGS_CASSETTE_WRITE_ERROR" },
  );
}
