import type { Redis } from "@upstash/redis";
import type { BreakerSettings } from "../../core/breaker.ts";
import { script } from "./scripts.ts";

/**
 * A provider's circuit breaker, one per provider and API key (the limiter's identifier), its
 * state a hash in Upstash so every function sees it: `failures` (consecutive transient
 * failures, since `since`), `openUntil` (end of the cool-down while open or half-open),
 * `probeUntil` (the half-open probe's lease) and `lease`. The take script (sliding-log.ts)
 * reads it; these scripts change it, and run only when a request failed transiently, or
 * succeeded after failures or as the probe: never on the common path.
 */

/** The breaker's hash for a limiter's key (prefix included, as the library passes it). */
export const breakerKey = (limiterKey: string): string => `${limiterKey}:breaker`;

/**
 * A transient failure. While closed, counted (a run older than the window starts again); the
 * threshold's failure opens the breaker for the cool-down. A failure after the cool-down is the
 * probe's: it reopens for another. One while still cooling down (a request sent before it
 * opened) changes nothing.
 *
 * KEYS: the breaker. ARGV: now, threshold, window (ms), cool-down (ms), probe lease (ms).
 * Reply: {0 counted | 1 already open | 2 opened, open until (ms) or 0}.
 */
const FAILED = `
local s = redis.call('HMGET', KEYS[1], 'failures', 'since', 'openUntil')
local failures, since, openUntil = tonumber(s[1] or '0'), tonumber(s[2] or '0'), tonumber(s[3] or '0')
local now, threshold, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local coolDown, lease = tonumber(ARGV[4]), tonumber(ARGV[5])
local keep = coolDown + window + lease
if openUntil > 0 then
  if now < openUntil then return {1, openUntil} end
  redis.call('HSET', KEYS[1], 'failures', 0, 'since', now, 'openUntil', now + coolDown, 'probeUntil', 0, 'lease', lease)
  redis.call('PEXPIRE', KEYS[1], keep)
  return {2, now + coolDown}
end
if failures == 0 or now - since > window then failures, since = 0, now end
failures = failures + 1
if failures >= threshold then
  redis.call('HSET', KEYS[1], 'failures', 0, 'since', now, 'openUntil', now + coolDown, 'probeUntil', 0, 'lease', lease)
  redis.call('PEXPIRE', KEYS[1], keep)
  return {2, now + coolDown}
end
redis.call('HSET', KEYS[1], 'failures', failures, 'since', since)
redis.call('PEXPIRE', KEYS[1], window)
return {0, 0}
`;

/**
 * A success: clears a closed breaker's failures, and closes a half-open one (the probe came
 * back well). A success while still cooling down (sent before it opened) changes nothing.
 *
 * KEYS: the breaker. ARGV: now. Reply: 1 when it was open (half-open) and is closed now, else 0.
 */
const SUCCEEDED = `
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
local now = tonumber(ARGV[1])
if openUntil > 0 and now < openUntil then return 0 end
redis.call('DEL', KEYS[1])
if openUntil > 0 then return 1 end
return 0
`;

export type FailureVerdict = { kind: "counted" } | { kind: "open" | "opened"; untilMs: number };

export async function breakerFailed(
  redis: Redis,
  limiterKey: string,
  settings: BreakerSettings,
  nowMs: number,
): Promise<FailureVerdict> {
  const [kind, until] = (await script(redis, FAILED).exec(
    [breakerKey(limiterKey)],
    [
      String(Math.round(nowMs)),
      String(settings.failures),
      String(settings.windowMs),
      String(settings.coolDownMs),
      String(settings.probeLeaseMs),
    ],
  )) as [number, number];
  if (Number(kind) === 0) return { kind: "counted" };
  return { kind: Number(kind) === 2 ? "opened" : "open", untilMs: Number(until) };
}

/** Answers whether this success closed an open breaker (the probe's). */
export async function breakerSucceeded(redis: Redis, limiterKey: string, nowMs: number): Promise<boolean> {
  const closed = await script(redis, SUCCEEDED).exec([breakerKey(limiterKey)], [String(Math.round(nowMs))]);
  return Number(closed) === 1;
}
