import type { RateLimit } from "./config.ts";

/**
 * The provider side of a rate limit: a sliding log of accepted request
 * arrival times per bucket (an API key, or one bucket for Yahoo). A request
 * is accepted when fewer than `limit` requests were accepted in the
 * `windowMs` before it, so no window of that length ever holds more than
 * `limit` accepted arrivals — exactly what `maxRequestsInAnyWindow` checks.
 */
export type RateDecision = { accepted: true } | { accepted: false; retryAfterMs: number };

/** Past this many buckets (API keys), buckets with no arrival inside the window are dropped. */
const SWEEP_AT = 10_000;

export class SlidingWindowLimiter {
  private readonly buckets = new Map<string, number[]>();

  /** Decides for a request arriving at `nowMs`; an accepted request is counted. */
  admit(bucket: string, nowMs: number, rule: RateLimit): RateDecision {
    let arrivals = this.buckets.get(bucket);
    if (!arrivals) {
      if (this.buckets.size >= SWEEP_AT) this.sweep(nowMs - rule.windowMs);
      arrivals = [];
      this.buckets.set(bucket, arrivals);
    }
    const windowStart = nowMs - rule.windowMs;
    let expired = 0;
    while (expired < arrivals.length && arrivals[expired]! <= windowStart) expired++;
    if (expired > 0) arrivals.splice(0, expired);
    if (arrivals.length < rule.limit) {
      arrivals.push(nowMs);
      return { accepted: true };
    }
    // The slot frees when the oldest arrival that keeps the window full leaves it.
    const blocking = arrivals[arrivals.length - rule.limit]!;
    return { accepted: false, retryAfterMs: Math.max(0, blocking + rule.windowMs - nowMs) };
  }

  private sweep(windowStart: number): void {
    for (const [key, arrivals] of this.buckets) {
      if (arrivals.length === 0 || arrivals[arrivals.length - 1]! <= windowStart) this.buckets.delete(key);
    }
  }

  reset(): void {
    this.buckets.clear();
  }
}
