import { describe, expect, it } from "vitest";
import { syntheticSeries } from "../../../test/support/synthetic-series.ts";
import { atr, ema, macd, rsi, sma } from "../indicators.ts";
import type { Series } from "../series.ts";
import { breadthContribution } from "./breadth-contribution.ts";
import { canslimScore } from "./canslim.ts";
import { periodReturns } from "./relative-strength.ts";
import { computeTickerMetrics, finalizeTicker, type TickerMetrics } from "./ticker-metrics.ts";
import { evaluateTrendTemplate } from "./trend-template.ts";

function metricsOf(series: Series): TickerMetrics {
  const m = computeTickerMetrics(series);
  if ("insufficient" in m) throw new Error(m.insufficient);
  return m;
}

const last = (a: Float64Array) => a[a.length - 1]!;

describe("computeTickerMetrics", () => {
  const series = syntheticSeries("ACME", 42, 500, { volatility: 0.02, drift: 0.0005 });
  const m = metricsOf(series);
  const n = 500;
  const adj = series.adjClose;

  it("computes each field as its definition says", () => {
    expect(m.symbol).toBe("ACME");
    expect(m.lastDate).toBe(series.dates[n - 1]);
    expect(m.bars).toBe(n);
    expect(m.price).toBe(adj[n - 1]);
    expect(m.changePct).toBeCloseTo((adj[n - 1]! / adj[n - 2]! - 1) * 100, 10);
    const r = periodReturns(adj);
    expect([m.return63, m.return126, m.return189, m.return252]).toStrictEqual(Array.from(r));
    expect(m.sma50).toBeCloseTo(last(sma(adj, 50)), 9);
    expect(m.sma150).toBeCloseTo(last(sma(adj, 150)), 9);
    expect(m.sma200).toBeCloseTo(last(sma(adj, 200)), 9);
    expect(m.sma200Prior).toBeCloseTo(sma(adj, 200)[n - 22]!, 9);
    expect(m.ema21).toBe(last(ema(adj, 21)));
    expect(m.rsi14).toBe(last(rsi(adj, 14)));
    // adjClose = close here, so adjusted highs and lows are the raw ones.
    expect(m.atr14).toBe(last(atr(series.high, series.low, adj, 14)));
    expect(m.atrPct).toBeCloseTo((m.atr14! / m.price) * 100, 12);
    const lines = macd(adj, 12, 26, 9);
    expect([m.macd, m.macdSignal, m.macdHistogram]).toStrictEqual([
      last(lines.macd),
      last(lines.signal),
      last(lines.histogram),
    ]);
    expect(m.high52w).toBe(Math.max(...series.high.subarray(n - 252)));
    expect(m.low52w).toBe(Math.min(...series.low.subarray(n - 252)));
    const prior50 = Array.from(series.volume.subarray(n - 51, n - 1));
    const avg = prior50.reduce((s, v) => s + v, 0) / 50;
    expect(m.avgVolume50).toBeCloseTo(avg, 6);
    expect(m.relativeVolume).toBeCloseTo(series.volume[n - 1]! / avg, 12);
    let up = 0;
    let down = 0;
    for (let i = n - 50; i < n; i++) {
      if (adj[i]! > adj[i - 1]!) up += series.volume[i]!;
      if (adj[i]! < adj[i - 1]!) down += series.volume[i]!;
    }
    expect(m.upDownVolumeRatio50).toBeCloseTo(up / down, 12);
    expect(Array.from(m.breadth)).toStrictEqual(Array.from(breadthContribution(series)));
  });

  it("is a flat object of at most ~40 JSON-safe fields (no NaN), plus the breadth bytes", () => {
    const entries = Object.entries(m).filter(([k]) => k !== "breadth");
    expect(entries.length).toBeLessThanOrEqual(40);
    for (const [key, value] of entries) {
      const ok =
        value === null ||
        typeof value === "string" ||
        typeof value === "boolean" ||
        (typeof value === "number" && Number.isFinite(value));
      expect(ok, `${key} = ${String(value)}`).toBe(true);
    }
    expect(m.breadth).toBeInstanceOf(Uint8Array);
  });

  it("nulls what a short history cannot define", () => {
    const short = metricsOf(syntheticSeries("NEW", 1, 100));
    expect([short.sma150, short.sma200, short.sma200Prior, short.return126, short.return252]).toStrictEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(short.return63).not.toBeNull();
    expect(short.sma50).not.toBeNull();
    expect(short.high52w).toBe(Math.max(...syntheticSeries("NEW", 1, 100).high));
  });

  it("reports too short a history as insufficient, with its breadth contribution", () => {
    const tiny = syntheticSeries("IPO", 2, 40);
    const result = computeTickerMetrics(tiny);
    expect(result).toStrictEqual({
      insufficient: "40 bars; scoring needs at least 64",
      breadth: breadthContribution(tiny),
    });
    expect("insufficient" in computeTickerMetrics(tiny, { minBars: 30 })).toBe(false);
  });

  it("gives the same metrics for a split stock as for its adjusted history", () => {
    const k = 450;
    const split: Series = {
      ...series,
      open: series.open.map((x, i) => (i < k ? x * 3 : x)),
      high: series.high.map((x, i) => (i < k ? x * 3 : x)),
      low: series.low.map((x, i) => (i < k ? x * 3 : x)),
      close: series.close.map((x, i) => (i < k ? x * 3 : x)),
    };
    const s = metricsOf(split);
    for (const [key, value] of Object.entries(m)) {
      const other = (s as unknown as Record<string, unknown>)[key];
      if (typeof value === "number") expect(other, key).toBeCloseTo(value, 9);
      else expect(other, key).toStrictEqual(value);
    }
  });

  it("does not leak state between calls through its scratch buffers", () => {
    const other = syntheticSeries("OTHER", 7, 800);
    metricsOf(other);
    expect(metricsOf(series)).toStrictEqual(m);
  });

  it("takes well under a millisecond for a 500-bar series", () => {
    const many = Array.from({ length: 20 }, (_, i) => syntheticSeries(`S${i}`, i, 500));
    for (const s of many) computeTickerMetrics(s); // warm-up
    const rounds = 50;
    const start = performance.now();
    for (let r = 0; r < rounds; r++) for (const s of many) computeTickerMetrics(s);
    const perSeriesMs = (performance.now() - start) / (rounds * many.length);
    // ~50 µs on an idle 2-core machine; the bound leaves room for a loaded one.
    expect(perSeriesMs).toBeLessThan(0.5);
  });
});

describe("finalizeTicker", () => {
  const m = metricsOf(syntheticSeries("ACME", 42, 500, { drift: 0.001 }));
  const market = {
    state: "confirmed-uptrend" as const,
    score: 0.7,
    reasons: [],
    defined: true,
    asOf: m.lastDate,
  };

  it("combines the stored metrics with the RS rating, market and fundamentals", () => {
    const fundamentals = { epsGrowthQuarterlyPct: 40 };
    const result = finalizeTicker(m, { rsRating: 85, rsRaw: 1.31, market, fundamentals });
    const expected = canslimScore({
      price: m.price,
      high52w: m.high52w,
      upDownVolumeRatio50: m.upDownVolumeRatio50,
      relativeVolume: m.relativeVolume,
      changePct: m.changePct,
      rsRating: 85,
      market,
      fundamentals,
    });
    expect(result).toStrictEqual({
      symbol: "ACME",
      score: expected.score,
      confidence: 0.85,
      components: expected.components,
      rsRating: 85,
      rsRaw: 1.31,
      trend: evaluateTrendTemplate(m, 85),
      macdStage: m.macdStage,
    });
  });

  it("keeps a missing RS raw as null", () => {
    expect(finalizeTicker(m, { rsRating: 0, rsRaw: Number.NaN, market: null }).rsRaw).toBeNull();
    expect(finalizeTicker(m, { rsRating: 0, market: null }).rsRaw).toBeNull();
  });
});
