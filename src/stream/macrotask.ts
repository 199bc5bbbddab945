/**
 * Resolves after one turn of the event loop, so timers due by now (an attempt's time limit, a deadline) run:
 * a loop that never waits on I/O would otherwise starve them.
 */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => (globalThis.setImmediate ?? setTimeout)(resolve));
}
