import pRetry, { AbortError } from "p-retry";
import { type Clock, sleep } from "../clock.js";
import { attachCallDetails, notTransportRetryable, partialTextOf } from "../errors/call-details.js";
import { ProviderError } from "../errors/provider-error.js";
import { emit, listening, type RungsEvents } from "../events.js";
import { parseOptions, schemas } from "../options.js";
import type { TransportRetry } from "../trace.js";
import { custom, number, type Output, object } from "../validate/check.js";

const quotaMarker = Symbol.for("rungs.retryQuota");

/**
 * A retry budget shared by many calls (the AWS SDK's retry quota): each transport retry costs
 * `retryCost` tokens, each successful call refunds `successRefund`, and when the tokens run out calls stop
 * retrying and fail at once. It keeps a fleet of tasks that all see 429s from multiplying the load.
 *
 * @example
 * const quota = new RetryQuota({ capacity: 100 });
 * const local = ollamaModel({ model: "qwen3:8b", retry: { quota } });
 * const cloud = ollamaModel({ model: "gpt-oss:120b", host: "https://ollama.com", retry: { quota } });
 */
export class RetryQuota {
  /** @internal Cross-copy marker: a quota from the other build (ESM/CJS) is still recognised and shared. */
  readonly [quotaMarker] = true;

  /** Most tokens held. @default 500 (AWS SDK standard mode) */
  readonly capacity: number;
  /** Tokens one retry costs. @default 5 */
  readonly retryCost: number;
  /** Tokens a successful call gives back (never above `capacity`). @default 1 */
  readonly successRefund: number;
  #available: number;

  /** @throws InvalidArgumentError for a capacity or cost that is not a whole number (capacity ≥ 1). */
  constructor(options: { capacity?: number; retryCost?: number; successRefund?: number } = {}) {
    const parsed = parseOptions(
      "RetryQuota",
      object({
        capacity: schemas.positiveInt.optional(),
        retryCost: schemas.nonNegativeInt.optional(),
        successRefund: schemas.nonNegativeInt.optional(),
      }),
      options,
    );
    this.capacity = parsed.capacity ?? 500;
    this.retryCost = parsed.retryCost ?? 5;
    this.successRefund = parsed.successRefund ?? 1;
    this.#available = this.capacity;
  }

  /** Tokens left now. */
  get available(): number {
    return this.#available;
  }

  /** Takes the cost of one retry; false (and nothing taken) when too few tokens are left. */
  tryDebit(): boolean {
    if (this.#available < this.retryCost) return false;
    this.#available -= this.retryCost;
    return true;
  }

  /** Gives back the refund of one successful call. */
  refund(): void {
    this.#available = Math.min(this.capacity, this.#available + this.successRefund);
  }
}

/**
 * What transport retries ask of a retry budget: {@link RetryQuota} in one process, or a fleet-wide one
 * (rungs/redis `redisRetryQuota`). An implementation carries the `Symbol.for("rungs.retryQuota")` marker
 * (true); `tryDebit` and `refund` may answer with promises, which must not reject.
 */
export interface RetryQuotaLike {
  /** Takes the cost of one retry; false (and nothing taken) when too few tokens are left. */
  tryDebit(): boolean | Promise<boolean>;
  /** Gives back the refund of one successful call. */
  refund(): void | Promise<void>;
}

/**
 * A request-rate limit shared by many calls, e.g. one API key's requests per minute across a fleet of
 * workers (rungs/redis `redisRateGate`). Every request of a call (the first try and each retry) takes a slot.
 */
export interface RateGate {
  /**
   * Takes one request slot: 0 when the request may go now, else the ms until a slot frees (Infinity: none
   * will; nothing is taken). May answer with a promise.
   */
  take(): number | Promise<number>;
}

/** How a provider retries transport failures (429, 5xx, network) inside one call. */
export interface TransportRetryOptions {
  /** Retries after the first try, so at most `1 + maxRetries` requests per call. @default 2 */
  maxRetries?: number;
  /** Base of the exponential backoff, in ms: retry n waits `random(0, min(maxDelayMs, initialDelayMs·2ⁿ⁻¹))`. @default 500 */
  initialDelayMs?: number;
  /** Cap of one backoff delay, in ms. @default 8_000 (openai-node's cap) */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` honoured, in ms. A server asking for a longer wait is not waited for: the call
   * fails at once as `rate-limited`, so a ladder climbs to its next rung instead of sleeping.
   * @default 30_000
   */
  maxRetryAfterMs?: number;
  /** A retry budget shared with other models. @default a quota of its own per model (capacity 500) */
  quota?: RetryQuotaLike;
  /**
   * A request-rate limit shared with other calls (and processes): each request first takes a slot, waiting
   * for one up to `maxRetryAfterMs` in all; past that the call fails at once as `rate-limited`, so a
   * ladder climbs instead of sleeping. @default no gate
   */
  gate?: RateGate;
  /** Random numbers in [0, 1) for the jitter; inject a seeded one in tests. @default Math.random */
  random?: () => number;
}

/** {@link TransportRetryOptions} with every default filled in. */
export interface ResolvedTransportRetryOptions {
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  quota: RetryQuotaLike;
  gate: RateGate | undefined;
  random: () => number;
}

/** The check of {@link TransportRetryOptions}, for providers' option checks. */
export const transportRetrySchema = object({
  maxRetries: number({ int: true, min: 0, max: 20, rangeMessage: "must be between 0 and 20" }).optional(),
  initialDelayMs: schemas.delayMs.optional(),
  maxDelayMs: schemas.delayMs.optional(),
  maxRetryAfterMs: schemas.delayMs.optional(),
  quota: custom<RetryQuotaLike>(
    (v) => typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[quotaMarker] === true,
    "must be a RetryQuota",
  ).optional(),
  gate: custom<RateGate>(
    (v) => typeof v === "object" && v !== null && typeof (v as { take?: unknown }).take === "function",
    "must be a RateGate (an object with take())",
  ).optional(),
  random: schemas.fn.optional(),
});

/** Fills the defaults of already-validated options. */
export function resolveTransportRetryOptions(
  options: Output<typeof transportRetrySchema> | undefined,
): ResolvedTransportRetryOptions {
  return {
    maxRetries: options?.maxRetries ?? 2,
    initialDelayMs: options?.initialDelayMs ?? 500,
    maxDelayMs: options?.maxDelayMs ?? 8_000,
    maxRetryAfterMs: options?.maxRetryAfterMs ?? 30_000,
    quota: options?.quota ?? new RetryQuota(),
    gate: options?.gate,
    random: (options?.random as (() => number) | undefined) ?? Math.random,
  };
}

/**
 * The full-jitter backoff delay of retry `retry` (1-based), in ms: `random · min(cap, base · 2^(retry−1))`,
 * so it lies in [0, min(cap, base·2ⁿ⁻¹)] (AWS Architecture Blog, "Exponential Backoff And Jitter").
 */
export function backoffDelayMs(
  retry: number,
  options: { initialDelayMs: number; maxDelayMs: number },
  random: () => number,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, retry - 1));
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.floor(unit * ceiling);
}

/** Where a call runs and reports its retries. */
export interface TransportRetryContext {
  modelId: string;
  options: ResolvedTransportRetryOptions;
  clock: Clock;
  signal?: AbortSignal | undefined;
  events?: RungsEvents | undefined;
  path?: string | undefined;
}

/**
 * Runs `call`, retrying transport failures with p-retry: only `ProviderError`s whose kind is transient
 * (`rate-limited`, `server-error`, `network`) and that lost no output (no partial text) are retried, up to
 * `maxRetries`, while the shared quota lasts. Each wait honours the server's `Retry-After` up to
 * `maxRetryAfterMs` (a longer one fails at once as `rate-limited`), otherwise uses full jitter, and sleeps
 * on the injected clock, rejecting with `signal.reason` the moment the signal aborts.
 *
 * Every retry is recorded: emitted as a `transport-retry` event, returned with the value, and on final
 * failure attached to the error (read it with `transportRetriesOf`).
 *
 * @throws the last error of `call` (with its transport retries attached), or `signal.reason` on abort.
 */
export async function withTransportRetries<T>(
  call: (tryNumber: number) => Promise<T>,
  context: TransportRetryContext,
): Promise<{ value: T; transportRetries: readonly TransportRetry[] }> {
  const { options, signal, clock } = context;
  const transportRetries: TransportRetry[] = [];
  let lastError: unknown;
  try {
    const value = await pRetry(
      async (tryNumber) => {
        if (options.gate !== undefined) {
          let refusal: unknown;
          try {
            refusal = await passGate(options.gate, context);
          } catch (error) {
            refusal = error;
          }
          if (refusal !== undefined) {
            lastError = refusal;
            throw new AbortError(refusal instanceof Error ? refusal : new Error(String(refusal)));
          }
        }
        try {
          return await call(tryNumber);
        } catch (error) {
          lastError = retryAfterTooLong(error, options.maxRetryAfterMs) ?? error;
          if (signal?.aborted || !isRetryableFailure(lastError) || lastError !== error) {
            throw new AbortError(lastError instanceof Error ? lastError : new Error(String(lastError)));
          }
          throw error;
        }
      },
      {
        retries: options.maxRetries,
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        ...(signal === undefined ? {} : { signal }),
        shouldRetry: async ({ retriesConsumed }) => {
          const error = lastError as ProviderError;
          if (!(await options.quota.tryDebit())) return false;
          const retry = retriesConsumed + 1;
          const delayMs = error.retryAfterMs ?? backoffDelayMs(retry, options, options.random);
          const record: TransportRetry = { retry, kind: error.kind, delayMs, message: error.message };
          if (error.status !== undefined) record.status = error.status;
          transportRetries.push(record);
          if (listening(context.events, "transport-retry")) {
            emit(context.events, "transport-retry", {
              path: context.path ?? "",
              timestamp: clock.now(),
              modelId: context.modelId,
              retry: record,
            });
          }
          if (delayMs > 0) await sleep(delayMs, { clock, signal });
          else signal?.throwIfAborted();
          return true;
        },
      },
    );
    await options.quota.refund();
    return { value, transportRetries };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw attachCallDetails(lastError ?? error, { transportRetries: [...transportRetries] });
  }
}

/**
 * Takes a slot of the rate gate, sleeping (on the clock, abort-aware) while it says to wait, up to
 * `maxRetryAfterMs` in all. Returns a fail-fast `rate-limited` error when the wait would be longer.
 */
async function passGate(gate: RateGate, context: TransportRetryContext): Promise<ProviderError | undefined> {
  const { maxRetryAfterMs } = context.options;
  let waited = 0;
  // Each round sleeps at least 1 ms and adds it to `waited`, so the loop ends by maxRetryAfterMs.
  for (;;) {
    const waitMs = await gate.take();
    if (Number.isNaN(waitMs) || waitMs <= 0) return undefined;
    const sleepMs = Math.max(1, Math.ceil(waitMs));
    if (waited + sleepMs > maxRetryAfterMs) {
      return new ProviderError(
        `${context.modelId}: the shared rate gate has no free request slot ` +
          `${Number.isFinite(waitMs) ? `for ${sleepMs} ms` : "at all"}, past maxRetryAfterMs ` +
          `(${maxRetryAfterMs} ms, ${waited} ms already waited): not waiting, so a ladder can climb to its next rung.`,
        {
          kind: "rate-limited",
          providerId: context.modelId,
          ...(Number.isFinite(waitMs) ? { retryAfterMs: sleepMs } : {}),
        },
      );
    }
    waited += sleepMs;
    await sleep(sleepMs, { clock: context.clock, signal: context.signal });
  }
}

function isRetryableFailure(error: unknown): error is ProviderError {
  if (!ProviderError.isInstance(error) || !error.isRetryable) return false;
  // Output already received is never thrown away by re-sending the request: the attempt keeps it instead.
  if (notTransportRetryable(error)) return false;
  const partial = partialTextOf(error);
  return partial === undefined || partial.length === 0;
}

/** A rate-limit whose Retry-After exceeds the cap becomes a fail-fast error that says why it did not wait. */
function retryAfterTooLong(error: unknown, maxRetryAfterMs: number): ProviderError | undefined {
  if (!ProviderError.isInstance(error) || error.retryAfterMs === undefined) return undefined;
  if (error.retryAfterMs <= maxRetryAfterMs || !error.isRetryable) return undefined;
  const options = {
    kind: "rate-limited" as const,
    providerId: error.providerId,
    retryAfterMs: error.retryAfterMs,
    cause: error,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.body === undefined ? {} : { body: error.body }),
  };
  const failFast = new ProviderError(
    `${error.message} The server asked to wait ${Math.ceil(error.retryAfterMs / 1000)} s, more than ` +
      `maxRetryAfterMs (${maxRetryAfterMs} ms): not waiting, so a ladder can climb to its next rung.`,
    options,
  );
  const partialText = partialTextOf(error);
  return partialText === undefined ? failFast : attachCallDetails(failFast, { partialText });
}
