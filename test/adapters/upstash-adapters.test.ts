/**
 * The response cache and the shared rate limit on Upstash's REST protocol
 * (the local server in front of a real redis-server), through @upstash/redis
 * and @upstash/ratelimit.
 */
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstashResponseCache } from "../../packages/adapters/upstash/response-cache.ts";
import { limiterIdentifier, UpstashTokenLimiter } from "../../packages/adapters/upstash/token-limiter.ts";
import { planTokenBucket } from "../../packages/core/rate-plan.ts";
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

describe("UpstashTokenLimiter", () => {
  it("never grants more than the provider's limit in any window, across 12 concurrent callers", async () => {
    const limit = { limit: 40, windowMs: 1000 };
    // Grants are timed here, when each reply reaches its caller: that delay varies (the whole test
    // suite shares two cores), so the plan allows for it, as the product allows for network delay.
    const JITTER_MS = 250;
    const id = limiterIdentifier("test", `key-${Date.now()}`);
    const planned = planTokenBucket(limit, { jitterMs: JITTER_MS }).ratePerSecond;
    const grants: number[] = [];
    const stopAt = Date.now() + 3500;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const limiter = new UpstashTokenLimiter(client(), id, limit, { jitterMs: JITTER_MS });
        while (Date.now() < stopAt) {
          const n = limiter.maxTake;
          const grant = await limiter.take(n);
          if (grant.granted) for (let i = 0; i < n; i++) grants.push(Date.now());
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
    );
    const before = local.upstash.stats().commands;
    expect(await limiter.take(limiter.maxTake)).toStrictEqual({ granted: true });
    expect(local.upstash.stats().commands - before).toBe(1);
    expect(limiter.maxTake).toBeGreaterThan(1);
  });
});
