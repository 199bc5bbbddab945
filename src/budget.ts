import { raceAbort } from "./abort.js";
import { type Clock, systemClock } from "./clock.js";
import { ExhaustedError, type ExhaustionLimit } from "./errors/exhausted-error.js";
import { parseOptions, schemas } from "./options.js";
import type { Attempt, Usage } from "./trace.js";
import { object } from "./validate/check.js";

/** Options of a {@link Budget}. Every cap is optional; an absent cap does not limit. */
export interface BudgetOptions {
  /** Most model calls, counted at the leaves (each provider call, whichever primitive made it). */
  maxCalls?: number;
  /** Most output tokens, summed over every call that reported usage. */
  maxOutputTokens?: number;
  /** Wall-clock time in ms from the budget's creation; a call running past it is aborted. */
  deadlineMs?: number;
  /** Time source. @default systemClock */
  clock?: Clock;
}

const budgetSchema = object({
  maxCalls: schemas.positiveInt.optional(),
  maxOutputTokens: schemas.positiveInt.optional(),
  deadlineMs: schemas.durationMs.optional(),
  clock: schemas.clock.optional(),
});

/**
 * Thrown when a shared {@link Budget} runs out. A subclass of {@link ExhaustedError}, so callers catch both
 * the same way; primitives that see it stop at once instead of treating it as one more failed attempt.
 */
export class BudgetExhaustedError extends ExhaustedError {
  /** The error's class name, `"BudgetExhaustedError"`. */
  override name = "BudgetExhaustedError" as const;
}

/**
 * One budget shared by every nested call of a run (docs/architecture.md): nested primitives multiply their
 * loops (6 continuations × 6 attempts × N shards), so a caller who passes a `Budget` in `CallOptions`
 * bounds the whole tree at once. Every model call draws one attempt before it starts; usage is recorded as
 * calls end; the deadline aborts a call in flight.
 *
 * @throws InvalidArgumentError for a cap that is not a positive whole number (or a positive ms deadline).
 * @example
 * const budget = new Budget({ maxCalls: 20, maxOutputTokens: 50_000, deadlineMs: 60_000 });
 * await solver.generate(request, { budget });
 */
export class Budget {
  /** Most model calls of the whole run (Infinity when none). */
  readonly maxCalls: number;
  /** Most output tokens of the whole run (Infinity when none). */
  readonly maxOutputTokens: number;
  /** Absolute deadline, ms since the epoch (Infinity when none). */
  readonly deadlineAt: number;
  /** The clock the deadline is measured on. */
  readonly clock: Clock;
  #callsUsed = 0;
  #outputTokensUsed = 0;

  constructor(options: BudgetOptions = {}) {
    const parsed = parseOptions("Budget", budgetSchema, options);
    this.clock = parsed.clock ?? systemClock;
    this.maxCalls = parsed.maxCalls ?? Number.POSITIVE_INFINITY;
    this.maxOutputTokens = parsed.maxOutputTokens ?? Number.POSITIVE_INFINITY;
    this.deadlineAt =
      parsed.deadlineMs === undefined ? Number.POSITIVE_INFINITY : this.clock.now() + parsed.deadlineMs;
  }

  /** Model calls drawn so far. */
  get callsUsed(): number {
    return this.#callsUsed;
  }
  /** Output tokens recorded so far. */
  get outputTokensUsed(): number {
    return this.#outputTokensUsed;
  }
  /** Milliseconds until the deadline (Infinity when none, 0 when past). */
  remainingMs(): number {
    return Math.max(0, this.deadlineAt - this.clock.now());
  }

  /** The cap that is spent now, or `undefined` while the budget still allows a call. */
  exceeded(): ExhaustionLimit | undefined {
    if (this.clock.now() >= this.deadlineAt) return "deadline";
    if (this.#outputTokensUsed >= this.maxOutputTokens) return "maxOutputTokens";
    if (this.#callsUsed >= this.maxCalls) return "maxCalls";
    return undefined;
  }

  /**
   * Draws one call. @throws BudgetExhaustedError naming the spent cap, when none is left.
   */
  drawCall(attempts: readonly Attempt[] = []): void {
    const limit = this.exceeded();
    if (limit !== undefined) throw this.error(limit, attempts);
    this.#callsUsed += 1;
  }

  /** Records a finished call's usage against the token cap. */
  recordUsage(usage: Usage): void {
    if (usage.outputTokens !== undefined && Number.isFinite(usage.outputTokens)) {
      this.#outputTokensUsed += Math.max(0, usage.outputTokens);
    }
  }

  /** The error for a spent cap, carrying the attempts made so far. */
  error(limit: ExhaustionLimit, attempts: readonly Attempt[] = []): BudgetExhaustedError {
    const detail =
      limit === "deadline"
        ? "the shared deadline passed"
        : limit === "maxOutputTokens"
          ? `${this.#outputTokensUsed} of ${this.maxOutputTokens} output tokens are spent`
          : `${this.#callsUsed} of ${this.maxCalls} model calls are spent`;
    return new BudgetExhaustedError({
      limit,
      attempts,
      message: `The shared budget is exhausted: ${detail}. Raise the Budget's ${limit === "deadline" ? "deadlineMs" : limit === "maxOutputTokens" ? "maxOutputTokens" : "maxCalls"} or simplify the pipeline.`,
    });
  }

  /**
   * Runs `fn` with a signal that aborts at the deadline (or when `signal` aborts). At the deadline the
   * returned promise rejects with a {@link BudgetExhaustedError} (`limit: "deadline"`) without waiting for
   * `fn`; a result that arrives later is discarded.
   */
  async runWithinDeadline<T>(
    signal: AbortSignal | undefined,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const onParentAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) throw signal.reason;
    signal?.addEventListener("abort", onParentAbort, { once: true });
    let handle: unknown;
    try {
      // Race the caller's signal too: a call that ignores its signal must not hold the run.
      const work = raceAbort(fn(controller.signal), signal);
      if (!Number.isFinite(this.deadlineAt)) return await work;
      const remaining = this.remainingMs();
      const deadline = new Promise<never>((_, reject) => {
        handle = this.clock.setTimeout(() => {
          const error = this.error("deadline");
          controller.abort(error);
          reject(error);
        }, remaining);
      });
      work.catch(() => {});
      return await Promise.race([work, deadline]);
    } finally {
      if (handle !== undefined) this.clock.clearTimeout(handle);
      signal?.removeEventListener("abort", onParentAbort);
    }
  }
}
