import type { Clock } from "../../src/index.js";

/** A {@link Clock} whose time moves on its own, as soon as nothing but its timers is left to run. */
export interface VirtualClock extends Clock {
  /** Resolves after `ms` of virtual time; rejects with `signal.reason` as soon as the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock that starts at 0 and jumps to its next timer whenever the process is idle (a `setImmediate` turn:
 * every promise reaction has run). A stream paced by it takes no real time, and whoever reads `now()` when a
 * part arrives reads the virtual time the part was sent at, because the consumer runs in the same turn as the
 * producer. Independent clocks (one per concurrent run) each jump to their own next timer in the same turn.
 * Timers due at the same time fire in the order they were set.
 */
export function virtualClock(): VirtualClock {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, Timer>();
  let scheduled = false;

  const tick = () => {
    scheduled = false;
    let next: number | undefined;
    for (const timer of timers.values()) if (next === undefined || timer.at < next) next = timer.at;
    if (next === undefined) return;
    now = Math.max(now, next);
    const due = [...timers].filter(([, timer]) => timer.at <= now).sort((a, b) => a[1].seq - b[1].seq);
    for (const [id, timer] of due) {
      timers.delete(id);
      timer.callback();
    }
    schedule();
  };
  const schedule = () => {
    if (scheduled || timers.size === 0) return;
    scheduled = true;
    setImmediate(tick);
  };

  const clock: VirtualClock = {
    now: () => now,
    setTimeout(callback, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), seq: id, callback });
      schedule();
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted === true) {
          reject(signal.reason);
          return;
        }
        const onAbort = () => {
          clock.clearTimeout(handle);
          reject(signal?.reason);
        };
        const handle = clock.setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, ms);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
  return clock;
}
