import { describe, expect, it } from "vitest";
import { mulberry32, randomWalk } from "../../../test/support/synthetic-series.ts";
import { type MacdResult, macd } from "../indicators.ts";
import { macdStage } from "./macd-stage.ts";

/** MACD lines from a histogram (MACD = 1 + h, signal = 1): only the histogram matters to the stage. */
function lines(hist: readonly number[]): MacdResult {
  const histogram = Float64Array.from(hist);
  return {
    macd: histogram.map((h) => (Number.isNaN(h) ? h : 1 + h)),
    signal: histogram.map((h) => (Number.isNaN(h) ? h : 1)),
    histogram,
  };
}

const NaN3 = [Number.NaN, Number.NaN, Number.NaN];

describe("MACD stage", () => {
  it.each([
    {
      hist: [...NaN3, -0.5, -0.2, 0.1, 0.3],
      stage: "bullish-crossover",
      crossover: "bullish",
      bars: 1,
      trend: "expanding",
    },
    {
      hist: [...NaN3, 0.5, 0.2, -0.1, -0.05],
      stage: "bearish-crossover",
      crossover: "bearish",
      bars: 1,
      trend: "fading",
    },
    {
      hist: [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8],
      stage: "bullish-expanding",
      crossover: "bullish",
      bars: 7,
      trend: "expanding",
    },
    {
      hist: [-1, 1, 2, 3, 4, 5, 6, 7, 8, 7],
      stage: "bullish-fading",
      crossover: "bullish",
      bars: 8,
      trend: "fading",
    },
    {
      hist: [1, -1, -2, -3, -4, -5, -6, -7, -8, -9],
      stage: "bearish-expanding",
      crossover: "bearish",
      bars: 8,
      trend: "expanding",
    },
    { hist: [...NaN3, -3, -2], stage: "bearish-fading", crossover: null, bars: null, trend: "fading" },
    { hist: [...NaN3, 2, 3], stage: "bullish-expanding", crossover: null, bars: null, trend: "expanding" },
  ])("$stage: histogram $hist", ({ hist, stage, crossover, bars, trend }) => {
    const s = macdStage(lines(hist));
    expect([s.stage, s.crossover, s.barsSinceCrossover, s.histogramTrend]).toStrictEqual([
      stage,
      crossover,
      bars,
      trend,
    ]);
    expect(s.histogram).toBe(hist[hist.length - 1]);
    expect(s.aboveZero).toBe(1 + hist[hist.length - 1]! > 0);
  });

  it("counts a crossover on the last bar as 0 bars ago, and honours crossoverBars", () => {
    expect(macdStage(lines([-1, -1, 1])).barsSinceCrossover).toBe(0);
    const sixAgo = lines([-1, 1, 2, 3, 4, 5, 6, 7]);
    expect(macdStage(sixAgo).stage).toBe("bullish-expanding");
    expect(macdStage(sixAgo, { crossoverBars: 6 }).stage).toBe("bullish-crossover");
  });

  it("is none before the histogram is defined", () => {
    expect(macdStage(macd([1, 2, 3, 4, 5], 2, 4, 3))).toStrictEqual({
      stage: "none",
      crossover: null,
      barsSinceCrossover: null,
      aboveZero: true,
      histogramTrend: null,
      macd: 1,
      signal: null,
      histogram: null,
    });
    expect(macdStage(macd([], 12, 26, 9)).stage).toBe("none");
  });

  it("finds the latest crossover of real MACD lines (checked by a brute-force scan)", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const m = macd(randomWalk(mulberry32(seed), 200), 12, 26, 9);
      const h = m.histogram;
      let expected: number | null = null;
      for (let j = h.length - 1; j > 33 && expected === null; j--) {
        if (Math.sign(h[j]!) !== Math.sign(h[j - 1]!) && h[j] !== 0) expected = h.length - 1 - j;
      }
      expect(macdStage(m).barsSinceCrossover).toBe(expected);
    }
  });
});
