import { createHash } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import type { TokenGrant, TokenLimiter } from "../../core/pipeline/ports.ts";
import {
  type BucketPlan,
  type PlanOptions,
  type ProviderLimit,
  planTokenBucket,
} from "../../core/rate-plan.ts";

/**
 * The limiter key of a provider and API key: the key's hash, never the key,
 * so every function sharing a key shares one budget and Redis never holds it.
 */
export function limiterIdentifier(provider: string, apiKey: string | undefined): string {
  const keyId = apiKey ? createHash("sha256").update(apiKey).digest("hex").slice(0, 16) : "anonymous";
  return `${provider}:${keyId}`;
}

/**
 * The provider's limit, shared by every fetcher through Upstash: a
 * @upstash/ratelimit token bucket planned by planTokenBucket so that no provider
 * window sees more than the limit (see core/rate-plan.ts). One `limit()` call
 * takes up to `maxTake` tokens at once: one Redis command (EVALSHA).
 */
export class UpstashTokenLimiter implements TokenLimiter {
  readonly plan: BucketPlan;
  private readonly ratelimit: Ratelimit;

  constructor(
    redis: Redis,
    private readonly identifier: string,
    limit: ProviderLimit,
    options: PlanOptions = {},
  ) {
    this.plan = planTokenBucket(limit, options);
    this.ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.tokenBucket(this.plan.refillRate, `${this.plan.intervalMs} ms`, this.plan.maxTokens),
      prefix: "tf:rl",
      analytics: false,
      // A slow Redis must never let requests through: the library's timeout admits them.
      timeout: 0,
      // The library's in-memory block list would skip Redis until `reset`; our waits already do that.
      ephemeralCache: false,
    });
  }

  get maxTake(): number {
    return this.plan.maxTokens;
  }

  async take(n: number): Promise<TokenGrant> {
    const want = Math.max(1, Math.min(n, this.plan.maxTokens));
    const result = await this.ratelimit.limit(this.identifier, { rate: want });
    if (result.success) return { granted: true };
    // Denied: tokens refill r at a time every interval. Wait until enough could have
    // accumulated, plus up to one interval at random so contending fetchers do not
    // all ask again at the same instant (each denial costs a Redis command).
    const untilRefill = Math.max(0, result.reset - Date.now());
    const refillsNeeded = Math.max(0, Math.ceil(want / this.plan.refillRate) - 1);
    const spread = Math.round(Math.random() * this.plan.intervalMs);
    return { granted: false, retryAfterMs: untilRefill + refillsNeeded * this.plan.intervalMs + spread };
  }
}
