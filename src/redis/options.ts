import { type Clock, systemClock } from "../clock.js";
import { schemas } from "../options.js";
import { custom, type Output, oneOf, string } from "../validate/check.js";
import { reportClientErrors } from "./client-errors.js";
import { type RedisClient, RedisEvents, RedisLink, type RedisSource, type UnavailableMode } from "./link.js";

/** Options every rungs/redis part takes. */
export interface RedisPartOptions {
  /** The ioredis client (`new Redis(url)`); rungs never closes it. */
  redis: RedisClient;
  /** Prepended to every key, so several apps or test runs share one Redis. @default "rungs:" */
  prefix?: string;
  /** What to do when Redis cannot be reached (see {@link UnavailableMode}). @default "fail-open" */
  whenUnavailable?: UnavailableMode;
  /** Longest wait for one Redis operation before it counts as unreachable, in ms. @default 2_000 */
  timeoutMs?: number;
  /** Where `unavailable` and `restored` are emitted. @default none (nothing is reported) */
  events?: RedisEvents;
  /** Time source for breaker and rate decisions and event timestamps. @default systemClock */
  clock?: Clock;
}

const clientSchema = custom<RedisClient>(
  (v) =>
    typeof v === "object" &&
    v !== null &&
    typeof (v as { evalsha?: unknown }).evalsha === "function" &&
    typeof (v as { status?: unknown }).status === "string",
  "must be an ioredis client (new Redis(url) from the ioredis package)",
);

/** @internal */
export const partShape = {
  redis: clientSchema,
  prefix: string().optional(),
  whenUnavailable: oneOf(["fail-open", "fail-closed"]).optional(),
  timeoutMs: schemas.positiveNumber.optional(),
  events: custom<RedisEvents>(
    (v) => v instanceof RedisEvents || (typeof v === "object" && v !== null && "emit" in v),
    "must be a RedisEvents",
  ).optional(),
  clock: schemas.clock.optional(),
};

/** Resolves the shared options into a link and a prefix. @internal */
export function resolvePart(
  source: RedisSource,
  parsed: { [K in keyof typeof partShape]?: Output<(typeof partShape)[K]> } & { redis: RedisClient },
): { link: RedisLink; prefix: string; clock: Clock } {
  const clock = parsed.clock ?? systemClock;
  reportClientErrors(parsed.redis);
  return {
    link: new RedisLink(
      parsed.redis,
      source,
      parsed.whenUnavailable ?? "fail-open",
      parsed.timeoutMs ?? 2_000,
      clock,
      parsed.events,
    ),
    prefix: parsed.prefix ?? "rungs:",
    clock,
  };
}
