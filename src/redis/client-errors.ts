import { redactText } from "../redact.js";
import type { RedisClient } from "./link.js";

/** Clients rungs already listens on: several parts on one client add one listener, not one each. */
const watched = new WeakSet<object>();

/**
 * Gives the client an `'error'` listener, so a Redis that is down never makes ioredis print "Unhandled error
 * event" (it prints when an `'error'` event has no listener), and reports the outage once — a
 * `RUNGS_REDIS_ERROR` process warning — however many reconnects fail; a `ready` client re-arms it. An app
 * that listens for `'error'` itself is left to report them: no warning then. The operations themselves
 * still fail or fall back as `whenUnavailable` says, with `unavailable` events.
 */
export function reportClientErrors(redis: RedisClient): void {
  if (watched.has(redis) || typeof redis.on !== "function") return;
  watched.add(redis);
  let reported = false;
  redis.on("error", (error: unknown) => {
    if (reported || redis.listenerCount("error") > 1) return;
    reported = true;
    const message = redactText(error instanceof Error ? error.message : String(error));
    globalThis.process?.emitWarning?.(
      `rungs/redis: the Redis client cannot reach its server (${message}); the rungs/redis parts go on as their whenUnavailable says. Reported once until the client is ready again.`,
      { code: "RUNGS_REDIS_ERROR" },
    );
  });
  redis.on("ready", () => {
    reported = false;
  });
}
