import type { Clock } from "../clock.js";

/** A {@link Clock} that only moves when told to: deadlines, backoff and breakers run without real sleeps. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing due timers in order; awaits microtasks between them. */
  advance(ms: number): Promise<void>;
  /** Timers scheduled and not yet fired. */
  readonly pending: number;
}

/**
 * A manual clock starting at `start` ms since the epoch.
 * @example
 * const clock = manualClock();
 * const run = model.generate(request, { budget: new Budget({ deadlineMs: 1000, clock }) });
 * await clock.advance(1000); // the deadline fires
 */
export function manualClock(start = 0): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    get pending() {
      return timers.size;
    },
    async advance(ms) {
      const target = now + ms;
      await flush();
      for (;;) {
        let due: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of timers) {
          if (entry[1].at <= target && (due === undefined || entry[1].at < due[1].at)) due = entry;
        }
        if (due === undefined) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].callback();
        await flush();
      }
      now = target;
      await flush();
    },
  };
}
