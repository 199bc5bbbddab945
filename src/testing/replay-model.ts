import { defineModel } from "../define-model.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { ProviderError } from "../errors/provider-error.js";
import { RungsError } from "../errors/rungs-error.js";
import {
  type GenerateRequest,
  type ModelCapabilities,
  normalizeGeneration,
  type StreamingModel,
} from "../model.js";
import { parseOptions, schemas } from "../options.js";
import { messageText } from "../prompt.js";
import { redactText } from "../redact.js";
import { capText } from "../text/cap.js";
import { array, boolean, object, oneOf, string, union } from "../validate/check.js";
import {
  type CassetteEntry,
  isDefaultMatcher,
  isEntry,
  type Matcher,
  readCassette,
  requestKey,
} from "./cassette.js";

/**
 * A replayed model was asked something it has no recording for (or, with `whenDone: "throw"`, asked it
 * more often than it was recorded). Its `kind` is `invalid-request`, so retries and ladders stop at once
 * rather than burying the miss under more attempts.
 */
export class ReplayMissError extends RungsError {
  /** The error's class name, `"ReplayMissError"`. */
  override name = "ReplayMissError" as const;
  /** Always `invalid-request`: retries and ladders stop at once. */
  readonly kind: FailureKind = "invalid-request";
  /** The request's key under the model's matcher. */
  readonly key: string;
  /** The replayed model's id. */
  readonly modelId: string;

  constructor(options: { modelId: string; key: string; message: string }) {
    super(options.message);
    this.key = options.key;
    this.modelId = options.modelId;
  }
}

/** Options of {@link replayModel}. */
export interface ReplayModelOptions {
  /** The replay model's id. @default `modelId`, else the cassette's only model id, else `"replay"` */
  id?: string;
  /** Serve only the entries recorded for this model id (a cassette can hold several models). */
  modelId?: string;
  /** What identifies a request. @default messages, context, feedback, maxOutputTokens, temperature, stop */
  match?: Matcher;
  /**
   * When a request was recorded n times and is asked an (n+1)th time: repeat the last recording, or throw
   * {@link ReplayMissError}. Named as `scriptedModel`'s option; the default differs on purpose: a replayed
   * request is usually asked again (retries, iterations), a script step usually is not. @default "repeat-last"
   */
  whenDone?: "repeat-last" | "throw";
  /** What the model can do beyond `generate`, e.g. its context window. */
  capabilities?: ModelCapabilities;
}

const optionsSchema = object({
  id: schemas.nonEmptyString.optional(),
  modelId: schemas.nonEmptyString.optional(),
  match: union(
    [
      schemas.fn,
      object({
        fields: array(
          oneOf(["messages", "context", "feedback", "maxOutputTokens", "temperature", "stop"]),
        ).optional(),
        metadata: union([boolean(), array(string())], "must be true, false or an array of keys").optional(),
      }),
    ],
    "must be a function (request) => key, or { fields?, metadata? }",
  ).optional(),
  whenDone: oneOf(["repeat-last", "throw"]).optional(),
  capabilities: schemas.capabilities.optional(),
});

/** A model that serves recorded answers, generated or streamed. */
export interface ReplayModel extends StreamingModel {
  /** Recordings loaded (after the `modelId` filter). */
  readonly size: number;
  /** Calls served so far. */
  readonly served: number;
}

/**
 * A model that answers from a cassette (a `recordingModel` file, or entries built in memory), keyed by a
 * stable hash of the request ({@link requestKey}); nothing is sent anywhere. Entries with the same key are
 * served in recorded order. A recorded error is thrown again (a `ProviderError` of its kind when it had
 * one). A request with no recording throws {@link ReplayMissError}, loudly, naming the fix.
 *
 * Streamed (`stream`), it sends the recorded answer as one delta, its tool calls, then `finish` with the
 * generation `generate` serves (a recorded error is thrown from the iteration).
 *
 * It is a leaf model: it draws on a shared `Budget` and honours abort. Lookups are a hash and a map read,
 * so a ladder of replayed rungs runs thousands of prompts in well under a second.
 *
 * @throws InvalidArgumentError for an unreadable file, a malformed entry (naming its line or index), or bad
 *   options.
 * @example
 * const model = replayModel("test/fixtures/qwen.jsonl");
 * // or in memory, keyed on one metadata field:
 * const rung = replayModel(
 *   prompts.map((p) => ({ modelId: "qwen", request: requestOf(p), generation: { text: answers[p.key] } })),
 *   { match: { fields: [], metadata: ["key"] } },
 * );
 */
export function replayModel(
  source: string | readonly CassetteEntry[],
  options: ReplayModelOptions = {},
): ReplayModel {
  const parsed = parseOptions("replayModel", optionsSchema, options);
  const matcher = options.match;
  const all = typeof source === "string" ? readCassette(source) : checkEntries(source);
  const entries =
    parsed.modelId === undefined ? all : all.filter((entry) => entry.modelId === parsed.modelId);
  const modelIds = new Set(entries.map((entry) => entry.modelId));
  const id =
    parsed.id ??
    parsed.modelId ??
    (modelIds.size === 1 ? (modelIds.values().next().value as string) : "replay");
  const useStoredKey = isDefaultMatcher(matcher);
  const byKey = new Map<string, CassetteEntry[]>();
  for (const entry of entries) {
    const key = useStoredKey && entry.key !== undefined ? entry.key : requestKey(entry.request, matcher);
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [entry]);
    else list.push(entry);
  }
  const cursors = new Map<string, number>();
  let served = 0;

  const miss = (request: GenerateRequest, key: string, exhausted: boolean) => {
    const lastUser = [...request.messages].reverse().find((m) => m.role === "user");
    const last = lastUser === undefined ? "" : messageText(lastUser);
    // Redact before cutting, so a secret at the cut cannot survive as a fragment.
    const excerpt = capText(redactText(last), 80);
    return new ReplayMissError({
      modelId: id,
      key,
      message: exhausted
        ? `replayModel "${id}": this request was recorded ${byKey.get(key)?.length} time(s) and all are served (whenDone: "throw"); last user message ${JSON.stringify(excerpt)}.`
        : `replayModel "${id}": no recording for this request (key ${capText(key, 13)}, last user message ${JSON.stringify(excerpt)}; ${entries.length} recordings loaded). Record it with recordingModel, add an entry, or loosen "match".`,
    });
  };

  const model = defineModel(
    id,
    async (request) => {
      const key = requestKey(request, matcher);
      const list = byKey.get(key);
      if (list === undefined) throw miss(request, key, false);
      const index = cursors.get(key) ?? 0;
      if (index >= list.length && parsed.whenDone === "throw") throw miss(request, key, true);
      cursors.set(key, index + 1);
      const entry = list[Math.min(index, list.length - 1)]!;
      served += 1;
      if (entry.generation === undefined) throw replayedError(entry);
      return normalizeGeneration(structuredClone(entry.generation), entry.modelId);
    },
    options.capabilities === undefined ? {} : { capabilities: options.capabilities },
  );
  return Object.defineProperties(model, {
    size: { value: entries.length, enumerable: true },
    served: { get: () => served, enumerable: true },
  }) as ReplayModel;
}

function checkEntries(entries: readonly CassetteEntry[]): CassetteEntry[] {
  if (!Array.isArray(entries)) {
    throw new InvalidArgumentError({
      parameter: "source",
      value: entries,
      message: 'replayModel: "source" must be a cassette file path or an array of entries.',
    });
  }
  entries.forEach((entry, index) => {
    if (!isEntry(entry)) {
      throw new InvalidArgumentError({
        parameter: `source[${index}]`,
        value: entry,
        message: `replayModel: entry ${index} is not a cassette entry ({ modelId, request: { messages }, generation: { text } | error }).`,
      });
    }
  });
  return [...entries];
}

function replayedError(entry: CassetteEntry): Error {
  const recorded = entry.error ?? { name: "Error", message: "recorded failure" };
  if (recorded.kind !== undefined) {
    return new ProviderError(recorded.message, {
      kind: recorded.kind,
      providerId: entry.modelId,
      ...(recorded.status === undefined ? {} : { status: recorded.status }),
    });
  }
  const error = new RungsError(recorded.message);
  error.name = recorded.name;
  return error;
}
