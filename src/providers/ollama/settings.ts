import type { Clock } from "../../clock.js";
import { InvalidArgumentError } from "../../errors/invalid-argument-error.js";
import { parseOptions, schemas } from "../../options.js";
import { redactText, registerSecret, secretHeaderNames } from "../../redact.js";
import { describeValue } from "../../text/describe.js";
import { boolean, number, object, oneOf, record, string, union } from "../../validate/check.js";
import { type TransportRetryOptions, transportRetrySchema } from "../transport-retry.js";
import type { FetchFunction } from "./guarded-fetch.js";

/** Ollama's model options (`num_ctx`, `num_predict`, `top_k`, `seed`, ...), sent as the request's `options`. */
export type OllamaModelOptions = {
  /**
   * Context window in tokens. A longer prompt is cut silently by Ollama (ollama/ollama#3839). Sent only when
   * set: without it the server's own setting (the Modelfile's, or Ollama's default) applies. Set it to let
   * rungs detect a prompt that filled the window (`context-overflow`) and to tell `continueUntilComplete`
   * the window size. @default not sent
   */
  num_ctx?: number;
  /** Most output tokens (−1: no cap); `request.maxOutputTokens` overrides it per call. @default 4096 */
  num_predict?: number;
  /** Sampling temperature; `request.temperature` overrides it per call. @default the server's */
  temperature?: number;
  /** Random seed, for repeatable outputs. @default the server's */
  seed?: number;
  /** Sample from the k most likely tokens. @default the server's */
  top_k?: number;
  /** Sample from the tokens making up this much probability. @default the server's */
  top_p?: number;
  /** Sequences that end the output; `request.stop` overrides them per call. @default the server's */
  stop?: string[];
} & Record<string, unknown>;

/** Settings of {@link ollamaModel}. */
export interface OllamaSettings {
  /** The model name on the server, e.g. `"qwen3:8b"` or (on Ollama Cloud) `"gpt-oss:120b"`. */
  model: string;
  /**
   * The server. `"https://ollama.com"` is Ollama Cloud. Credentials in the URL (`user:pass@`) are moved to
   * an `Authorization: Basic` header and never appear in ids, messages or records.
   * @default the `OLLAMA_HOST` environment variable ({@link ollamaHostFromEnv}), else "http://127.0.0.1:11434"
   */
  host?: string;
  /**
   * Sent as `Authorization: Bearer <apiKey>`. Kept in a private field, masked everywhere rungs writes.
   * @default process.env.OLLAMA_API_KEY when `host` is https://ollama.com, else none
   */
  apiKey?: string;
  /** Extra request headers (values of `authorization`-like headers are treated as secrets). */
  headers?: Record<string, string>;
  /**
   * Ollama model options, sent as given. `num_predict` is always sent (default 4096), so no answer runs
   * unbounded; `num_ctx` only when set, so the server's own window applies unless you ask for another.
   */
  options?: OllamaModelOptions;
  /** The model id in traces and records. @default `"ollama:<model>"` (`"ollama-cloud:<model>"` on ollama.com) */
  id?: string;
  /**
   * Stream the answer (NDJSON). Streaming keeps text that arrived before a failure, and headers arrive at
   * once, so a long local generation is not cut by undici's 300 s headers timeout (ollama-js#72, #144).
   * @default true
   */
  stream?: boolean;
  /** Ask a thinking model to think (Ollama's `think`); the thinking is not part of `text`. */
  think?: boolean | "low" | "medium" | "high";
  /** How long the server keeps the model loaded, e.g. `"10m"` or seconds. */
  keepAlive?: string | number;
  /** Most ms one request may take; then it fails as `timeout` (not retried). @default none (the Budget deadline governs) */
  timeoutMs?: number;
  /** Transport retries of 429, 5xx and network failures inside one call. */
  retry?: TransportRetryOptions;
  /** Time source for retry sleeps and `timeoutMs`. @default the call's clock, else systemClock */
  clock?: Clock;
  /** The `fetch` to use (e.g. undici's, with an Agent without the 300 s headers timeout). @default globalThis.fetch */
  fetch?: FetchFunction;
  /** Longest NDJSON line (or non-streamed body) read, in characters; a longer one fails as malformed. @default 4_194_304 */
  maxLineChars?: number;
  /**
   * Most characters of one streamed answer. Past it reading stops and the call fails loudly (a
   * `server-error` naming the cap) with the text received kept (`partialTextOf`), so a server that never
   * stops cannot fill memory. @default 4_194_304
   */
  maxAnswerChars?: number;
}

const settingsSchema = object({
  model: schemas.nonEmptyString,
  host: string({ message: "must be a URL string" }).optional(),
  apiKey: string({ nonEmpty: true }).optional(),
  headers: record(string(), "must be an object of header strings").optional(),
  options: object(
    {
      num_ctx: schemas.positiveInt.optional(),
      num_predict: number({ int: true, min: -2, rangeMessage: "must be −2, −1 or more" }).optional(),
    },
    {
      unknownKeys: "allow",
      message: "must be an object of Ollama model options (num_ctx, temperature, ...)",
    },
  ).optional(),
  id: schemas.nonEmptyString.optional(),
  stream: boolean().optional(),
  think: union(
    [boolean(), oneOf(["low", "medium", "high"])],
    'must be true, false, "low", "medium" or "high"',
  ).optional(),
  keepAlive: union([string(), number()], 'must be a duration string such as "10m" or seconds').optional(),
  timeoutMs: schemas.durationMs.optional(),
  retry: transportRetrySchema.optional(),
  clock: schemas.timerClock.optional(),
  fetch: schemas.fn.optional(),
  maxLineChars: schemas.positiveInt.optional(),
  maxAnswerChars: schemas.positiveInt.optional(),
});

/** Settings after validation, with credentials split out of the host. */
export interface ResolvedOllamaSettings {
  id: string;
  model: string;
  /** The host as requested (a `?key=` in it included): never shown. */
  host: string;
  /** The host without credentials, query values masked: safe to show. */
  shownHost: string;
  /** Every header sent, credentials included: never leaves the model's private fields. */
  headers: Record<string, string>;
  options: OllamaModelOptions & { num_predict: number };
  stream: boolean;
  think?: boolean | "low" | "medium" | "high";
  keepAlive?: string | number;
  timeoutMs?: number;
  retry: TransportRetryOptions | undefined;
  clock?: Clock;
  fetch: FetchFunction;
  maxLineChars: number;
  maxAnswerChars: number;
}

/** Where Ollama listens by default. */
export const defaultOllamaHost = "http://127.0.0.1:11434";

/**
 * The server `OLLAMA_HOST` names, as a URL, or `undefined` when it is unset or empty. It is read as
 * `ollama serve` and the official clients read it: a scheme-less `host`, `host:port` or `0.0.0.0:port`
 * (the address the server binds, reached as 127.0.0.1) gets `http://`, and port 11434 when none is given.
 * The one place rungs decides the host: `ollamaModel` (settings `host` first, then this, then
 * {@link defaultOllamaHost}) and the `rungs` command line both use it.
 * @param env where to read it. @default process.env
 */
export function ollamaHostFromEnv(
  env: Readonly<Record<string, string | undefined>> = globalThis.process?.env ?? {},
): string | undefined {
  const raw = env.OLLAMA_HOST?.trim();
  if (raw === undefined || raw === "") return undefined;
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  let url: URL;
  try {
    url = new URL(hasScheme ? raw : `http://${raw}`);
  } catch {
    return raw; // refused by parseHost with the usual message, naming the value
  }
  if (!hasScheme && url.port === "") url.port = "11434";
  if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
  return url.href.replace(/\/+$/, "");
}

/**
 * Validates and resolves {@link OllamaSettings} once, at construction, registering every credential with
 * the redactor.
 * @throws InvalidArgumentError naming the option.
 */
export function resolveOllamaSettings(settings: OllamaSettings): ResolvedOllamaSettings {
  if (typeof settings === "string") {
    // The most common slip: the model name where the settings object goes.
    const name = describeValue(redactText(settings as string), 60);
    throw new InvalidArgumentError({
      parameter: "settings",
      value: redactText(settings),
      message: `ollamaModel: takes a settings object, not a model name: write ollamaModel({ model: ${name} }) (got ${name}).`,
    });
  }
  const apiKey = (settings as { apiKey?: unknown } | undefined)?.apiKey;
  if (apiKey !== undefined && (typeof apiKey !== "string" || apiKey === "")) {
    // Checked before the schema so the refusal never repeats the value (it may be a key of the wrong type).
    throw new InvalidArgumentError({
      parameter: "apiKey",
      value: "***",
      message: `ollamaModel: option "apiKey" must be a non-empty string (got ${apiKey === "" ? "an empty string" : typeof apiKey}).`,
    });
  }
  const parsed = parseOptions("ollamaModel", settingsSchema, settings);
  const url = parseHost(parsed.host ?? ollamaHostFromEnv() ?? defaultOllamaHost);
  const headers: Record<string, string> = { ...parsed.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (secretHeaderNames.has(name.toLowerCase())) {
      registerSecret(value);
      registerSecret(value.replace(/^(Bearer|Basic)\s+/i, ""));
    }
  }
  const hasAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === "authorization");
  const cloud = url.protocol === "https:" && url.hostname === "ollama.com";
  const key = parsed.apiKey ?? (cloud ? environmentKey() : undefined);
  if (url.username !== "" || url.password !== "") {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    registerSecret(password);
    registerSecret(url.password);
    const basic = btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)));
    registerSecret(basic);
    if (!hasAuthorization && key === undefined) headers.Authorization = `Basic ${basic}`;
    url.username = "";
    url.password = "";
  }
  if (key !== undefined && !hasAuthorization) {
    registerSecret(key);
    headers.Authorization = `Bearer ${key}`;
  }
  const host = url.href.replace(/\/+$/, "");
  // A key in the query (`?key=…`) is sent but never shown: every query value is masked for display.
  for (const [, value] of url.searchParams) registerSecret(value);
  const shownHost =
    url.search === ""
      ? host
      : `${url.origin}${url.pathname.replace(/\/+$/, "")}?${[...url.searchParams.keys()].map((name) => `${encodeURIComponent(name)}=***`).join("&")}`;
  const resolved: ResolvedOllamaSettings = {
    id: parsed.id ?? `${cloud ? "ollama-cloud" : "ollama"}:${parsed.model}`,
    model: parsed.model,
    host,
    shownHost,
    headers,
    options: {
      ...(parsed.options as OllamaModelOptions | undefined),
      num_predict: parsed.options?.num_predict ?? 4096,
    },
    stream: parsed.stream ?? true,
    retry: parsed.retry as TransportRetryOptions | undefined,
    fetch: (parsed.fetch as FetchFunction | undefined) ?? ((input, init) => globalThis.fetch(input, init)),
    maxLineChars: parsed.maxLineChars ?? 4_194_304,
    maxAnswerChars: parsed.maxAnswerChars ?? 4_194_304,
  };
  if (parsed.think !== undefined) resolved.think = parsed.think;
  if (parsed.keepAlive !== undefined) resolved.keepAlive = parsed.keepAlive;
  if (parsed.timeoutMs !== undefined) resolved.timeoutMs = parsed.timeoutMs;
  if (parsed.clock !== undefined) resolved.clock = parsed.clock;
  return resolved;
}

/** The host as a URL; the error never repeats credentials the caller put in it. */
function parseHost(host: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(host);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    const shown = redactText(host);
    throw new InvalidArgumentError({
      parameter: "host",
      value: shown,
      message: `ollamaModel: option "host" must be an http(s) URL such as ${defaultOllamaHost} or https://ollama.com (got ${describeValue(shown, 60)}).`,
    });
  }
  return url;
}

function environmentKey(): string | undefined {
  const value = globalThis.process?.env?.OLLAMA_API_KEY;
  return value !== undefined && value !== "" ? value : undefined;
}
