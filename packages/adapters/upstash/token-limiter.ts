import { createHash } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import type { TokenGrant, TokenLimiter } from "../../core/pipeline/ports.ts";
import { type LimitPlan, type PlanOptions, type ProviderLimit, planLimit } from "../../core/rate-plan.ts";
import { slidingLog } from "./sliding-log.ts";

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
 * @upstash/ratelimit limiter with an exact sliding log of grants, planned by
 * planLimit so that no provider window sees more than the limit (see
 * core/rate-plan.ts). One `limit()` call takes up to `maxTake` tokens at once:
 * one Redis command (EVALSHA).
 */
export class UpstashTokenLimiter implements TokenLimiter {
  readonly plan: LimitPlan;
  private readonly ratelimit: Ratelimit;
  private readonly clock: () => number;
  /** Epoch ms before which a take cannot succeed, as far as this container knows. */
  private notBefore = 0;

  constructor(
    redis: Redis,
    private readonly identifier: string,
    limit: ProviderLimit | readonly ProviderLimit[],
    options: PlanOptions & { clock?: () => number } = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.plan = planLimit(limit, options);
    this.ratelimit = new Ratelimit({
      redis,
      limiter: slidingLog(this.plan.windows),
      prefix: "tf:rl",
      analytics: false,
      // A slow Redis must never let requests through: the library's timeout admits them.
      timeout: 0,
      // The library's in-memory block list would skip Redis until `reset`; our waits already do that.
      ephemeralCache: false,
    });
  }

  /**
   * Grants are stamped with the time the take was asked for. A reply that comes back late (a
   * slow or retried Redis call, a busy container) would send its requests that much later than
   * their stamp, beyond the jitter the plan allows for: such tokens are left unused, which can
   * only make the provider see fewer requests.
   */
  private stale(askedAt: number): boolean {
    return this.clock() - askedAt > this.plan.maxGrantDelayMs;
  }

  private lateGrant(tokens: number): TokenGrant {
    this.lateTokens += tokens;
    return { granted: false, retryAfterMs: 1 };
  }

  /** Tokens granted too late to use (see stale), since this limiter was made. */
  lateTokens = 0;

  get maxTake(): number {
    return this.plan.maxTake;
  }

  async take(n: number): Promise<TokenGrant> {
    // Not worth a Redis command before the log can hold what we would ask for.
    const now = this.clock();
    if (now < this.notBefore) return { granted: false, retryAfterMs: this.notBefore - now };
    const want = Math.max(1, Math.min(n, this.plan.maxTake));
    const result = await this.ratelimit.limit(this.identifier, { rate: want });
    if (this.stale(now)) return this.lateGrant(result.success ? want : 0);
    // The reply's reset is exact (see sliding-log.ts): when the budget has room again after a
    // grant that emptied it, or when `want` more fit after a refusal. Other fetchers may take
    // those tokens first; then the next reply names the next time, so a refusal costs one
    // command and no guessing.
    this.notBefore = result.success && result.remaining > 0 ? 0 : result.reset;
    if (result.success) return { granted: true, tokens: want };
    // Fewer than we asked for are free now: take those (the library's takes are all or none).
    if (result.remaining > 0) {
      const asked = this.clock();
      const some = await this.ratelimit.limit(this.identifier, { rate: result.remaining });
      if (this.stale(asked)) return this.lateGrant(some.success ? result.remaining : 0);
      if (some.success) return { granted: true, tokens: result.remaining };
      this.notBefore = some.reset;
    }
    return { granted: false, retryAfterMs: Math.max(1, this.notBefore - this.clock()) };
  }
}
