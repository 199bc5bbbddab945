import { parseOptions } from "../options.js";
import { object, record } from "../validate/check.js";
import {
  type BreakerPermit,
  type BreakerSnapshot,
  breakerOptionsShape,
  CircuitBreaker,
  type CircuitBreakerOptions,
  snapshotSchema,
} from "./breaker.js";

/** Options of {@link CircuitBreakers}: every breaker's settings, and saved states by model id. */
export interface CircuitBreakersOptions extends Omit<CircuitBreakerOptions, "initialState"> {
  /** Saved states by model id, e.g. the `toJSON()` of an earlier process. */
  initialState?: Readonly<Record<string, BreakerSnapshot>>;
}

const registrySchema = object({
  ...breakerOptionsShape,
  initialState: record(snapshotSchema, "must be an object of saved states by model id").optional(),
});

/** The answer of {@link BreakerRegistry.admit}: a permit for one call, or a refusal. */
export type BreakerAdmission =
  | { permit: BreakerPermit }
  | {
      permit?: undefined;
      /** When the breaker lets its next probe through, ms since the epoch (undefined: a probe is in flight). */
      retryAt: number | undefined;
      /** Why the call was refused, when it is not the breaker's state (e.g. its shared store is unreachable). */
      detail?: string;
    };

/**
 * What the attempt engine asks of per-model circuit breakers: {@link CircuitBreakers} in one process, or
 * shared breakers (rungs/redis `redisCircuitBreakers`) across a fleet. An implementation carries the
 * `Symbol.for("rungs.circuitBreakers")` marker (true) so options validation recognises it.
 */
export interface BreakerRegistry {
  /**
   * Asks `modelId`'s breaker for one call. A shared registry answers with a promise; its permits' `release`
   * may return a promise too, which the engine awaits before the next attempt (it must never reject).
   */
  admit(modelId: string): BreakerAdmission | Promise<BreakerAdmission>;
}

const breakersMarker = Symbol.for("rungs.circuitBreakers");

/** True when `value` is a {@link BreakerRegistry} from any loaded copy of rungs (it carries the marker). */
export function isBreakerRegistry(value: unknown): value is BreakerRegistry {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[breakersMarker] === true &&
    typeof (value as { admit?: unknown }).admit === "function"
  );
}

/**
 * One {@link CircuitBreaker} per model id, created on first use. Share one instance between ladders (and
 * between calls) so every ladder that uses a model sees the same breaker.
 *
 * @throws InvalidArgumentError for a bad option.
 * @example
 * const breakers = new CircuitBreakers({ failureThreshold: 3, openMs: 60_000 });
 * const model = escalateAcross([local, cloud], { rubric, breakers });
 * await saveJson(breakers.toJSON()); // later: new CircuitBreakers({ initialState: saved })
 */
export class CircuitBreakers implements BreakerRegistry {
  /** @internal Cross-copy marker: an instance from the other build (ESM/CJS) is still recognised. */
  readonly [breakersMarker] = true;

  /** True when `value` is a CircuitBreakers from any loaded copy of rungs (`instanceof` fails across copies). */
  static isInstance(value: unknown): value is CircuitBreakers {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[breakersMarker] === true
    );
  }

  readonly #options: Omit<CircuitBreakerOptions, "initialState">;
  /** Saved states not yet turned into breakers. */
  readonly #initial: Map<string, BreakerSnapshot>;
  readonly #breakers = new Map<string, CircuitBreaker>();

  constructor(options: CircuitBreakersOptions = {}) {
    // Validated here; each breaker re-validates its own options.
    const { initialState, ...rest } = parseOptions(
      "CircuitBreakers",
      registrySchema,
      options,
    ) as CircuitBreakersOptions;
    this.#options = rest;
    this.#initial = new Map(Object.entries(initialState ?? {}));
  }

  /** The breaker of `modelId` (created closed, or from `initialState`, on first use). */
  get(modelId: string): CircuitBreaker {
    let breaker = this.#breakers.get(modelId);
    if (breaker === undefined) {
      const saved = this.#initial.get(modelId);
      this.#initial.delete(modelId);
      breaker = new CircuitBreaker(
        saved === undefined ? this.#options : { ...this.#options, initialState: saved },
      );
      this.#breakers.set(modelId, breaker);
    }
    return breaker;
  }

  /** Asks `modelId`'s breaker for one call (what the engine calls): a permit, or when to try again. */
  admit(modelId: string): BreakerAdmission {
    const breaker = this.get(modelId);
    const permit = breaker.tryAcquire();
    return permit !== undefined ? { permit } : { retryAt: breaker.retryAt };
  }

  /** Closes the breaker of `modelId`, or every breaker when no id is given. */
  reset(modelId?: string): void {
    if (modelId !== undefined) {
      this.#initial.delete(modelId);
      this.#breakers.get(modelId)?.reset();
      return;
    }
    this.#initial.clear();
    for (const breaker of this.#breakers.values()) breaker.reset();
  }

  /** Every breaker's state by model id. */
  toJSON(): Record<string, BreakerSnapshot> {
    // Built from entries: a model id such as `__proto__` is an own key, never the object's prototype.
    const states = new Map(this.#initial);
    for (const [id, breaker] of this.#breakers) states.set(id, breaker.toJSON());
    return Object.fromEntries(states);
  }
}
