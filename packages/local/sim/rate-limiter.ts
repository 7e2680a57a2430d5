import { partitionPoint } from "../../core/partition-point.ts";
import type { RateLimit } from "./config.ts";

/**
 * The provider side of a rate limit: a sliding log of accepted request
 * arrival times per bucket (an API key, or one bucket for Yahoo). A request
 * is accepted when, for every window of the limit, fewer than its `limit`
 * requests were accepted in the `windowMs` before it, so no window of that
 * length ever holds more than `limit` accepted arrivals — exactly what
 * `maxRequestsInAnyWindow` checks.
 */
export type RateDecision =
  | { accepted: true }
  /** `rule`: the window that refused (the one whose slot frees last, when several are full). */
  | { accepted: false; retryAfterMs: number; rule: RateLimit };

/** Past this many buckets (API keys), buckets with no arrival inside the longest window are dropped. */
const SWEEP_AT = 10_000;

export class SlidingWindowLimiter {
  /** Accepted arrivals per bucket, oldest first, within the longest window. */
  private readonly buckets = new Map<string, number[]>();

  /** Decides for a request arriving at `nowMs`; an accepted request is counted. */
  admit(bucket: string, nowMs: number, rules: readonly RateLimit[]): RateDecision {
    const longest = Math.max(...rules.map((r) => r.windowMs));
    let arrivals = this.buckets.get(bucket);
    if (!arrivals) {
      if (this.buckets.size >= SWEEP_AT) this.sweep(nowMs - longest);
      arrivals = [];
      this.buckets.set(bucket, arrivals);
    }
    const expired = firstAfter(arrivals, nowMs - longest);
    if (expired > 0) arrivals.splice(0, expired);
    let refusal: RateDecision | undefined;
    for (const rule of rules) {
      const inWindow = arrivals.length - firstAfter(arrivals, nowMs - rule.windowMs);
      if (inWindow < rule.limit) continue;
      // The slot frees when the oldest arrival that keeps the window full leaves it.
      const blocking = arrivals[arrivals.length - rule.limit]!;
      const retryAfterMs = Math.max(0, blocking + rule.windowMs - nowMs);
      if (!refusal || (!refusal.accepted && retryAfterMs > refusal.retryAfterMs))
        refusal = { accepted: false, retryAfterMs, rule };
    }
    if (refusal) return refusal;
    arrivals.push(nowMs);
    return { accepted: true };
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

/** Index of the first arrival after `time` (arrivals ascending). */
function firstAfter(arrivals: readonly number[], time: number): number {
  return partitionPoint(arrivals.length, (i) => arrivals[i]! <= time);
}
