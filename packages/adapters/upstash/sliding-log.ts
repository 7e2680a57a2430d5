import { randomUUID } from "node:crypto";
import type { Algorithm, RatelimitConfig } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import { breakerKey } from "./breaker.ts";
import { script } from "./scripts.ts";

/** At most `limit` grants in any span of `spanMs`. */
export interface LogWindow {
  limit: number;
  spanMs: number;
}

/**
 * How far apart two callers' stamps for the same moment may be (a caller
 * stamps ahead by its usual round trip to Redis, see token-limiter.ts, and
 * clocks differ a little). Grants stay in the log this much longer than their
 * span, so a caller stamping ahead never drops grants that a caller stamping
 * behind must still count.
 */
export const STAMP_SLACK_MS = 1000;

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
 * a sorted set of grant times (one member per token, at most `limit` within a
 * span), with a counter beside them that makes members unique; each expires
 * with its span plus STAMP_SLACK_MS. Times are the caller's (`clock`, Date.now unless given), as
 * in the library's scripts. Callers' stamps for one moment differ (clock skew,
 * stamps ahead by the round trip), so a take counts every grant stamped after
 * `now - span`, later ones included: a grant stamped ahead of `now` is in some
 * window with the new one, and counting it can only refuse more.
 *
 * The reply's `reset` is exact: after a refusal, when every window has room
 * for `rate` more (the oldest grants in the way have left their spans); after
 * a grant, when one more token fits (now, if one does).
 *
 * A hold (see holdLog) refuses every take until it ends, with its end as the
 * reset: the provider itself asked for a pause. A learned limit (see holdLog)
 * lowers the first window's: the provider allows fewer than the plan says.
 *
 * The provider's circuit breaker (breaker.ts) is read here too, so that it costs
 * no command of its own on the common path: while it is open every take is
 * refused until its cool-down ends; after that, one take of one token is the
 * probe (leased, so that a probe that never reports lets another go), and the
 * others are refused until the probe's answer closes or reopens it.
 *
 * KEYS: one log per window, the counter, the hold, the learned limit, the
 * breaker. ARGV: now, rate, slack (ms), then limit and span (ms) per window.
 * Reply: {granted 0|1, remaining, reset, the first window's limit as held,
 * breaker (0 closed, 1 open: refused, 2 this grant is the probe), consecutive
 * transient failures counted}.
 */
const TAKE = `
local windows = #KEYS - 4
local now, want, slack = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local first = tonumber(ARGV[4])
local learned = tonumber(redis.call('HGET', KEYS[windows + 3], 'limit') or '0')
if learned > 0 and learned < first then first = learned end
local breaker = redis.call('HMGET', KEYS[windows + 4], 'openUntil', 'probeUntil', 'failures', 'lease')
local openUntil, failures = tonumber(breaker[1] or '0'), tonumber(breaker[3] or '0')
local probe = 0
if openUntil > 0 and want > 0 then
  if now < openUntil then return {0, 0, openUntil, first, 1, failures} end
  local probeUntil = tonumber(breaker[2] or '0')
  if probeUntil > now then return {0, 0, probeUntil, first, 1, failures} end
  want, probe = 1, 2
end
local held = tonumber(redis.call('GET', KEYS[windows + 2]) or '0')
if held > now then return {0, 0, held, first, 0, failures} end
local used, limits, spans, after = {}, {}, {}, {}
local remaining, reset, granted = nil, now, 1
-- The grant that must leave window i before 'excess' more fit: its time plus the span. Under a
-- learned limit a take may ask for more than the window holds: then, when it has emptied.
local function freedAt(i, excess)
  if excess > used[i] then excess = used[i] end
  if excess < 1 then return now end
  local blocking = redis.call('ZRANGEBYSCORE', KEYS[i], after[i], '+inf', 'WITHSCORES', 'LIMIT', excess - 1, 1)
  return tonumber(blocking[2]) + spans[i]
end
for i = 1, windows do
  limits[i], spans[i] = tonumber(ARGV[2 + 2 * i]), tonumber(ARGV[3 + 2 * i])
  if i == 1 then limits[i] = first end
  after[i] = string.format('(%d', now - spans[i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - spans[i] - slack)
  used[i] = redis.call('ZCOUNT', KEYS[i], after[i], '+inf')
  if remaining == nil or limits[i] - used[i] < remaining then remaining = limits[i] - used[i] end
  local excess = used[i] + want - limits[i]
  if excess > 0 then
    granted = 0
    reset = math.max(reset, freedAt(i, excess))
  end
end
if remaining < 0 then remaining = 0 end
if granted == 0 or want == 0 then
  if want == 0 and remaining == 0 then
    for i = 1, windows do
      local excess = used[i] + 1 - limits[i]
      if excess > 0 then reset = math.max(reset, freedAt(i, excess)) end
    end
  end
  return {granted, remaining, reset, first, 0, failures}
end
local last = redis.call('INCRBY', KEYS[windows + 1], want)
local members, longest = {}, 0
for j = 1, want do
  members[2 * j - 1] = now
  members[2 * j] = last - want + j
end
for i = 1, windows do
  redis.call('ZADD', KEYS[i], unpack(members))
  redis.call('PEXPIRE', KEYS[i], spans[i] + slack)
  longest = math.max(longest, spans[i] + slack)
  used[i] = used[i] + want
  local excess = used[i] + 1 - limits[i]
  if excess > 0 then reset = math.max(reset, freedAt(i, excess)) end
end
redis.call('PEXPIRE', KEYS[windows + 1], longest)
if probe == 2 then
  redis.call('HSET', KEYS[windows + 4], 'probeUntil', now + tonumber(breaker[4] or '15000'))
end
return {1, remaining - want, reset, first, probe, failures}
`;

/**
 * After the provider refused a request: a hold until `until` (ms, the takers' clock) unless a
 * longer one is set, and, when the refused request's send time is known, the limit learned from
 * it. In its window before that request the provider had counted what this log granted then,
 * less what it refused then (a refused request is not counted by a provider that counts
 * accepted ones; by one that counts all, this only learns a little low), leaving out grants of
 * the last `margin` ms before it (their requests may have gone out late and reached the
 * provider after it, as a grant may be used up to half the jitter late; the refused one's own
 * take is among them). If that is fewer than the limit in force, it
 * becomes the first window's limit until the learned key expires, but never less than half
 * the limit in force when the window's first refusal came: a refusal with few grants before it
 * says little about the limit, and one burst is refused many times. Only ever lower: a refusal
 * can never raise what is granted.
 *
 * KEYS: the hold, the learned limit, the first window's log, the refusals. ARGV: until, time to
 * keep the hold (ms), the refused request's send time (ms, takers' clock; 0 when unknown), the
 * provider's first window (ms), the planned limit of that window, time to keep a learned limit
 * (ms), a member name unique to this refusal, the margin (ms). Reply: {the hold's end, the
 * first window's limit now}.
 */
const HOLD = `
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
local wanted, sentAt, window = tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4])
local learned = redis.call('HMGET', KEYS[2], 'limit', 'floor', 'since')
local limit = tonumber(learned[1]) or tonumber(ARGV[5])
local floor, since = tonumber(learned[2]), tonumber(learned[3])
if sentAt > 0 then
  -- A round of learning lasts one window: the refusals of one burst share its floor.
  if not since or sentAt - since > window then
    floor, since = math.ceil(limit / 2), sentAt
  end
  local from, to = '(' .. (sentAt - window), '(' .. (sentAt - tonumber(ARGV[8]))
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', sentAt - 2 * window)
  local before = redis.call('ZCOUNT', KEYS[3], from, to) - redis.call('ZCOUNT', KEYS[4], from, to)
  redis.call('ZADD', KEYS[4], sentAt, ARGV[7])
  redis.call('PEXPIRE', KEYS[4], 2 * window)
  -- At most half per window: refusals with few grants before them (a provider's hiccup, another
  -- client's burst) must not cut the scan to a trickle for the learned limit's lifetime.
  if before < floor then before = floor end
  if before < limit then
    limit = before
    redis.call('HSET', KEYS[2], 'limit', limit, 'floor', floor, 'since', since)
    redis.call('PEXPIRE', KEYS[2], ARGV[6])
  end
end
if wanted > held then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  held = wanted
end
return {held, limit}
`;

/** A take's reply as the algorithm gives it: the library's, and what the take read of the breaker. */
export interface BreakerReply {
  success: boolean;
  limit: number;
  remaining: number;
  reset: number;
  pending: Promise<unknown>;
  /** `open`: refused for the breaker (reset is when to ask again); `probe`: this one token is the probe. */
  breaker: "closed" | "open" | "probe";
  /** Consecutive transient failures counted while closed: a success then clears them. */
  failures: number;
}

/** Most tokens one call may take (the script passes them to one ZADD per window). */
export const MAX_TAKE_PER_CALL = 1000;

type Context = { redis: Redis };

/**
 * Every key of one limiter's log; `key` is the limiter's key as the library passes it (prefix
 * included). `learned` is a hash: the limit, and the floor and start of the window's round of
 * learning.
 */
function logKeys(key: string, windows: number) {
  return {
    windows: Array.from({ length: windows }, (_, i) => `${key}:${i}`),
    seq: `${key}:seq`,
    hold: `${key}:hold`,
    learned: `${key}:learned-limit`,
    refused: `${key}:refused`,
  };
}

/** Keeps a learned limit this long after the refusal it came from; then the plan's holds again. */
export const LEARNED_LIMIT_TTL_MS = 15 * 60_000;

export interface HoldRequest {
  /** The limiter's key as the library passes it (prefix included). */
  key: string;
  /** End of the hold, on the takers' clock (ms). */
  untilMs: number;
  keepMs: number;
  /** When the refused request was sent, on the takers' clock; unknown: nothing is learned. */
  sentAtMs?: number;
  /** The provider's first (shortest) window and its planned limit. */
  windowMs: number;
  plannedLimit: number;
  /** Grants this close before the refused request are not counted as reaching the provider first. */
  marginMs: number;
}

/**
 * Holds every take of the log at `key` and learns from the refusal (see HOLD); one EVALSHA.
 * Answers the hold's end and the first window's limit now in force.
 */
export async function holdLog(redis: Redis, hold: HoldRequest): Promise<{ untilMs: number; limit: number }> {
  const keys = logKeys(hold.key, 1);
  const [untilMs, limit] = (await script(redis, HOLD).exec(
    [keys.hold, keys.learned, keys.windows[0]!, keys.refused],
    [
      String(Math.round(hold.untilMs)),
      String(Math.max(1, Math.ceil(hold.keepMs))),
      String(Math.round(hold.sentAtMs ?? 0)),
      String(Math.round(hold.windowMs)),
      String(hold.plannedLimit),
      String(LEARNED_LIMIT_TTL_MS),
      randomUUID(),
      String(Math.max(1, Math.round(hold.marginMs))),
    ],
  )) as [number, number];
  return { untilMs: Number(untilMs), limit: Number(limit) };
}

/**
 * The algorithm over one or more windows; the first is the one reported as
 * the response's `limit`. `limit(id, { rate: 0 })` is not allowed (the
 * library's rate is a cost); `getRemaining` peeks without taking.
 */
export function slidingLog(
  windows: readonly LogWindow[],
  options: { clock?: () => number } = {},
): RatelimitConfig["limiter"] {
  const clock = options.clock ?? Date.now;
  if (windows.length === 0) throw new RangeError("a sliding log needs at least one window");
  for (const { limit, spanMs } of windows) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
    if (!Number.isInteger(spanMs) || spanMs < 1)
      throw new RangeError(`span must be a positive integer (ms), got ${spanMs}`);
  }
  const maxRate = Math.min(MAX_TAKE_PER_CALL, ...windows.map((w) => w.limit));
  const limits = windows.flatMap((w) => [String(w.limit), String(w.spanMs)]);
  // In the order TAKE reads them.
  const takeKeys = (identifier: string) => {
    const keys = logKeys(identifier, windows.length);
    return [...keys.windows, keys.seq, keys.hold, keys.learned, breakerKey(identifier)];
  };
  const run = async (ctx: Context, identifier: string, rate: number) =>
    (await script(ctx.redis, TAKE).exec(takeKeys(identifier), [
      String(Math.round(clock())),
      String(rate),
      String(STAMP_SLACK_MS),
      ...limits,
    ])) as [number, number, number, number, number, number];
  const algorithm: Algorithm<Context> = () => ({
    async limit(ctx, identifier, rate = 1) {
      if (!Number.isInteger(rate) || rate < 1 || rate > maxRate) {
        throw new RangeError(`rate must be an integer from 1 to ${maxRate}, got ${rate}`);
      }
      const [granted, remaining, reset, limit, breaker, failures] = await run(ctx, identifier, rate);
      const reply: BreakerReply = {
        success: granted === 1,
        // The first window's limit as held: lower than planned while a learned one lasts.
        limit,
        remaining,
        reset,
        pending: Promise.resolve(),
        // The library hands its algorithm's reply on as it is: the breaker's part rides along.
        breaker: breaker === 1 ? "open" : breaker === 2 ? "probe" : "closed",
        failures: Number(failures),
      };
      return reply;
    },
    async getRemaining(ctx, identifier) {
      const [, remaining, reset, limit] = await run(ctx, identifier, 0);
      return { remaining, reset, limit };
    },
    async resetTokens(ctx, identifier) {
      await ctx.redis.del(
        ...Object.values(logKeys(identifier, windows.length)).flat(),
        breakerKey(identifier),
      );
    },
  });
  // The library types its context as RegionContext (not exported); ours asks only for its Redis client.
  return algorithm as RatelimitConfig["limiter"];
}
