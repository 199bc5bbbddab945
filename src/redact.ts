import { bytesToBase64 } from "./text/base64.js";

/**
 * Secret scrubbing for everything rungs writes: events, records, error messages, cause chains.
 * Rules from docs/reliability.md (item 20) (openai-node's header masking, litellm's `?key=` leaks).
 */

/** Header names whose values are always masked (compared case-insensitively). */
export const secretHeaderNames: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "api-key",
  "x-api-key",
  "x-goog-api-key",
  "x-amz-security-token",
  "cookie",
  "set-cookie",
]);

const mask = "***";

// Each rule is linear on a backtracking engine: every quantified run is bounded by a character that ends
// it and a match consumes what it scanned. URL userinfo is the exception and has its own scanner below.
const textRules: ReadonlyArray<readonly [RegExp, string]> = [
  // key-like query or form parameters
  [/([?&;](?:key|api[_-]?key|apikey|token|access[_-]?token|secret|password|sig)=)[^&#\s"']+/gi, `$1${mask}`],
  // Bearer / Basic credentials
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g, `$1 ${mask}`],
  // Provider-style keys: sk-..., sk-ant-..., AIza..., ollama keys are long hex/base64 runs after a prefix
  [/\b(?:sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, mask],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, mask],
  // "authorization: xyz" / "x-api-key=xyz" written into free text
  [/\b(authorization|x-api-key|api-key|api_key|apikey)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, `$1$2${mask}`],
];

// Shared by every loaded copy of rungs (ESM and CJS): a key registered through one is masked by all.
const secretsKey = Symbol.for("rungs.secrets");
function sharedSecrets(): Set<string> {
  const holder = globalThis as Record<symbol, unknown>;
  let secrets = holder[secretsKey] as Set<string> | undefined;
  if (secrets === undefined) {
    secrets = new Set<string>();
    holder[secretsKey] = secrets;
  }
  return secrets;
}
const knownSecrets = sharedSecrets();

/**
 * Registers a secret value (an API key a provider was given) so {@link redactText} masks it wherever it
 * appears, whatever its shape. Values shorter than 6 characters are ignored (they would mask ordinary text).
 */
export function registerSecret(secret: string | undefined): void {
  if (secret !== undefined && secret.length >= 6) knownSecrets.add(secret);
}

/** Masks secrets in free text: known keys, URL userinfo, `key=` parameters, Bearer tokens, `sk-…` keys. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(mask);
  }
  out = maskUrlUserinfo(out);
  for (const [pattern, replacement] of textRules) out = out.replace(pattern, replacement);
  return out;
}

const isSchemeCode = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
const isLetterCode = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isWordCode = (c: number) => isLetterCode(c) || (c >= 48 && c <= 57) || c === 95;
const isSpaceCode = (c: number) =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0xfeff;

/**
 * Masks URL userinfo (`scheme://user:pass@host` → `scheme://***@host`), as
 * `/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi` would, in one pass. That regex retries its
 * scheme from every word boundary and reads to the end of each run (quadratic on `a-a-a-…`); here each
 * `://` is looked at once, its scheme read backwards and its userinfo forwards, neither past the
 * neighbouring `://`.
 */
export function maskUrlUserinfo(text: string): string {
  let found = text.indexOf("://");
  if (found === -1) return text;
  const pieces: string[] = [];
  let copied = 0;
  while (found !== -1) {
    let schemeStart = found;
    let valid = false;
    while (schemeStart > copied && isSchemeCode(text.charCodeAt(schemeStart - 1))) {
      schemeStart--;
      // A scheme may start at a letter that follows a non-word character (or the run's start, below).
      const before = text.charCodeAt(schemeStart - 1);
      if (isLetterCode(text.charCodeAt(schemeStart)) && (before === 43 || before === 45 || before === 46))
        valid = true;
    }
    if (schemeStart < found && isLetterCode(text.charCodeAt(schemeStart))) {
      if (schemeStart === 0 || !isWordCode(text.charCodeAt(schemeStart - 1))) valid = true;
    }
    const userStart = found + 3;
    let end = userStart;
    let at = -1;
    if (valid) {
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (c === 47 || c === 58 || c === 64 || isSpaceCode(c)) break;
        end++;
      }
      if (end > userStart && text.charCodeAt(end) === 58) {
        end++;
        while (end < text.length) {
          const c = text.charCodeAt(end);
          if (c === 47 || c === 64 || isSpaceCode(c)) break;
          end++;
        }
      }
      if (end > userStart && text.charCodeAt(end) === 64) at = end;
    }
    if (at !== -1) {
      pieces.push(text.slice(copied, userStart), mask);
      copied = at;
      found = text.indexOf("://", at + 1);
    } else {
      found = text.indexOf("://", found + 1);
    }
  }
  pieces.push(text.slice(copied));
  return pieces.join("");
}

/** A copy of `headers` with secret-bearing values masked; the caller's object is not changed. */
export function redactHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  for (const [name, value] of Object.entries(headers)) {
    out[name] = secretHeaderNames.has(name.toLowerCase()) ? mask : redactText(value);
  }
  return out;
}

/** What one {@link redactValue} call has seen: finished copies (shared parts), the objects being copied. */
interface RedactWalk {
  /** Each object already copied, with its copy and how many nodes the copy holds, repeats expanded. */
  done: Map<object, { copy: unknown; nodes: number }>;
  /** The objects on the path from the root to here: meeting one again is a cycle. */
  open: Set<object>;
  /** Nodes written so far, repeats expanded. */
  nodes: number;
}

/**
 * Deeply redacts a JSON-like value: strings are scrubbed, secret header names masked. A value referenced
 * twice (a verdict's violations shared with its results) is written in both places; only a real cycle (an
 * object inside itself) is cut, as `"[cycle]"`. Depth-capped at {@link maxRedactDepth}; a shared part
 * repeated so often that the written value would pass {@link maxRedactNodes} nodes is written once and
 * its further repeats as `"[repeated reference, not expanded]"`.
 * Used on everything that leaves rungs as data (events, records, cassettes).
 */
export function redactValue<T>(value: T): T {
  return redactInner(value, { done: new Map(), open: new Set(), nodes: 0 }, 0).copy as T;
}

function redactInner(value: unknown, walk: RedactWalk, depth: number): { copy: unknown; nodes: number } {
  if (typeof value === "string") return { copy: redactText(value), nodes: 1 };
  if (typeof value !== "object" || value === null) return { copy: value, nodes: 1 };
  // Bytes (a media part's) are written as one base64 string, as requestData writes them, not byte by byte.
  if (value instanceof Uint8Array) return { copy: bytesToBase64(value), nodes: 1 };
  if (walk.open.has(value)) return { copy: "[cycle]", nodes: 1 };
  const done = walk.done.get(value);
  if (done !== undefined) {
    // A shared part is written again in full, unless repeats would blow the record up exponentially.
    if (walk.nodes + done.nodes > maxRedactNodes)
      return { copy: "[repeated reference, not expanded]", nodes: 1 };
    walk.nodes += done.nodes;
    return done;
  }
  // Depth-capped, so hostile 20,000-deep metadata cannot overflow the stack of whoever records it.
  if (depth >= maxRedactDepth) return { copy: `[nested deeper than ${maxRedactDepth} levels]`, nodes: 1 };
  walk.open.add(value);
  const before = walk.nodes;
  let copy: unknown;
  if (Array.isArray(value)) copy = value.map((item) => redactInner(item, walk, depth + 1).copy);
  else if (value instanceof Error) copy = serializeError(value);
  else {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      const redacted =
        secretHeaderNames.has(key.toLowerCase()) || /^(api[_-]?key|apikey|password|secret)$/i.test(key)
          ? mask
          : redactInner(inner, walk, depth + 1).copy;
      // A "__proto__" key (a model id, say) is kept as data: assigning it would replace the prototype.
      if (key === "__proto__") {
        Object.defineProperty(out, key, {
          value: redacted,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else out[key] = redacted;
    }
    copy = out;
  }
  walk.open.delete(value);
  walk.nodes += 1;
  const result = { copy, nodes: walk.nodes - before };
  walk.done.set(value, result);
  return result;
}

/** How many nodes (repeats of shared parts expanded) {@link redactValue} writes before it stops repeating. */
export const maxRedactNodes = 1_000_000;

/** How deep {@link redactValue} goes before it writes a marker in place of the rest. */
export const maxRedactDepth = 200;

/** A plain, redacted, JSON-safe view of an error and its cause chain (depth-capped at 5). */
export interface SerializedError {
  /** The error's class name (`ProviderError`, `TypeError`, ...; `NonError` for a thrown non-Error). */
  name: string;
  /** The message, with secrets masked. */
  message: string;
  /** The failure kind, when the error carried one. */
  kind?: string;
  /** The HTTP status, when the error carried one. */
  status?: number;
  /** The cause, serialized the same way. */
  cause?: SerializedError;
}

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: "NonError", message: redactText(String(error)) };
  const out: SerializedError = { name: error.name, message: redactText(error.message) };
  const { kind, status } = error as { kind?: unknown; status?: unknown };
  if (typeof kind === "string") out.kind = kind;
  if (typeof status === "number") out.status = status;
  if (error.cause !== undefined && depth < 5) out.cause = serializeError(error.cause, depth + 1);
  return out;
}
