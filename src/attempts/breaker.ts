import { type Clock, systemClock } from "../clock.js";
import { type FailureKind, providerFailureKinds } from "../errors/failure-kind.js";
import { parseOptions, schemas } from "../options.js";
import { number, object, oneOf } from "../validate/check.js";

/**
 * Provider failures that will not pass by themselves: the breaker opens on the first one.
 * @internal Shared with rungs/redis, whose breakers follow the same rules.
 */
export const openAtOnceKinds: ReadonlySet<FailureKind> = new Set<FailureKind>([
  "auth",
  "model-not-found",
  "quota-exhausted",
]);

/** `closed`: calls pass. `open`: calls are refused until `openMs` has passed. `half-open`: one probe passes. */
export type BreakerState = "closed" | "open" | "half-open";

/** A breaker's state as plain data, for `toJSON` and `initialState`. */
export interface BreakerSnapshot {
  state: BreakerState;
  /** Provider failures in a row since the last success. */
  consecutiveFailures: number;
  /** When the breaker last opened, ms since the epoch (set when `state` is not `closed`). */
  openedAt?: number;
}

export interface CircuitBreakerOptions {
  /** Provider failures in a row that open the breaker. @default 5 */
  failureThreshold?: number;
  /** How long the breaker stays open before it lets one probe through, in ms. @default 30_000 */
  openMs?: number;
  /**
   * Longest a half-open probe may run, in ms. The engine aborts a probe call at this time, and a probe that
   * never reports back releases its permit at this time anyway (resilience4j#903: breakers stuck half-open
   * behind hung probes). @default 60_000
   */
  probeTimeoutMs?: number;
  /** Time source. @default systemClock */
  clock?: Clock;
  /** Where to start, e.g. a snapshot from `toJSON()` saved by an earlier process. */
  initialState?: BreakerSnapshot;
}

/** Permission for one call. Release it exactly once, whatever happens (later releases are ignored). */
export interface BreakerPermit {
  /** True when this call is the half-open probe. */
  readonly probe: boolean;
  /** When a probe must end, ms since the epoch (Infinity for an ordinary call). */
  readonly deadline: number;
  /**
   * Reports the call's outcome: `"success"`, a failure kind (only provider failure kinds count as failures;
   * a rejected answer is a working provider), or `"ignore"` (aborted, budget spent: says nothing).
   * A shared breaker returns a promise that settles once the report is stored (it never rejects).
   */
  release(outcome: FailureKind | "success" | "ignore"): void | Promise<void>;
}

/** The check of a saved breaker state. @internal */
export const snapshotSchema = object({
  state: oneOf(["closed", "open", "half-open"]),
  consecutiveFailures: schemas.nonNegativeInt,
  openedAt: number().optional(),
});

/** The option checks of {@link CircuitBreaker} (also used by `CircuitBreakers`). @internal */
export const breakerOptionsShape = {
  failureThreshold: schemas.positiveInt.optional(),
  openMs: schemas.durationMs.optional(),
  probeTimeoutMs: schemas.durationMs.optional(),
  clock: schemas.clock.optional(),
  initialState: snapshotSchema.optional(),
};
const breakerOptionsSchema = object(breakerOptionsShape);

/**
 * A per-model circuit breaker (docs/architecture.md): opens after `failureThreshold` provider failures in a
 * row, or at once on a failure that will not pass by itself (`auth`, `model-not-found`, `quota-exhausted`);
 * after `openMs` lets one probe through (half-open), which closes it on success and reopens it on failure.
 * Only provider failures count: a rejected answer is a working provider.
 *
 * @throws InvalidArgumentError for a bad option.
 * @example
 * const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 10_000 });
 * const permit = breaker.tryAcquire();
 * if (permit) try { await call(); permit.release("success"); } catch { permit.release("server-error"); }
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly probeTimeoutMs: number;
  readonly clock: Clock;
  #state: BreakerState = "closed";
  #failures = 0;
  #openedAt = 0;
  /** The probe in flight: its token and deadline. */
  #probe: { token: object; deadline: number } | undefined;

  constructor(options: CircuitBreakerOptions = {}) {
    const parsed = parseOptions("CircuitBreaker", breakerOptionsSchema, options);
    this.failureThreshold = parsed.failureThreshold ?? 5;
    this.openMs = parsed.openMs ?? 30_000;
    this.probeTimeoutMs = parsed.probeTimeoutMs ?? 60_000;
    this.clock = parsed.clock ?? systemClock;
    if (parsed.initialState !== undefined) {
      this.#state = parsed.initialState.state;
      this.#failures = parsed.initialState.consecutiveFailures;
      this.#openedAt = parsed.initialState.openedAt ?? this.clock.now();
    }
  }

  /** The state now (an open breaker past `openMs` reads as half-open). */
  get state(): BreakerState {
    this.#tick();
    return this.#state;
  }

  /** When an open breaker lets its next probe through, ms since the epoch (undefined unless open). */
  get retryAt(): number | undefined {
    return this.state === "open" ? this.#openedAt + this.openMs : undefined;
  }

  /** A permit for one call, or `undefined` when the breaker refuses it (open, or a probe is in flight). */
  tryAcquire(): BreakerPermit | undefined {
    this.#tick();
    if (this.#state === "open" || this.#probe !== undefined) return undefined;
    if (this.#state === "closed") return this.#permit(false, Number.POSITIVE_INFINITY, undefined);
    const probe = { token: {}, deadline: this.clock.now() + this.probeTimeoutMs };
    this.#probe = probe;
    return this.#permit(true, probe.deadline, probe.token);
  }

  /** Closes the breaker and forgets its failures. */
  reset(): void {
    this.#state = "closed";
    this.#failures = 0;
    this.#probe = undefined;
  }

  /** The state as plain data (a probe in flight is not kept: a restored half-open breaker probes anew). */
  toJSON(): BreakerSnapshot {
    const state = this.state;
    return state === "closed"
      ? { state, consecutiveFailures: this.#failures }
      : { state, consecutiveFailures: this.#failures, openedAt: this.#openedAt };
  }

  #tick(): void {
    const now = this.clock.now();
    // A probe that never reported back counts as failed at its deadline, releasing its permit.
    if (this.#probe !== undefined && now >= this.#probe.deadline) this.#open(this.#probe.deadline);
    if (this.#state === "open" && now >= this.#openedAt + this.openMs) this.#state = "half-open";
  }

  #open(at: number): void {
    this.#state = "open";
    this.#openedAt = at;
    this.#probe = undefined;
  }

  #permit(probe: boolean, deadline: number, token: object | undefined): BreakerPermit {
    let released = false;
    return {
      probe,
      deadline,
      release: (outcome) => {
        if (released) return;
        released = true;
        this.#tick();
        // A probe's report counts only while it is still the probe (not timed out, not reset).
        if (probe && this.#probe?.token !== token) return;
        if (probe) this.#probe = undefined;
        if (outcome === "ignore") return;
        if (outcome === "success" || !providerFailureKinds.has(outcome)) {
          // A call that began before the breaker opened does not close it; only the probe does.
          if (probe || this.#state === "closed") {
            this.#failures = 0;
            this.#state = "closed";
          }
          return;
        }
        this.#failures += 1;
        if (this.#state === "open") return;
        if (probe || openAtOnceKinds.has(outcome) || this.#failures >= this.failureThreshold) {
          this.#open(this.clock.now());
        }
      },
    };
  }
}
