/**
 * Turns every `setTimeout` of this process into one `setImmediate` turn, whatever its delay.
 *
 * Used only in peer rows: cockatiel (`ConstantBackoff(0)` still calls `setTimeout(…, 0)`, which Node
 * clamps to 1 ms), LangChain's `withRetry` (hard-codes p-retry's `minTimeout: 1000`, randomized, with no
 * option to change it) and the AI SDK (`generateText` retries after 2 s, doubling, with no option). A
 * sleep stubbed this way costs one event-loop turn, so the table measures each library's own work, not
 * its timer. rungs rows never install it: attempts never sleep, and rungs' real timers (a rule's time
 * limit) must keep their meaning.
 */
export function stubTimers(): void {
  const immediates = new WeakSet<object>();
  const realClear = globalThis.clearTimeout;
  const fakeSet = (callback: (...args: unknown[]) => void, _ms?: number, ...args: unknown[]) => {
    const handle = setImmediate(callback, ...args);
    immediates.add(handle);
    return handle;
  };
  const fakeClear = (handle: unknown) => {
    if (typeof handle === "object" && handle !== null && immediates.has(handle)) {
      clearImmediate(handle as NodeJS.Immediate);
    } else realClear(handle as NodeJS.Timeout);
  };
  globalThis.setTimeout = fakeSet as unknown as typeof setTimeout;
  globalThis.clearTimeout = fakeClear as typeof clearTimeout;
}
