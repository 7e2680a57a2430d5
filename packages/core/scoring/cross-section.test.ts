import { describe, expect, it } from "vitest";
import { syntheticSeries } from "../../../test/support/synthetic-series.ts";
import { finalizeUniverse, type UniverseEntry } from "./cross-section.ts";
import {
  medianBenchmarkReturns,
  periodReturns,
  ratingFromThresholds,
  returnsFromFields,
  rsRatings,
  rsRawScore,
} from "./relative-strength.ts";
import { computeTickerMetrics, type TickerMetrics } from "./ticker-metrics.ts";

function metricsOf(seed: number, bars: number, drift: number): TickerMetrics {
  const m = computeTickerMetrics(syntheticSeries(`T${seed}`, seed, bars, { drift }));
  if ("insufficient" in m) throw new Error(m.insufficient);
  return m;
}

describe("finalizeUniverse", () => {
  // 60 tickers with different drifts; a few with short histories (RS over fewer periods).
  const entries: UniverseEntry[] = Array.from({ length: 60 }, (_, i) => ({
    metrics: metricsOf(i + 1, i % 10 === 0 ? 100 : 300, (i % 7) * 0.0004 - 0.001),
  }));
  const benchmark = periodReturns(
    syntheticSeries("SPY", 999, 300, { drift: 0.0003, volatility: 0.01 }).adjClose,
  );

  it("rates every ticker against the benchmark, and the thresholds reproduce each rating", () => {
    const u = finalizeUniverse(entries, { benchmarkReturns: benchmark, market: null });
    expect(u.benchmark.source).toBe("benchmark");
    expect(Array.from(u.benchmark.returns)).toStrictEqual(Array.from(benchmark));
    const raw = entries.map((e) => rsRawScore(returnsFromFields(e.metrics), benchmark).raw);
    const { ratings } = rsRatings(raw);
    u.scores.forEach((s, i) => {
      expect(s.symbol).toBe(entries[i]!.metrics.symbol);
      expect(s.rsRaw).toBeCloseTo(raw[i]!, 12);
      expect(s.rsRating).toBe(ratings[i]);
      expect(ratingFromThresholds(s.rsRaw!, u.thresholds)).toBe(s.rsRating);
      expect(s.rsRating).toBeGreaterThanOrEqual(1);
    });
    // Short histories (100 bars: 63-day period only) carry RS confidence 0.4.
    expect(u.rsConfidence[0]).toBe(0.4);
    expect(u.rsConfidence[1]).toBe(1);
  });

  it("falls back to the universe's median returns without a usable benchmark", () => {
    const median = medianBenchmarkReturns(entries.map((e) => e.metrics));
    for (const benchmarkReturns of [null, undefined, Float64Array.of(Number.NaN, 0.1, 0.1, 0.1)]) {
      const u = finalizeUniverse(entries, { benchmarkReturns, market: null });
      expect(u.benchmark).toStrictEqual({ source: "universe-median", returns: median });
      expect(u.scores[5]!.rsRaw).toBeCloseTo(
        rsRawScore(returnsFromFields(entries[5]!.metrics), median).raw,
        12,
      );
    }
  });

  it("passes fundamentals and market through to each score", () => {
    const market = {
      state: "correction" as const,
      score: 0.2,
      reasons: [],
      defined: true,
      asOf: "2024-01-01",
    };
    const withEps = entries.map((e, i) => (i === 3 ? { ...e, fundamentals: { epsGrowthAnnualPct: 50 } } : e));
    const u = finalizeUniverse(withEps, { market });
    expect(u.scores[3]!.components.A).toBe(1);
    expect(u.scores[3]!.components.M).toBe(0.2);
    expect(u.scores[4]!.components.A).toBeNull();
  });
});
