/**
 * Time, injectable so backoff, deadlines and breakers are tested without real sleeps
 * (fake timers do not fake `AbortSignal.timeout`: vitest-dev/vitest#3088).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Schedules `callback` after `ms`; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a callback scheduled with {@link Clock.setTimeout}. */
  clearTimeout(handle: unknown): void;
}

/** `ms` within what a timer keeps: NaN and negatives become 0, anything past 2³¹−1 ms becomes 2³¹−1. */
export function clampTimerMs(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, 2_147_483_647);
}

/** The real clock: `Date.now` and the global timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  // Clamped, not passed through: past 2³¹−1 ms Node fires a timer after ~1 ms. Options refuse such limits
  // (schemas.durationMs); this catches computed delays (a far deadline, a long Retry-After).
  setTimeout: (callback, ms) => setTimeout(callback, clampTimerMs(ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Resolves after `ms` on `clock`; rejects with `signal.reason` as soon as the signal aborts
 * (never waits out the delay: openai-node#2580, vercel/ai#7656).
 */
export function sleep(
  ms: number,
  options: { clock?: Clock; signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const { signal } = options;
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
