/**
 * rungs/redis: shared state for a fleet of workers (stats store, circuit breakers, retry quota, rate gate).
 *
 * @module rungs/redis
 */
export {
  RedisCircuitBreakers,
  type RedisCircuitBreakersOptions,
  redisCircuitBreakers,
} from "./breakers.js";
export {
  type RedisClient,
  RedisEvents,
  type RedisRestoredEvent,
  type RedisSource,
  RedisUnavailableError,
  type RedisUnavailableEvent,
  type UnavailableMode,
} from "./link.js";
export type { RedisPartOptions } from "./options.js";
export { RedisRateGate, type RedisRateGateOptions, redisRateGate } from "./rate-gate.js";
export { RedisRetryQuota, type RedisRetryQuotaOptions, redisRetryQuota } from "./retry-quota.js";
export { type RedisStatsStore, type RedisStatsStoreOptions, redisStatsStore } from "./stats-store.js";
