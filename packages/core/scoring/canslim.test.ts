import { describe, expect, it } from "vitest";
import {
  type CanslimInputs,
  canslimScore,
  growthComponent,
  nearHighComponent,
  supplyDemandComponent,
} from "./canslim.ts";
import type { MarketDirection } from "./market-direction.ts";

const market = (score: number, defined = true): MarketDirection => ({
  state: "confirmed-uptrend",
  score,
  reasons: [],
  defined,
  asOf: "2024-06-03",
});

const base: CanslimInputs = {
  price: 85,
  high52w: 100,
  upDownVolumeRatio50: 1.0,
  relativeVolume: 1.4,
  changePct: 1.2,
  rsRating: 99,
  market: market(0.8),
};

describe("CANSLIM components", () => {
  it("map their inputs as documented", () => {
    expect([
      growthComponent(-10),
      growthComponent(25),
      growthComponent(50),
      growthComponent(80),
    ]).toStrictEqual([0, 0.5, 1, 1]);
    expect(growthComponent(undefined)).toBeNull();
    expect(growthComponent(Number.NaN)).toBeNull();
    expect(nearHighComponent(85, 100)).toBeCloseTo(0.5, 12);
    expect(nearHighComponent(96, 100)).toBe(1);
    expect(nearHighComponent(70, 100)).toBe(0);
    expect(nearHighComponent(85, null)).toBeNull();
    // U/D 1.0 → 0.5; +40% volume on an up day → 1: 0.7·0.5 + 0.3·1.
    expect(supplyDemandComponent(1.0, 1.4, 1.2)).toBeCloseTo(0.65, 12);
    // The same volume on a down day is distribution → 0: 0.7·0.5.
    expect(supplyDemandComponent(1.0, 1.4, -1.2)).toBeCloseTo(0.35, 12);
    // A light-volume pullback is fine; accumulation U/D 1.5 → 1.
    expect(supplyDemandComponent(1.5, 0.6, -0.5)).toBeCloseTo(1, 12);
    expect(supplyDemandComponent(1.0, 1.4, 0)).toBeCloseTo(0.35 + 0.15, 12);
    expect(supplyDemandComponent(null, 1.4, 1)).toBeNull();
  });
});

describe("CANSLIM score", () => {
  it("weights every component when all inputs are present", () => {
    const s = canslimScore({ ...base, fundamentals: { epsGrowthQuarterlyPct: 25, epsGrowthAnnualPct: 50 } });
    expect(s.components).toStrictEqual({ C: 0.5, A: 1, N: s.components.N, S: s.components.S, L: 1, M: 0.8 });
    expect(s.components.N).toBeCloseTo(0.5, 12);
    expect(s.components.S).toBeCloseTo(0.65, 12);
    // 100 · (0.2·0.5 + 0.15·1 + 0.15·0.5 + 0.15·0.65 + 0.2·1 + 0.15·0.8)
    expect(s.score).toBeCloseTo(100 * (0.1 + 0.15 + 0.075 + 0.0975 + 0.2 + 0.12), 10);
    expect(s.confidence).toBe(1);
  });

  it("renormalises over present components: missing fundamentals lower confidence, not the score", () => {
    const perfect: CanslimInputs = {
      price: 100,
      high52w: 100,
      upDownVolumeRatio50: 2,
      relativeVolume: 2,
      changePct: 3,
      rsRating: 99,
      market: market(1),
    };
    const s = canslimScore(perfect);
    expect(s.score).toBeCloseTo(100, 10);
    expect(s.confidence).toBe(0.65);
    expect(s.components.C).toBeNull();
    expect(s.components.A).toBeNull();
  });

  it("leaves out an undefined market and an unrated ticker", () => {
    const s = canslimScore({ ...base, rsRating: 0, market: market(0.2, false) });
    expect(s.components.L).toBeNull();
    expect(s.components.M).toBeNull();
    expect(s.confidence).toBe(0.3);
    expect(s.score).toBeCloseTo((100 * (0.15 * 0.5 + 0.15 * 0.65)) / 0.3, 10);
    const nothing = canslimScore({
      ...base,
      high52w: null,
      upDownVolumeRatio50: null,
      rsRating: 0,
      market: null,
    });
    expect(nothing).toStrictEqual({
      score: null,
      confidence: 0,
      components: { C: null, A: null, N: null, S: null, L: null, M: null },
    });
  });
});
