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

const textRules: ReadonlyArray<readonly [RegExp, string]> = [
  // URL userinfo: scheme://user:pass@host
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi, `$1${mask}@`],
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
  for (const [pattern, replacement] of textRules) out = out.replace(pattern, replacement);
  return out;
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

/**
 * Deeply redacts a JSON-like value: strings are scrubbed, secret header names masked. Cycles are cut.
 * Used on everything that leaves rungs as data (events, records, cassettes).
 */
export function redactValue<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value === "string") return redactText(value) as T;
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[cycle]" as T;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen)) as T;
  if (value instanceof Error) return serializeError(value) as T;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      secretHeaderNames.has(key.toLowerCase()) || /^(api[_-]?key|apikey|password|secret)$/i.test(key)
        ? mask
        : redactValue(inner, seen);
  }
  return out as T;
}

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
