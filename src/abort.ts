/** Throws `signal.reason` (unwrapped, as p-retry and the AI SDK do) when the signal has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason;
}

/** True when `error` is the reason the given signal aborted with (so it must be rethrown as is). */
export function isAbortReason(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && error === signal.reason;
}

// One abort listener per signal, however many races wait on it: nested primitives each race the same
// caller's signal, and a listener per race passed Node's MaxListeners warning at concurrency 4.
const waiters = new WeakMap<AbortSignal, { callbacks: Set<() => void>; handler: () => void }>();

function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let entry = waiters.get(signal);
  if (entry === undefined) {
    const callbacks = new Set<() => void>();
    const handler = () => {
      waiters.delete(signal);
      for (const waiting of callbacks) waiting();
    };
    entry = { callbacks, handler };
    waiters.set(signal, entry);
    signal.addEventListener("abort", handler, { once: true });
  }
  const { callbacks, handler } = entry;
  callbacks.add(callback);
  return () => {
    callbacks.delete(callback);
    // The last race gone: remove the listener, so a long-lived signal keeps none (cockatiel issue #81).
    if (callbacks.size === 0 && waiters.get(signal)?.callbacks === callbacks) {
      waiters.delete(signal);
      signal.removeEventListener("abort", handler);
    }
  };
}

/**
 * Races `promise` against `signal`: rejects with `signal.reason` the moment it aborts, and removes its
 * listener either way (no listener leak on long-lived signals: cockatiel issue #81).
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const dispose = onAbort(signal, () => {
      promise.catch(() => {});
      reject(signal.reason);
    });
    promise.then(
      (value) => {
        dispose();
        resolve(value);
      },
      (error: unknown) => {
        dispose();
        reject(error);
      },
    );
  });
}

/**
 * A child controller that aborts when the parent does, with the parent's reason. `dispose()` removes the
 * listener from the parent; call it in `finally`.
 */
export function childController(parent: AbortSignal | undefined): {
  controller: AbortController;
  dispose(): void;
} {
  const controller = new AbortController();
  if (parent === undefined) return { controller, dispose: () => {} };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, dispose: () => {} };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener("abort", onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener("abort", onAbort) };
}

/**
 * Races one promise at a time against `signal` with a single listener for the racer's life: a stream's
 * loop races each `next()`, and adding and removing a listener per part cost more than the rest of the
 * part's work. Only one race may be in flight at once (a loop's `next()` calls are sequential); `dispose()`
 * removes the listener.
 */
export function sequentialRacer(signal: AbortSignal | undefined): {
  race<T>(promise: Promise<T>): Promise<T>;
  dispose(): void;
} {
  if (signal === undefined) return { race: (promise) => promise, dispose: () => {} };
  let reject: ((reason: unknown) => void) | undefined;
  const onAbort = () => reject?.(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  return {
    race<T>(promise: Promise<T>): Promise<T> {
      if (signal.aborted) {
        promise.catch(() => {});
        return Promise.reject(signal.reason);
      }
      return new Promise<T>((resolve, rejectRace) => {
        reject = rejectRace;
        promise.then(resolve, rejectRace);
      });
    },
    dispose() {
      signal.removeEventListener("abort", onAbort);
      reject = undefined;
    },
  };
}
