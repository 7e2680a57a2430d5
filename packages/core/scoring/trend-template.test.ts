import { describe, expect, it } from "vitest";
import { weekdayDates } from "../../../test/support/synthetic-series.ts";
import type { Series } from "../series.ts";
import { computeTickerMetrics, type TickerMetrics } from "./ticker-metrics.ts";
import { evaluateTrendTemplate, type TrendInputs } from "./trend-template.ts";

/** A Series from closes alone: high/low ±1%, constant volume. */
function fromCloses(closes: readonly number[]): Series {
  const close = Float64Array.from(closes);
  return {
    symbol: "T",
    dates: weekdayDates("2022-01-03", closes.length),
    open: close.slice(),
    high: close.map((c) => c * 1.01),
    low: close.map((c) => c * 0.99),
    close,
    adjClose: close.slice(),
    volume: new Float64Array(closes.length).fill(1e6),
  };
}

function metricsOf(closes: readonly number[]): TickerMetrics {
  const m = computeTickerMetrics(fromCloses(closes));
  if ("insufficient" in m) throw new Error(m.insufficient);
  return m;
}

const ALL_MET = {
  priceAboveSma150And200: true,
  sma150AboveSma200: true,
  sma200Rising: true,
  sma50AboveSma150And200: true,
  priceAboveSma50: true,
  priceAtLeast30PctAbove52wLow: true,
  priceWithin25PctOf52wHigh: true,
};

describe("Minervini trend template on constructed series", () => {
  // 300 bars rising 0.3% a day: every moving average below price and stacked 50 > 150 > 200.
  const uptrend = Array.from({ length: 300 }, (_, i) => 50 * 1.003 ** i);

  it("a steady uptrend meets all seven price criteria; with RS 80 it passes", () => {
    const t = evaluateTrendTemplate(metricsOf(uptrend), 80);
    expect(t).toStrictEqual({ ...ALL_MET, rsRatingAtLeast70: true, count: 8, passed: true, complete: true });
  });

  it("without an RS rating it counts 7 and says it is incomplete; below 70 it does not pass", () => {
    const m = metricsOf(uptrend);
    expect(evaluateTrendTemplate(m, 0)).toStrictEqual({
      ...ALL_MET,
      rsRatingAtLeast70: false,
      count: 7,
      passed: false,
      complete: false,
    });
    expect(evaluateTrendTemplate(m, 69).count).toBe(7);
    expect(evaluateTrendTemplate(m, 70).passed).toBe(true);
  });

  it("a steady downtrend meets none", () => {
    const downtrend = Array.from({ length: 300 }, (_, i) => 200 * 0.997 ** i);
    const t = evaluateTrendTemplate(metricsOf(downtrend), 10);
    expect(t.count).toBe(0);
    expect(t.complete).toBe(true);
  });

  it("a pullback after an uptrend loses the short-term criteria first", () => {
    // Up 0.3%/day for 280 bars, then down 1%/day for 20: below SMA50, still above SMA200, SMA200 still rising.
    const closes = [...uptrend.slice(0, 280)];
    for (let i = 0; i < 20; i++) closes.push(closes[closes.length - 1]! * 0.99);
    const m = metricsOf(closes);
    const t = evaluateTrendTemplate(m, 90);
    expect(t.priceAboveSma50).toBe(false);
    expect(t.sma200Rising).toBe(true);
    expect(t.sma50AboveSma150And200).toBe(true);
    expect(t.priceWithin25PctOf52wHigh).toBe(true);
    expect(t.passed).toBe(false);
  });

  it("with too little history the SMA200 criteria are unmet and the result incomplete", () => {
    const m = metricsOf(uptrend.slice(0, 210));
    expect(m.sma200).not.toBeNull();
    expect(m.sma200Prior).toBeNull();
    const t = evaluateTrendTemplate(m, 80);
    expect(t.sma200Rising).toBe(false);
    expect(t.complete).toBe(false);
    expect(t.count).toBe(7);
    const shorter = evaluateTrendTemplate(metricsOf(uptrend.slice(0, 150)), 80);
    expect([
      shorter.priceAboveSma150And200,
      shorter.sma150AboveSma200,
      shorter.sma50AboveSma150And200,
    ]).toStrictEqual([false, false, false]);
  });

  it("applies the 30% and 25% thresholds inclusively", () => {
    const inputs: TrendInputs = {
      price: 130,
      sma50: 120,
      sma150: 110,
      sma200: 100,
      sma200Prior: 99,
      high52w: 130 / 0.75,
      low52w: 100,
    };
    const t = evaluateTrendTemplate(inputs, 70);
    expect(t.priceAtLeast30PctAbove52wLow).toBe(true);
    expect(t.priceWithin25PctOf52wHigh).toBe(true);
    expect(evaluateTrendTemplate({ ...inputs, low52w: 100.01 }, 70).priceAtLeast30PctAbove52wLow).toBe(false);
    expect(evaluateTrendTemplate({ ...inputs, high52w: 174 }, 70).priceWithin25PctOf52wHigh).toBe(false);
  });
});
