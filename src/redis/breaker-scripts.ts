import { lua } from "./link.js";

// One breaker is one hash: state ("open" | "half-open"; no key = closed with no failures), failures,
// openedAt, probe (the probe's token) and probeDeadline. Times are ms since the epoch from the callers'
// clocks. Each script runs atomically on the server, so two workers can never both take the probe.

/** The part both scripts share: a probe past its deadline failed at its deadline (it releases its permit). */
const tick = `
local h = redis.call('HMGET', KEYS[1], 'state', 'failures', 'openedAt', 'probe', 'probeDeadline')
local state = h[1] or 'closed'
local failures = tonumber(h[2]) or 0
local openedAt = tonumber(h[3]) or now
local probe = h[4]
local probeDeadline = tonumber(h[5])
if probe and probeDeadline and now >= probeDeadline then
  state = 'open'
  openedAt = probeDeadline
  probe = false
  redis.call('HSET', KEYS[1], 'state', 'open', 'openedAt', tostring(openedAt))
  redis.call('HDEL', KEYS[1], 'probe', 'probeDeadline')
end
if state == 'open' and now >= openedAt + openMs then state = 'half-open' end
`;

/**
 * KEYS: breaker. ARGV: now, openMs, probeTimeoutMs, token.
 * Returns {"closed"}, {"open", retryAt}, {"probing", probeDeadline} or {"probe", deadline}.
 */
export const admitScript = lua(`
local now = tonumber(ARGV[1])
local openMs = tonumber(ARGV[2])
${tick}
if state == 'closed' then return {'closed'} end
if state == 'open' then return {'open', tostring(openedAt + openMs)} end
if probe then return {'probing', tostring(probeDeadline)} end
local deadline = now + tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'state', 'half-open', 'probe', ARGV[4], 'probeDeadline', tostring(deadline))
return {'probe', tostring(deadline)}
`);

/**
 * KEYS: breaker. ARGV: now, openMs, outcome ("success" | "failure" | "fatal" | "ignore"), token ("" for an
 * ordinary call), failureThreshold. Returns 1 when the report counted, 0 when a probe was no longer the probe.
 */
export const releaseScript = lua(`
local now = tonumber(ARGV[1])
local openMs = tonumber(ARGV[2])
${tick}
local outcome = ARGV[3]
local token = ARGV[4]
local isProbe = token ~= ''
if isProbe then
  if probe ~= token then return 0 end
  redis.call('HDEL', KEYS[1], 'probe', 'probeDeadline')
end
if outcome == 'ignore' then return 1 end
if outcome == 'success' then
  if isProbe or state == 'closed' then redis.call('DEL', KEYS[1]) end
  return 1
end
failures = failures + 1
if state ~= 'open' and (isProbe or outcome == 'fatal' or failures >= tonumber(ARGV[5])) then
  state = 'open'
  openedAt = now
end
redis.call('HSET', KEYS[1], 'state', state, 'failures', failures, 'openedAt', tostring(openedAt))
return 1
`);
