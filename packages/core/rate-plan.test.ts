import { describe, expect, it } from "vitest";
import { parseProviderLimit, planTokenBucket } from "./rate-plan.ts";

/**
 * Replays the library's token-bucket arithmetic (refills of r every I ms,
 * capped at B) against the most aggressive client possible: one that takes
 * every token the moment it exists, starting from a full bucket. Returns the
 * most grants seen in any window of `w` ms.
 */
function worstObservedWindow(plan: ReturnType<typeof planTokenBucket>, w: number, horizonMs: number): number {
  const grants: number[] = [];
  let tokens = plan.maxTokens;
  let refilledAt = 0;
  for (let now = 0; now <= horizonMs; now++) {
    if (now >= refilledAt + plan.intervalMs) {
      const refills = Math.floor((now - refilledAt) / plan.intervalMs);
      tokens = Math.min(plan.maxTokens, tokens + refills * plan.refillRate);
      refilledAt += refills * plan.intervalMs;
    }
    while (tokens >= 1) {
      tokens--;
      grants.push(now);
    }
  }
  let worst = 0;
  let lo = 0;
  for (let hi = 0; hi < grants.length; hi++) {
    while (grants[hi]! - grants[lo]! >= w) lo++;
    worst = Math.max(worst, hi - lo + 1);
  }
  return worst;
}

describe("token bucket plan", () => {
  it.each([
    [100, 1000],
    [50, 1000],
    [300, 60_000],
    [60, 60_000],
    [5, 60_000],
    [3000, 60_000],
    [25, 86_400_000],
  ])("%i per %i ms: no provider window can see more than the limit, jitter included", (limit, windowMs) => {
    const plan = planTokenBucket({ limit, windowMs });
    expect(plan.worstWindow).toBeLessThanOrEqual(limit);
    expect(plan.refillRate).toBeLessThanOrEqual(plan.maxTokens);
    expect(plan.ratePerSecond).toBeLessThanOrEqual((limit / windowMs) * 1000);
    if (windowMs <= 60_000) {
      // Grants within any window widened by the jitter are what can arrive within one provider window.
      expect(
        worstObservedWindow(plan, windowMs + plan.jitterMs, Math.min(20 * windowMs, 300_000)),
      ).toBeLessThanOrEqual(limit);
    }
  });

  it("runs within a few percent of a per-second limit and closer for a per-minute one", () => {
    expect(planTokenBucket({ limit: 100, windowMs: 1000 }).ratePerSecond).toBeGreaterThan(90);
    expect(planTokenBucket({ limit: 300, windowMs: 60_000 }).ratePerSecond).toBeGreaterThan(4.85);
  });

  it("parses limits and names a bad one", () => {
    expect(parseProviderLimit("100/1s")).toStrictEqual({ limit: 100, windowMs: 1000 });
    expect(parseProviderLimit("300/min")).toStrictEqual({ limit: 300, windowMs: 60_000 });
    expect(parseProviderLimit("25/d")).toStrictEqual({ limit: 25, windowMs: 86_400_000 });
    expect(() => parseProviderLimit("fast")).toThrow(/"fast"/);
  });

  it("rejects a limit too small to hold with a bucket", () => {
    expect(() => planTokenBucket({ limit: 1, windowMs: 1000 })).toThrow(/too small/);
  });
});
