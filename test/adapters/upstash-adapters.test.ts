/**
 * The response cache and the shared rate limit on Upstash's REST protocol
 * (the local server in front of a real redis-server), through @upstash/redis
 * and @upstash/ratelimit.
 */
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { UpstashResponseCache } from "../../packages/adapters/upstash/response-cache.ts";
import { slidingLog } from "../../packages/adapters/upstash/sliding-log.ts";
import { limiterIdentifier, UpstashTokenLimiter } from "../../packages/adapters/upstash/token-limiter.ts";
import { planLimit } from "../../packages/core/rate-plan.ts";
import { type LocalUpstash, startLocalUpstash } from "../../packages/local/upstash/index.ts";

let local: LocalUpstash;
const clients: Redis[] = [];
function client(): Redis {
  const redis = new Redis({
    url: local.upstash.url,
    token: local.upstash.token,
    automaticDeserialization: false,
    enableTelemetry: false,
  });
  clients.push(redis);
  return redis;
}

beforeAll(async () => {
  local = await startLocalUpstash();
});
afterAll(async () => {
  await local?.stop();
});

describe("UpstashResponseCache", () => {
  it("reads a chunk in one command and writes it in one, with its TTL", async () => {
    const cache = new UpstashResponseCache(client());
    const before = local.upstash.stats().commands;
    await cache.setMany(
      [
        ["tf:test:a", "TFS2AAAA"],
        ["tf:test:b", "TFS2BBBB"],
      ],
      120,
    );
    const values = await cache.getMany(["tf:test:a", "tf:test:missing", "tf:test:b"]);
    expect(values).toStrictEqual(["TFS2AAAA", null, "TFS2BBBB"]);
    // EVALSHA may first answer NOSCRIPT (then EVAL): at most one extra command, once per server.
    expect(local.upstash.stats().commands - before).toBeLessThanOrEqual(3);
    const ttl = await client().ttl("tf:test:a");
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it("expires entries after their TTL", async () => {
    const cache = new UpstashResponseCache(client());
    await cache.setMany([["tf:test:short", "TFS2X"]], 1);
    await new Promise((r) => setTimeout(r, 2100));
    expect(await cache.getMany(["tf:test:short"])).toStrictEqual([null]);
  });
});

describe("slidingLog (an @upstash/ratelimit algorithm)", () => {
  // The caller's clock decides grant times, as in the library's own scripts: fake only Date.
  afterEach(() => vi.useRealTimers());
  const at = (ms: number) => vi.setSystemTime(1_800_000_000_000 + ms);
  const limiterOf = (limit: number, spanMs: number, pace?: { limit: number; spanMs: number }) =>
    new Ratelimit({
      redis: client(),
      limiter: slidingLog(pace ? [{ limit, spanMs }, pace] : [{ limit, spanMs }]),
      prefix: `tf:test:log:${Date.now()}`,
      timeout: 0,
      ephemeralCache: false,
      analytics: false,
    });

  it("grants up to the limit in any span and names the exact time the next tokens free up", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const rl = limiterOf(10, 1000);
    at(0);
    expect(await rl.limit("k", { rate: 4 })).toMatchObject({ success: true, remaining: 6 });
    at(300);
    expect(await rl.limit("k", { rate: 6 })).toMatchObject({
      success: true,
      remaining: 0,
      reset: 1_800_000_001_000,
    });
    at(500);
    // 3 more fit once the 4 granted at 0 have left the span: at 1000 exactly.
    expect(await rl.limit("k", { rate: 3 })).toMatchObject({
      success: false,
      remaining: 0,
      reset: 1_800_000_001_000,
    });
    // 5 more need one of the tokens granted at 300 gone too: 1300.
    expect(await rl.limit("k", { rate: 5 })).toMatchObject({ success: false, reset: 1_800_000_001_300 });
    at(999);
    expect((await rl.limit("k", { rate: 1 })).success).toBe(false);
    at(1000);
    expect(await rl.limit("k", { rate: 4 })).toMatchObject({ success: true, remaining: 0 });
    expect((await rl.limit("k", { rate: 1 })).success).toBe(false);
    expect(await rl.getRemaining("k")).toStrictEqual({ remaining: 0, reset: 1_800_000_001_300, limit: 10 });
    at(1300);
    expect(await rl.getRemaining("k")).toMatchObject({ remaining: 6 });
    await rl.resetUsedTokens("k");
    expect(await rl.getRemaining("k")).toMatchObject({ remaining: 10 });
  });

  it("counts every token of a take, even many taken in the same millisecond", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const rl = limiterOf(50, 1000);
    at(0);
    const results = await Promise.all(Array.from({ length: 30 }, () => rl.limit("k", { rate: 2 })));
    expect(results.filter((r) => r.success)).toHaveLength(25);
    expect((await rl.getRemaining("k")).remaining).toBe(0);
  });

  it("holds every window at once and waits for the one that binds", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const rl = limiterOf(10, 1000, { limit: 5, spanMs: 100 });
    const t = (ms: number) => 1_800_000_000_000 + ms;
    at(0);
    expect(await rl.limit("k", { rate: 3 })).toMatchObject({ success: true, remaining: 2, reset: t(0) });
    // The pacing window holds 2 more until the tokens of 0 leave it at 100.
    expect(await rl.limit("k", { rate: 3 })).toMatchObject({ success: false, remaining: 2, reset: t(100) });
    at(100);
    expect(await rl.limit("k", { rate: 5 })).toMatchObject({ success: true, remaining: 0, reset: t(200) });
    at(200);
    // 10 in the long window now: one more fits when the tokens of 0 leave it, at 1000.
    expect(await rl.limit("k", { rate: 2 })).toMatchObject({ success: true, remaining: 0, reset: t(1000) });
    at(300);
    // The pacing window has room again and the long one binds: 5 more need the 3 of 0 and 2 of 100 gone.
    expect(await rl.limit("k", { rate: 5 })).toMatchObject({ success: false, remaining: 0, reset: t(1100) });
    expect(await rl.getRemaining("k")).toStrictEqual({ remaining: 0, reset: t(1000), limit: 10 });
  });

  it("counts grants stamped ahead of its own time (callers stamp ahead by their round trip)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const rl = limiterOf(2, 1000);
    const t = (ms: number) => 1_800_000_000_000 + ms;
    at(100);
    expect(await rl.limit("k", { rate: 2 })).toMatchObject({ success: true, remaining: 0 });
    // A caller whose stamp is 1120: the two of 100 are out of its span, so it gets one...
    at(1120);
    expect(await rl.limit("k", { rate: 1 })).toMatchObject({ success: true, remaining: 1 });
    // ...and a caller stamping 1050 at the same moment still sees them (a span from 100 would hold
    // 3 otherwise), and the one of 1120 too: it waits for both of 100 to leave its span.
    at(1050);
    expect(await rl.limit("k", { rate: 1 })).toMatchObject({ success: false, remaining: 0, reset: t(1100) });
  });

  it("rejects a take it could never grant, naming the bound", async () => {
    const rl = limiterOf(5, 1000);
    await expect(rl.limit("k", { rate: 6 })).rejects.toThrow(/rate must be an integer from 1 to 5, got 6/);
    expect(() => slidingLog([{ limit: 0, spanMs: 1000 }])).toThrow(/limit must be a positive integer, got 0/);
  });
});

describe("UpstashTokenLimiter", () => {
  it("never grants more than the provider's limit in any window, across 12 concurrent callers", async () => {
    const limit = { limit: 40, windowMs: 1000 };
    // Grants are timed here, when each reply reaches its caller: that delay varies (the whole test
    // suite shares two cores), so the plan allows for it, as the product allows for network delay.
    const JITTER_MS = 400;
    const id = limiterIdentifier("test", `key-${Date.now()}`);
    const planned = planLimit(limit, { jitterMs: JITTER_MS }).ratePerSecond;
    const grants: number[] = [];
    const stopAt = Date.now() + 3500;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const limiter = new UpstashTokenLimiter(client(), id, limit, { jitterMs: JITTER_MS });
        while (Date.now() < stopAt) {
          const n = limiter.maxTake;
          const grant = await limiter.take(n);
          if (grant.granted) for (let i = 0; i < grant.tokens; i++) grants.push(Date.now());
          else await new Promise((r) => setTimeout(r, Math.min(grant.retryAfterMs, 200)));
        }
      }),
    );
    grants.sort((a, b) => a - b);
    let worst = 0;
    let lo = 0;
    for (let hi = 0; hi < grants.length; hi++) {
      while (grants[hi]! - grants[lo]! >= limit.windowMs) lo++;
      worst = Math.max(worst, hi - lo + 1);
    }
    expect(worst).toBeLessThanOrEqual(limit.limit);
    // ...and runs near the planned rate: at least 80 % of it over the run.
    expect(grants.length).toBeGreaterThanOrEqual(Math.floor(3.5 * planned * 0.8));
  });

  /** A limiter's clock and sleep on the fake time `time`. */
  const fakeTime = (time: { now: number }) => ({
    clock: () => time.now,
    sleep: async (ms: number) => {
      time.now += ms;
    },
  });

  /** A client whose every script call takes `roundTrip()` ms on the fake clock `time`. */
  function slowClient(time: { now: number }, roundTrip: () => number): Redis {
    const redis = client();
    return new Proxy(redis, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== "evalsha" && prop !== "eval") return value;
        return async (...args: unknown[]) => {
          const reply = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          time.now += roundTrip();
          return reply;
        };
      },
    });
  }

  it("leaves tokens unused when a reply comes back later than usual by more than half the jitter", async () => {
    const time = { now: Date.now() };
    let delay = 20;
    const limiter = new UpstashTokenLimiter(
      slowClient(time, () => delay),
      limiterIdentifier("test", `late-${Date.now()}`),
      { limit: 300, windowMs: 60_000 },
      { jitterMs: 100, ...fakeTime(time) },
    );
    for (let i = 0; i < 4; i++) expect(await limiter.take(4)).toStrictEqual({ granted: true, tokens: 4 });
    // 60 ms over the usual 20: late for a 100 ms jitter (50 each side)...
    delay = 80;
    expect(await limiter.take(4)).toStrictEqual({ granted: false, retryAfterMs: 1 });
    expect(limiter.lateTokens).toBe(4);
    // ...45 over it is not.
    delay = 65;
    expect(await limiter.take(4)).toStrictEqual({ granted: true, tokens: 4 });
    expect(limiter.lateTokens).toBe(4);
  });

  it("learns a far Redis's round trip and stamps grants that far ahead instead of leaving them all unused", async () => {
    const time = { now: Date.now() };
    const id = limiterIdentifier("test", `far-${Date.now()}`);
    const redis = client();
    let delay = 80;
    const limiter = new UpstashTokenLimiter(
      slowClient(time, () => delay),
      id,
      { limit: 300, windowMs: 60_000 },
      { jitterMs: 100, ...fakeTime(time) },
    );
    // The first takes know no round trip yet: 80 ms is late against none.
    for (let i = 0; i < 4; i++) expect((await limiter.take(2)).granted).toBe(false);
    expect(limiter.lateTokens).toBe(8);
    // From then on, 80 ms is the usual: grants are used, stamped when their requests go out.
    const askedAt = time.now;
    expect(await limiter.take(2)).toStrictEqual({ granted: true, tokens: 2 });
    expect(time.now).toBe(askedAt + 80);
    const stamps = (await redis.zrange(`tf:rl:${id}:0`, 0, -1, { withScores: true })) as (string | number)[];
    expect(
      stamps
        .filter((_, i) => i % 2 === 1)
        .map(Number)
        .slice(-2),
    ).toStrictEqual([askedAt + 80, askedAt + 80]);
    // A reply quicker than usual waits for its stamp before its requests may go.
    delay = 30;
    const quickAt = time.now;
    expect(await limiter.take(2)).toStrictEqual({ granted: true, tokens: 2 });
    expect(time.now).toBe(quickAt + 80);
    // And one later than usual by more than half the jitter is still left unused.
    delay = 80 + 60;
    expect((await limiter.take(2)).granted).toBe(false);
    expect(limiter.lateTokens).toBe(10);
  });

  it("holds the limit on send times when fetchers stamp ahead by different round trips", async () => {
    // Three fetchers on one clock, one at a time: Redis 4 ms, 35 ms and 90 ms away (another
    // region). Each sends its grant when its take returns; the provider's window must never see
    // more than the limit, although the far one stamps 90 ms ahead of the near one. (Stamping
    // further ahead, the far one wins most races for a freed slot; fetchers of one deployment
    // share a region, so their leads are alike.)
    const time = { now: Date.now() };
    const start = time.now;
    // Small enough that the fetchers, one take at a time, ask for more than it allows.
    const limit = { limit: 6, windowMs: 1000 };
    const id = limiterIdentifier("test", `mixed-${Date.now()}`);
    const limiters = [4, 35, 90].map(
      (roundTrip) =>
        new UpstashTokenLimiter(
          slowClient(time, () => roundTrip),
          id,
          limit,
          {
            jitterMs: 100,
            ...fakeTime(time),
          },
        ),
    );
    const sends: number[] = [];
    const granted = limiters.map(() => 0);
    for (let step = 0; step < 2000 && time.now < start + 6000; step++) {
      const limiter = limiters[step % limiters.length]!;
      const grant = await limiter.take(limiter.maxTake);
      if (grant.granted) {
        for (let i = 0; i < grant.tokens; i++) sends.push(time.now);
        granted[step % limiters.length]! += grant.tokens;
      } else time.now += Math.min(grant.retryAfterMs, 50);
    }
    let worst = 0;
    for (let hi = 0, lo = 0; hi < sends.length; hi++) {
      while (sends[hi]! - sends[lo]! >= limit.windowMs) lo++;
      worst = Math.max(worst, hi - lo + 1);
    }
    // Windows filled to the limit and never over, at about the planned rate (6 per 1.101 s)...
    expect(worst).toBe(limit.limit);
    const planned = planLimit(limit, { jitterMs: 100 }).ratePerSecond;
    expect(sends.length).toBeGreaterThanOrEqual(Math.floor(((time.now - start) / 1000) * planned * 0.75));
    // ...with the far fetcher sending too, not dropping every grant as late.
    expect(granted[2]).toBeGreaterThan(0);
    expect(limiters.map((l) => l.lateTokens)).toStrictEqual([0, 0, 0]);
  });

  it("keys the budget by provider and a hash of the API key, never the key", () => {
    const id = limiterIdentifier("fmp", "secret-key-123");
    expect(id).toMatch(/^fmp:[0-9a-f]{16}$/);
    expect(id).not.toContain("secret");
    expect(limiterIdentifier("yahoo", undefined)).toBe("yahoo:anonymous");
  });

  it("takes several tokens in one Redis command", async () => {
    const limit = { limit: 300, windowMs: 60_000 };
    // A first call on another key loads the script (EVALSHA answers NOSCRIPT once per server).
    await new UpstashTokenLimiter(client(), limiterIdentifier("test", `load-${Date.now()}`), limit).take(1);
    const limiter = new UpstashTokenLimiter(
      client(),
      limiterIdentifier("test", `multi-${Date.now()}`),
      limit,
      {
        // However slow this shared machine answers, the grant stays usable (see the next test).
        jitterMs: 10_000,
      },
    );
    const before = local.upstash.stats().commands;
    expect(await limiter.take(limiter.maxTake)).toStrictEqual({ granted: true, tokens: limiter.maxTake });
    expect(local.upstash.stats().commands - before).toBe(1);
    expect(limiter.maxTake).toBeGreaterThan(1);
  });

  it("pauses every fetcher sharing the limit when the provider says it is over it", async () => {
    const time = { now: 1_800_000_000_000 };
    const clock = () => time.now;
    const limit = { limit: 100, windowMs: 1000 };
    const id = limiterIdentifier("test", `hold-${Date.now()}`);
    const options = { clock, sleep: async () => undefined, jitterMs: 10_000 };
    const [first, second] = [0, 1].map(() => new UpstashTokenLimiter(client(), id, limit, options));
    expect(await second!.take(1)).toStrictEqual({ granted: true, tokens: 1 });

    // The provider answered one of `first`'s requests 429 with Retry-After: 30.
    await first!.holdOff(30_000);
    expect(first!.holds).toBe(1);
    // The other fetcher (its own container, nothing known locally) learns it from Redis.
    expect(await second!.take(5)).toStrictEqual({ granted: false, retryAfterMs: 30_000 });
    // A shorter pause asked for later does not cut the longer one short; in the same container
    // it costs no command at all.
    const before = local.upstash.stats().commands;
    await first!.holdOff(5_000);
    expect(local.upstash.stats().commands - before).toBe(0);
    const third = new UpstashTokenLimiter(client(), id, limit, options);
    await third.holdOff(5_000);
    time.now += 10_000;
    expect(await third.take(1)).toStrictEqual({ granted: false, retryAfterMs: 20_000 });

    time.now += 20_000;
    expect(await second!.take(5)).toStrictEqual({ granted: true, tokens: 5 });
    // A refusal that names no time pauses for the provider's shortest window, widened by the jitter.
    await second!.holdOff();
    expect(await third.take(1)).toStrictEqual({ granted: false, retryAfterMs: 1000 + 10_000 + 1 });
  });

  it("learns from a refusal how many the provider allows, and holds every fetcher to it", async () => {
    const time = { now: 1_800_000_000_000 };
    // Two minutes: a window that is not paced, so single takes follow each other freely.
    const limit = { limit: 10, windowMs: 120_000 };
    const id = limiterIdentifier("test", `learn-${Date.now()}`);
    const options = { clock: () => time.now, sleep: async () => undefined, jitterMs: 0 };
    const [first, second] = [0, 1].map(() => new UpstashTokenLimiter(client(), id, limit, options));
    const sent: number[] = [];
    for (let i = 0; i < 7; i++) {
      expect(await first!.take(1)).toStrictEqual({ granted: true, tokens: 1 });
      sent.push(time.now);
      // Further apart than the margin learning leaves out before a refusal (half the jitter, 5 ms at least).
      time.now += 10;
    }
    // The provider allows 6 in its window, not the 10 planned: it refuses the 7th request.
    await first!.holdOff(500, sent[6]);
    expect(first!.learnedLimit).toBe(6);
    // A refusal another fetcher met later (the provider had seen the 7th too) never raises it.
    await second!.holdOff(500, sent[6]! + 10);
    expect(second!.learnedLimit).toBe(6);

    // Another fetcher, once the window has rolled on, gets 6 a window: all it asked for at most.
    time.now += 120_000 + 1000 + 1;
    expect(await second!.take(10)).toStrictEqual({ granted: true, tokens: 6 });
    expect(second!.learnedLimit).toBe(6);
    expect(await second!.take(1)).toMatchObject({ granted: false });
    // A refusal with few grants before it (a provider's hiccup) halves the limit at most.
    const other = new UpstashTokenLimiter(
      client(),
      limiterIdentifier("test", `hiccup-${Date.now()}`),
      limit,
      options,
    );
    expect(await other.take(1)).toStrictEqual({ granted: true, tokens: 1 });
    time.now += 10;
    expect(await other.take(1)).toStrictEqual({ granted: true, tokens: 1 });
    await other.holdOff(500, time.now);
    expect(other.learnedLimit).toBe(5);
    // and the burst's other refusals, in the same window, do not halve it again.
    await other.holdOff(500, time.now + 1);
    expect(other.learnedLimit).toBe(5);
    // The learned limit lapses with its key (then the plan is tried again).
    const ttl = await client().pttl(`tf:rl:${id}:learned-limit`);
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
  });
});

describe("the providers' circuit breaker (in Upstash, read by the take)", () => {
  const breaker = { failures: 3, windowMs: 60_000, coolDownMs: 30_000, probeLeaseMs: 15_000 };
  const setup = () => {
    const time = { now: 1_800_000_000_000 };
    const options = { clock: () => time.now, sleep: async () => undefined, jitterMs: 10_000, breaker };
    const id = limiterIdentifier("test", `breaker-${Date.now()}-${Math.random()}`);
    const limit = { limit: 1000, windowMs: 1000 };
    const [a, b] = [0, 1].map(() => new UpstashTokenLimiter(client(), id, limit, options));
    return { time, a: a!, b: b!, id };
  };

  it("opens after the threshold's consecutive transient failures, for every function, and refuses until its cool-down", async () => {
    const { time, a, b } = setup();
    expect(await a.failed()).toBe("counted");
    expect(await b.failed()).toBe("counted");
    // While failures are counted, a fetcher takes one token at a time.
    expect(await b.take(5)).toStrictEqual({ granted: true, tokens: 1 });
    expect(await a.failed()).toBe("open");
    expect(a.breakerOpens).toBe(1);
    // The other function hears it from the take it was going to make anyway: no command of its own.
    expect(await b.take(5)).toStrictEqual({ granted: false, retryAfterMs: 30_000, breakerOpen: true });
    time.now += 10_000;
    const before = local.upstash.stats().commands;
    expect(await b.take(5)).toStrictEqual({ granted: false, retryAfterMs: 20_000, breakerOpen: true });
    expect(local.upstash.stats().commands - before).toBe(0);
    expect(b.breakerRefusals).toBe(1);
  });

  it("lets one probe through after the cool-down: its success closes it, its failure reopens it", async () => {
    const { time, a, b } = setup();
    for (let i = 0; i < 3; i++) await a.failed();
    time.now += 30_000;
    expect(await a.take(5)).toStrictEqual({ granted: true, tokens: 1, probe: true });
    // While the probe is out, nobody else is let through (until its lease ends).
    expect(await b.take(5)).toMatchObject({ granted: false, breakerOpen: true });
    expect(await a.failed()).toBe("open");
    expect(a.breakerOpens).toBe(2);
    // b was told to ask again when the probe's lease ends; then it hears of the new cool-down.
    expect(await b.take(1)).toMatchObject({ granted: false, retryAfterMs: 15_000, breakerOpen: true });
    time.now += 15_000;
    expect(await b.take(1)).toMatchObject({ granted: false, retryAfterMs: 15_000, breakerOpen: true });
    time.now -= 15_000;

    time.now += 30_000;
    expect(await b.take(5)).toStrictEqual({ granted: true, tokens: 1, probe: true });
    await b.succeeded();
    // Closed: a's first take after its failures is cautious; the success it reports frees it.
    expect(await a.take(5)).toStrictEqual({ granted: true, tokens: 1 });
    await a.succeeded();
    expect(await a.take(5)).toStrictEqual({ granted: true, tokens: 5 });
    expect(await b.take(5)).toStrictEqual({ granted: true, tokens: 5 });
  });

  it("lets another probe go when one never answers, after its lease", async () => {
    const { time, a, b } = setup();
    for (let i = 0; i < 3; i++) await a.failed();
    time.now += 30_000;
    expect(await a.take(1)).toMatchObject({ granted: true, probe: true });
    time.now += 15_001;
    expect(await b.take(1)).toMatchObject({ granted: true, probe: true });
  });

  it("counts only consecutive failures: a success clears them, and costs a command only after failures", async () => {
    // EVALSHA answers NOSCRIPT once per server for a script it has not seen: load it first.
    const warm = setup();
    await warm.a.failed();
    await warm.a.succeeded();
    const { a, b } = setup();
    await a.failed();
    await a.failed();
    // b learns of the failures from its take, and clears them with its success.
    expect(await b.take(1)).toStrictEqual({ granted: true, tokens: 1 });
    let before = local.upstash.stats().commands;
    await b.succeeded();
    expect(local.upstash.stats().commands - before).toBe(1);
    expect(await a.failed()).toBe("counted");
    expect(await a.failed()).toBe("counted");
    // A success with nothing to clear costs nothing.
    const c = setup().a;
    await c.take(1);
    before = local.upstash.stats().commands;
    await c.succeeded();
    expect(local.upstash.stats().commands - before).toBe(0);
  });

  it("forgets a run of failures older than its window", async () => {
    const { time, a } = setup();
    await a.failed();
    await a.failed();
    time.now += 61_000;
    expect(await a.failed()).toBe("counted");
    expect(await a.failed()).toBe("counted");
    expect(await a.failed()).toBe("open");
  });
});
