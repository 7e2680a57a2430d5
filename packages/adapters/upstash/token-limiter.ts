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
  /** Refusals in a row for this container: how far to back off. */
  private denials = 0;
  /** Epoch ms before which a take cannot succeed, as far as this container knows. */
  private notBefore = 0;

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
    // Not worth a Redis command before the bucket can hold what we would ask for.
    const now = Date.now();
    if (now < this.notBefore) return { granted: false, retryAfterMs: this.notBefore - now };
    const { refillRate: r, intervalMs: interval, maxTokens } = this.plan;
    const want = Math.max(1, Math.min(n, maxTokens));
    const result = await this.ratelimit.limit(this.identifier, { rate: want });
    if (result.success) {
      // The reply says what is left and when the next refill comes: ask again when the
      // bucket would be full, not at once (an immediate ask would only be refused).
      this.denials = 0;
      this.notBefore = result.remaining > 0 ? 0 : result.reset + (Math.ceil(maxTokens / r) - 1) * interval;
      return { granted: true };
    }
    // Refused (another fetcher took the tokens): back off a random share of the time the
    // bucket needs to fill, more with each refusal in a row, so contending fetchers spread
    // out and about one asks per refill; each refusal costs a Redis command.
    this.denials = Math.min(this.denials + 1, 4);
    this.notBefore = result.reset + Math.round(Math.random() * Math.ceil(want / r) * interval * this.denials);
    return { granted: false, retryAfterMs: Math.max(0, this.notBefore - Date.now()) };
  }
}
