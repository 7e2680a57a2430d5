/**
 * How to hold a provider's limit with @upstash/ratelimit's token bucket.
 *
 * A provider allows N requests in any window of W ms (we assume a sliding
 * window, the strictest reading). A token bucket with capacity B that adds r
 * tokens every I ms can hand out, in any span of length T, at most the tokens
 * in the bucket when the span opens (≤ B) plus those added during it
 * (≤ r·⌈T / I⌉). A token granted at t reaches the provider at t + latency, and
 * latencies differ by up to J ms (the jitter), so the requests that arrive in
 * one provider window were granted within a span of W + J. Hence if
 *
 *     B + r·⌈(W + J) / I⌉ ≤ N
 *
 * the provider never sees more than N requests in any window. Among the
 * (r ≤ B, integer I in ms, since the library rounds its interval to whole ms)
 * that satisfy the bound, we pick the one with the highest rate r / I, or,
 * within 3 % of it (configurable), the one with the largest B. B is the most
 * tokens one call may take: taking several per call saves Redis commands, and
 * costs B tokens of the window's budget.
 */
export interface ProviderLimit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export interface BucketPlan {
  /** Tokens added per interval (≤ maxTokens). */
  refillRate: number;
  intervalMs: number;
  /** Bucket capacity: also the most tokens one take may ask for. */
  maxTokens: number;
  /** Sustained grants per second. */
  ratePerSecond: number;
  /** Worst-case requests arriving in one provider window, jitter included (≤ limit). */
  worstWindow: number;
  /** The jitter the plan allows for. */
  jitterMs: number;
}

export interface PlanOptions {
  /** Most tokens one call should take. @default 5 */
  maxTake?: number;
  /** Largest difference in grant-to-arrival time between two requests, in ms. @default 25 */
  jitterMs?: number;
  /**
   * A plan this much slower than the fastest is still chosen if it takes more
   * tokens per call (fewer Redis commands per request). @default 0.03
   */
  rateTolerance?: number;
}

export function planTokenBucket(provider: ProviderLimit, options: PlanOptions = {}): BucketPlan {
  const { limit: n, windowMs: w } = provider;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`rate limit must be a positive integer, got ${n}`);
  if (!(w >= 1)) throw new RangeError(`rate limit window must be at least 1 ms, got ${w}`);
  const jitter = options.jitterMs ?? 25;
  const span = w + jitter;
  const maxTake = Math.max(1, Math.min(options.maxTake ?? 5, Math.floor(n / 2)));
  const candidates: BucketPlan[] = [];
  for (let b = 1; b <= maxTake; b++) {
    for (let r = 1; r <= b; r++) {
      // Smallest integer interval with b + r·⌈span / I⌉ ≤ n.
      const refillsAllowed = Math.floor((n - b) / r);
      if (refillsAllowed < 1) continue;
      let interval = Math.ceil(span / refillsAllowed);
      while (b + r * Math.ceil(span / interval) > n) interval++;
      candidates.push({
        refillRate: r,
        intervalMs: interval,
        maxTokens: b,
        ratePerSecond: (r / interval) * 1000,
        worstWindow: b + r * Math.ceil(span / interval),
        jitterMs: jitter,
      });
    }
  }
  // Within the tolerance of the fastest plan, prefer the largest take (fewest Redis commands per request).
  const fastest = Math.max(...candidates.map((c) => c.ratePerSecond));
  const best = candidates
    .filter((c) => c.ratePerSecond >= fastest * (1 - (options.rateTolerance ?? 0.03)))
    .sort((x, y) => y.maxTokens - x.maxTokens || y.ratePerSecond - x.ratePerSecond)[0];
  if (!best)
    throw new RangeError(`a limit of ${n} per ${w} ms is too small to hold with a bucket (needs at least 2)`);
  return best;
}

const LIMIT_PATTERN = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|min|h|d)\s*$/;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses "100/1s", "300/min", "25/d", "5/60s"; throws naming the bad value. */
export function parseProviderLimit(text: string): ProviderLimit {
  const m = LIMIT_PATTERN.exec(text);
  if (!m)
    throw new RangeError(
      `rate limit "${text}" is not of the form <requests>/<n><ms|s|min|h|d>, e.g. 100/1s or 300/min`,
    );
  const windowMs = Number(m[2] ?? 1) * UNIT_MS[m[3]!]!;
  return { limit: Number(m[1]), windowMs };
}
