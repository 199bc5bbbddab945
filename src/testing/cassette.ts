import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FailureKind } from "../errors/failure-kind.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type { GenerateRequest, Generation, GenerationInput } from "../model.js";
import { requestData } from "../request-data.js";

/**
 * One recorded call: the request a model was asked and what it answered (or how it failed). A cassette is
 * a list of these, stored as JSON Lines (one entry per line) by `recordingModel`; `replayModel` takes a
 * file or entries built in memory.
 */
export interface CassetteEntry {
  /** Format version. @default 1 */
  v?: 1;
  /** The id of the model that was recorded (the wrapped model, e.g. a ladder). */
  modelId: string;
  /** {@link requestKey} of the request with the default match, computed before secrets were masked. */
  key?: string;
  /** The request, as recorded (secrets masked). */
  request: GenerateRequest;
  /** What the model returned; at least `{ text }`. Absent when the call failed. */
  generation?: Generation | GenerationInput;
  /** How the call failed, when it did (the message already scrubbed of secrets). */
  error?: {
    /** The error's class name. */
    name: string;
    /** Its message, scrubbed of secrets. */
    message: string;
    /** Its failure kind, when it had one. */
    kind?: FailureKind;
    /** Its HTTP status, when it had one. */
    status?: number;
  };
}

/** Request fields a replay key can be built from. */
export type RequestField =
  | "messages"
  | "context"
  | "feedback"
  | "maxOutputTokens"
  | "temperature"
  | "stop"
  | "tools"
  | "toolChoice";

/** Which parts of a request identify a recording. */
export interface RequestMatch {
  /**
   * Fields that form the key. Drop `feedback` to replay a ladder whose later rungs carry earlier failures.
   * @default ["messages", "context", "feedback", "maxOutputTokens", "temperature", "stop", "tools", "toolChoice"]
   */
  fields?: readonly RequestField[];
  /** `metadata` in the key: `true` for all of it, or the keys to include. @default false (metadata ignored) */
  metadata?: boolean | readonly string[];
}

/** How requests are matched: a {@link RequestMatch}, or a function returning the value to key on. */
export type Matcher = RequestMatch | ((request: GenerateRequest) => unknown);

const defaultFields: readonly RequestField[] = [
  "messages",
  "context",
  "feedback",
  "maxOutputTokens",
  "temperature",
  "stop",
  "tools",
  "toolChoice",
];

/** The value `matcher` keys `request` on, before hashing. */
function keyedValue(input: GenerateRequest, matcher: Matcher | undefined): unknown {
  if (typeof matcher === "function") return matcher(input);
  // Bytes as base64 and tools by their JSON Schema: a request hashes as its recorded JSON does.
  const request = requestData(input);
  const fields = matcher?.fields ?? defaultFields;
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field] = request[field];
  const metadata = matcher?.metadata ?? false;
  if (metadata === true) out.metadata = request.metadata;
  else if (metadata !== false && request.metadata !== undefined) {
    out.metadata = Object.fromEntries(metadata.map((name) => [name, request.metadata?.[name]]));
  }
  return out;
}

/** Deepest nesting a request may have to be hashed: past it, {@link canonicalJson} throws a clear error. */
export const maxCanonicalDepth = 1_000;

/**
 * JSON with object keys sorted and `undefined` dropped, so equal requests give equal text.
 * @throws InvalidArgumentError when the value nests deeper than 1,000 levels or holds
 *   a cycle (a stack overflow would otherwise surface as a retried server error).
 */
export function canonicalJson(value: unknown, depth = 0, seen: Set<object> = new Set()): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (depth >= maxCanonicalDepth || seen.has(value)) {
    throw new InvalidArgumentError({
      parameter: "request",
      value: undefined,
      message: `The request ${seen.has(value) ? "holds a cycle" : `nests deeper than ${maxCanonicalDepth} levels`} (in its metadata or fields), so it cannot be hashed for a cassette. Flatten it, or key the cassette with a matcher function.`,
    });
  }
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = `[${value.map((item) => canonicalJson(item ?? null, depth + 1, seen)).join(",")}]`;
  } else {
    const keys = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort();
    out = `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key], depth + 1, seen)}`).join(",")}}`;
  }
  seen.delete(value);
  return out;
}

/**
 * A stable hash (SHA-256, hex) of what identifies a request: by default its messages (content parts, tool
 * calls and results included), context, feedback, maxOutputTokens, temperature, stop, tools and toolChoice,
 * as canonical JSON, with media bytes as base64 and tools' schemas as JSON Schema (a Uint8Array and the base64
 * of the same bytes hash alike); `metadata` only when the matcher asks for it. A request without tools hashes
 * as it did before tools existed, so older cassettes still replay.
 */
export function requestKey(request: GenerateRequest, matcher?: Matcher): string {
  return createHash("sha256")
    .update(canonicalJson(keyedValue(request, matcher)))
    .digest("hex");
}

/** True when `matcher` keys requests the way `recordingModel` does (so a stored `key` can be used as is). */
export function isDefaultMatcher(matcher: Matcher | undefined): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === "function") return false;
  const fields = matcher.fields ?? defaultFields;
  return (
    (matcher.metadata === undefined || matcher.metadata === false) &&
    fields.length === defaultFields.length &&
    defaultFields.every((field) => fields.includes(field))
  );
}

/**
 * Reads a JSON Lines cassette. Blank lines are skipped.
 * @throws InvalidArgumentError naming the file (and the line) when it cannot be read or a line is not an entry.
 */
export function readCassette(file: string): CassetteEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InvalidArgumentError({
      parameter: "file",
      value: file,
      message: `replayModel: cannot read the cassette ${JSON.stringify(file)} (${(error as Error).message}). Record one with recordingModel(model, file) first.`,
    });
  }
  const entries: CassetteEntry[] = [];
  const lines = text.split("\n");
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      entry = undefined;
    }
    if (!isEntry(entry)) {
      throw new InvalidArgumentError({
        parameter: "file",
        value: file,
        message: `replayModel: line ${index + 1} of ${JSON.stringify(file)} is not a cassette entry ({ modelId, request, generation | error }).`,
      });
    }
    entries.push(entry);
  }
  return entries;
}

/** Checks the shape of one entry (from a file or from memory). */
export function isEntry(value: unknown): value is CassetteEntry {
  if (typeof value !== "object" || value === null) return false;
  const { modelId, request, generation, error } = value as Record<string, unknown>;
  const hasGeneration =
    typeof generation === "object" &&
    generation !== null &&
    typeof (generation as { text?: unknown }).text === "string";
  const hasError = typeof error === "object" && error !== null;
  return (
    typeof modelId === "string" &&
    typeof request === "object" &&
    request !== null &&
    Array.isArray((request as { messages?: unknown }).messages) &&
    (hasGeneration || hasError)
  );
}
