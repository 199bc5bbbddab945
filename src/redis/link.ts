import { createHash } from "node:crypto";
import { EventEmitter } from "eventemitter3";
import type { Redis } from "ioredis";
import type { Clock } from "../clock.js";
import { RungsError } from "../errors/rungs-error.js";
import { redactText } from "../redact.js";

/**
 * What a shared part does when Redis cannot be reached (connection down, or no answer within `timeoutMs`):
 * `"fail-open"` goes on as if nothing were shared (not blocked, no counts, calls allowed); `"fail-closed"`
 * refuses (the store throws {@link RedisUnavailableError}, a breaker refuses the call). Either way an
 * `unavailable` event is emitted on the `events` option.
 */
export type UnavailableMode = "fail-open" | "fail-closed";

/** The shared part that reports: the stats store, the breakers, the retry quota or the rate gate. */
export type RedisSource = "stats-store" | "breakers" | "retry-quota" | "rate-gate";

/** Redis could not be reached for one operation. */
export interface RedisUnavailableEvent {
  /** The part that could not reach Redis. */
  source: RedisSource;
  /** The operation, e.g. `blockedAt` or `admit`. */
  operation: string;
  /** What was done about it. */
  mode: UnavailableMode;
  /** The client's error message (redacted), or the timeout. */
  message: string;
  /** ms since the epoch (the part's clock). */
  timestamp: number;
}

/** Redis answered again after an `unavailable` event of the same part. */
export interface RedisRestoredEvent {
  /** The part that reached Redis again. */
  source: RedisSource;
  /** ms since the epoch (the part's clock). */
  timestamp: number;
}

/** The events of rungs/redis parts (eventemitter3). One instance may be shared by every part. */
export class RedisEvents extends EventEmitter<{
  /** Redis could not be reached for one operation. */
  unavailable: (event: RedisUnavailableEvent) => void;
  /** Redis answered again. */
  restored: (event: RedisRestoredEvent) => void;
}> {}

/** A shared part in `"fail-closed"` mode could not reach Redis, so it refused instead of guessing. */
export class RedisUnavailableError extends RungsError {
  /** The error's class name, `"RedisUnavailableError"`. */
  override name = "RedisUnavailableError" as const;
  /** The part that refused. */
  readonly source: RedisSource;
  /** The operation, e.g. `blockedAt` or `admit`. */
  readonly operation: string;

  constructor(source: RedisSource, operation: string, message: string, cause?: unknown) {
    super(
      `rungs/redis ${source}: ${operation} could not reach Redis (${message}); refusing, as ` +
        `whenUnavailable is "fail-closed". Check the Redis connection, or choose "fail-open".`,
      { cause },
    );
    this.source = source;
    this.operation = operation;
  }
}

/** The client shape rungs/redis uses: an ioredis `Redis` (the type BullMQ also takes). */
export type RedisClient = Redis;

/** A Lua script with its SHA1, run with EVALSHA (EVAL once the server has not cached it). */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function lua(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/** Statuses in which ioredis would queue a command behind a broken connection: fail at once instead. */
const downStatuses = new Set(["reconnecting", "close", "end"]);

/** The result of one guarded operation. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown; message: string };

/**
 * One part's view of the connection: runs operations with a time limit, turns a dead connection into a
 * prompt failure (never a queue that waits forever), and reports outages and recoveries once each.
 * @internal
 */
export class RedisLink {
  #down = false;

  constructor(
    readonly redis: RedisClient,
    readonly source: RedisSource,
    readonly mode: UnavailableMode,
    readonly timeoutMs: number,
    readonly clock: Clock,
    readonly events: RedisEvents | undefined,
  ) {}

  /** Runs `operation`; a dead connection or a timeout comes back as `ok: false`, already reported. */
  async run<T>(name: string, operation: (redis: RedisClient) => Promise<T>): Promise<Outcome<T>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      if (downStatuses.has(this.redis.status)) {
        throw new Error(`connection is ${this.redis.status}`);
      }
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        timer.unref?.();
      });
      const value = await Promise.race([operation(this.redis), timeout]);
      if (this.#down) {
        this.#down = false;
        this.events?.emit("restored", { source: this.source, timestamp: this.clock.now() });
      }
      return { ok: true, value };
    } catch (error) {
      const message = redactText(error instanceof Error ? error.message : String(error));
      this.#down = true;
      this.events?.emit("unavailable", {
        source: this.source,
        operation: name,
        mode: this.mode,
        message,
        timestamp: this.clock.now(),
      });
      return { ok: false, error, message };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** {@link run}, then the value, the fail-open fallback, or a {@link RedisUnavailableError}. */
  async value<T>(name: string, operation: (redis: RedisClient) => Promise<T>, fallback: () => T): Promise<T> {
    const outcome = await this.run(name, operation);
    if (outcome.ok) return outcome.value;
    if (this.mode === "fail-open") return fallback();
    throw new RedisUnavailableError(this.source, name, outcome.message, outcome.error);
  }
}

/** Runs a script by SHA1, loading it on the server's first NOSCRIPT. */
export async function evalScript(
  redis: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}
