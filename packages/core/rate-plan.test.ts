import { describe, expect, it } from "vitest";
import { DEFAULT_JITTER_MS, parseProviderLimit, parseProviderLimits, planLimit } from "./rate-plan.ts";

describe("sliding-log plan", () => {
  it("widens the provider's window by the jitter and one whole-ms tick", () => {
    const plan = planLimit({ limit: 100, windowMs: 1000 }, { jitterMs: 25 });
    expect(plan.windows[0]).toStrictEqual({ limit: 100, spanMs: 1026 });
    expect(plan.jitterMs).toBe(25);
    expect(plan.ratePerSecond).toBeCloseTo((100 / 1026) * 1000, 9);
    expect(planLimit({ limit: 300, windowMs: 60_000 }).windows[0]!.spanMs).toBe(
      60_000 + DEFAULT_JITTER_MS + 1,
    );
  });

  it("paces windows up to a minute in tenths at the provider's own rate, and leaves a daily allowance whole", () => {
    expect(planLimit({ limit: 100, windowMs: 1000 }).windows[1]).toStrictEqual({ limit: 10, spanMs: 100 });
    expect(planLimit({ limit: 300, windowMs: 60_000 }).windows[1]).toStrictEqual({ limit: 30, spanMs: 6000 });
    expect(planLimit({ limit: 5, windowMs: 60_000 }).windows[1]).toStrictEqual({ limit: 1, spanMs: 12_000 });
    expect(planLimit({ limit: 25, windowMs: 86_400_000 }).windows).toHaveLength(1);
    expect(planLimit({ limit: 1, windowMs: 1000 }).windows).toHaveLength(1);
    for (const [limit, windowMs] of [
      [100, 1000],
      [7, 1000],
      [3000, 60_000],
      [5, 60_000],
    ] as const) {
      const [outer, pace] = planLimit({ limit, windowMs }).windows;
      // The pacing window never binds over the long run: its rate is at least the provider's.
      expect(pace!.limit / pace!.spanMs).toBeGreaterThanOrEqual(limit / windowMs);
      expect(outer!.limit / outer!.spanMs).toBeLessThan(limit / windowMs);
    }
  });

  it("never plans faster than the provider allows, and within the jitter's share of it", () => {
    for (const [limit, windowMs] of [
      [100, 1000],
      [5, 60_000],
      [3000, 60_000],
      [25, 86_400_000],
    ] as const) {
      const plan = planLimit({ limit, windowMs }, { jitterMs: 100 });
      const allowed = (limit / windowMs) * 1000;
      expect(plan.ratePerSecond).toBeLessThan(allowed);
      expect(plan.ratePerSecond).toBeGreaterThanOrEqual(allowed * (windowMs / (windowMs + 101)) - 1e-9);
    }
  });

  it("takes at most what any window holds in one call", () => {
    expect(planLimit({ limit: 5, windowMs: 60_000 }).maxTake).toBe(1);
    expect(planLimit({ limit: 25, windowMs: 86_400_000 }).maxTake).toBe(25);
    expect(planLimit({ limit: 100, windowMs: 1000 }, { maxTake: 40 }).maxTake).toBe(10);
    expect(planLimit({ limit: 3000, windowMs: 60_000 }, { maxTake: 40 }).maxTake).toBe(40);
    expect(planLimit({ limit: 100, windowMs: 1000 }, { maxTake: 0 }).maxTake).toBe(1);
  });

  it("rejects a limit, window or jitter that cannot be planned, naming it", () => {
    expect(() => planLimit({ limit: 0, windowMs: 1000 })).toThrow(/positive integer, got 0/);
    expect(() => planLimit({ limit: 2.5, windowMs: 1000 })).toThrow(/got 2.5/);
    expect(() => planLimit({ limit: 10, windowMs: 0 })).toThrow(/at least 1 ms, got 0/);
    expect(() => planLimit({ limit: 10, windowMs: 1000 }, { jitterMs: -1 })).toThrow(/jitter.*got -1/);
  });

  it("holds several limits at once: each a window widened by the jitter, the shortest paced, the strictest setting the rate", () => {
    const plan = planLimit(
      [
        { limit: 25, windowMs: 86_400_000 },
        { limit: 5, windowMs: 60_000 },
      ],
      { jitterMs: 100 },
    );
    expect(plan.windows).toStrictEqual([
      { limit: 5, spanMs: 60_101 },
      { limit: 25, spanMs: 86_400_101 },
      { limit: 1, spanMs: 12_000 },
    ]);
    expect(plan.firstWindowMs).toBe(60_000);
    expect(plan.maxTake).toBe(1);
    expect(plan.ratePerSecond).toBeCloseTo((25 / 86_400_101) * 1000, 12);
    expect(() => planLimit([])).toThrow(/at least one window/);
  });

  it("parses one limit or several, naming a bad part", () => {
    expect(parseProviderLimits("5/min, 25/d")).toStrictEqual([
      { limit: 5, windowMs: 60_000 },
      { limit: 25, windowMs: 86_400_000 },
    ]);
    expect(parseProviderLimits("100/1s")).toStrictEqual([{ limit: 100, windowMs: 1000 }]);
    expect(() => parseProviderLimits("5/min,")).toThrow(/empty part/);
    expect(() => parseProviderLimits("5/min,lots")).toThrow(/"lots"/);
    expect(() => parseProviderLimits("5/min,0/d")).toThrow(/"0\/d" allows no request/);
    expect(() => parseProviderLimits("5/0s")).toThrow(/"5\/0s" has a window under 1 ms/);
    expect(() => parseProviderLimits("5/0.5ms")).toThrow(/window under 1 ms/);
  });

  it("parses limits and names a bad one", () => {
    expect(parseProviderLimit("100/1s")).toStrictEqual({ limit: 100, windowMs: 1000 });
    expect(parseProviderLimit("300/min")).toStrictEqual({ limit: 300, windowMs: 60_000 });
    expect(parseProviderLimit("25/d")).toStrictEqual({ limit: 25, windowMs: 86_400_000 });
    expect(() => parseProviderLimit("fast")).toThrow(/"fast"/);
  });
});
