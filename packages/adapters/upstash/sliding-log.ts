import type { Algorithm, RatelimitConfig } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";

/** At most `limit` grants in any span of `spanMs`. */
export interface LogWindow {
  limit: number;
  spanMs: number;
}

/**
 * An exact sliding-log algorithm for @upstash/ratelimit: grant `rate` tokens
 * only if, in every one of its windows, the grants of the last `spanMs`,
 * these included, number at most `limit`. The library's own algorithms either
 * estimate (slidingWindow), admit twice the limit across a boundary
 * (fixedWindow) or must reserve their capacity out of the limit
 * (tokenBucket); see core/rate-plan.ts for why this one holds a provider's
 * window with nothing lost but the jitter, and what the extra windows are for
 * (pacing within the provider's window; a provider's second limit, e.g. per
 * minute and per day).
 *
 * One EVALSHA per call, as the library's own algorithms. Each window's log is
 * a sorted set of grant times (one member per token, at most `limit`), with a
 * counter beside them that makes members unique; each expires with its span.
 * Times are the caller's clock, as in the library's scripts; a clock's skew
 * against the other callers' is part of the jitter the span allows for.
 *
 * The reply's `reset` is exact: after a refusal, when every window has room
 * for `rate` more (the oldest grants in the way have left their spans); after
 * a grant, when one more token fits (now, if one does).
 *
 * KEYS: one log per window, then the counter. ARGV: now, rate, then limit and
 * span (ms) per window. Reply: {granted 0|1, remaining, reset}.
 */
const TAKE = `
local windows = #KEYS - 1
local now, want = tonumber(ARGV[1]), tonumber(ARGV[2])
local used, limits, spans = {}, {}, {}
local remaining, reset, granted = nil, now, 1
for i = 1, windows do
  limits[i], spans[i] = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - spans[i])
  used[i] = redis.call('ZCARD', KEYS[i])
  if remaining == nil or limits[i] - used[i] < remaining then remaining = limits[i] - used[i] end
  local excess = used[i] + want - limits[i]
  if excess > 0 then
    granted = 0
    local blocking = redis.call('ZRANGE', KEYS[i], excess - 1, excess - 1, 'WITHSCORES')
    reset = math.max(reset, tonumber(blocking[2]) + spans[i])
  end
end
if remaining < 0 then remaining = 0 end
if granted == 0 or want == 0 then
  if want == 0 and remaining == 0 then
    for i = 1, windows do
      local excess = used[i] + 1 - limits[i]
      if excess > 0 then
        local blocking = redis.call('ZRANGE', KEYS[i], excess - 1, excess - 1, 'WITHSCORES')
        reset = math.max(reset, tonumber(blocking[2]) + spans[i])
      end
    end
  end
  return {granted, remaining, reset}
end
local last = redis.call('INCRBY', KEYS[windows + 1], want)
local members, longest = {}, 0
for j = 1, want do
  members[2 * j - 1] = now
  members[2 * j] = last - want + j
end
for i = 1, windows do
  redis.call('ZADD', KEYS[i], unpack(members))
  redis.call('PEXPIRE', KEYS[i], spans[i])
  longest = math.max(longest, spans[i])
  local excess = used[i] + want + 1 - limits[i]
  if excess > 0 then
    local blocking = redis.call('ZRANGE', KEYS[i], excess - 1, excess - 1, 'WITHSCORES')
    reset = math.max(reset, tonumber(blocking[2]) + spans[i])
  end
end
redis.call('PEXPIRE', KEYS[windows + 1], longest)
return {1, remaining - want, reset}
`;

/** Most tokens one call may take (the script passes them to one ZADD per window). */
export const MAX_TAKE_PER_CALL = 1000;

type Context = { redis: Redis };
type Script = ReturnType<Redis["createScript"]>;

/** One Script object per client: it hashes its text once and remembers the SHA. */
const scriptByClient = new WeakMap<Redis, Script>();
function takeScript(redis: Redis): Script {
  let script = scriptByClient.get(redis);
  if (!script) {
    script = redis.createScript(TAKE);
    scriptByClient.set(redis, script);
  }
  return script;
}

/**
 * The algorithm over one or more windows; the first is the one reported as
 * the response's `limit`. `limit(id, { rate: 0 })` is not allowed (the
 * library's rate is a cost); `getRemaining` peeks without taking.
 */
export function slidingLog(windows: readonly LogWindow[]): RatelimitConfig["limiter"] {
  if (windows.length === 0) throw new RangeError("a sliding log needs at least one window");
  for (const { limit, spanMs } of windows) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
    if (!Number.isInteger(spanMs) || spanMs < 1)
      throw new RangeError(`span must be a positive integer (ms), got ${spanMs}`);
  }
  const maxRate = Math.min(MAX_TAKE_PER_CALL, ...windows.map((w) => w.limit));
  const limits = windows.flatMap((w) => [String(w.limit), String(w.spanMs)]);
  const keysOf = (identifier: string) => [
    ...windows.map((_, i) => `${identifier}:${i}`),
    `${identifier}:seq`,
  ];
  const run = async (ctx: Context, identifier: string, rate: number) =>
    (await takeScript(ctx.redis).exec(keysOf(identifier), [String(Date.now()), String(rate), ...limits])) as [
      number,
      number,
      number,
    ];
  const algorithm: Algorithm<Context> = () => ({
    async limit(ctx, identifier, rate = 1) {
      if (!Number.isInteger(rate) || rate < 1 || rate > maxRate) {
        throw new RangeError(`rate must be an integer from 1 to ${maxRate}, got ${rate}`);
      }
      const [granted, remaining, reset] = await run(ctx, identifier, rate);
      return {
        success: granted === 1,
        limit: windows[0]!.limit,
        remaining,
        reset,
        pending: Promise.resolve(),
      };
    },
    async getRemaining(ctx, identifier) {
      const [, remaining, reset] = await run(ctx, identifier, 0);
      return { remaining, reset, limit: windows[0]!.limit };
    },
    async resetTokens(ctx, identifier) {
      await ctx.redis.del(...keysOf(identifier));
    },
  });
  // The library types its context as RegionContext (not exported); ours asks only for its Redis client.
  return algorithm as RatelimitConfig["limiter"];
}
