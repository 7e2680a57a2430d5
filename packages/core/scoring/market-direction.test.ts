import { describe, expect, it } from "vitest";
import { weekdayDates } from "../../../test/support/synthetic-series.ts";
import { BreadthAccumulator, type BreadthSeries } from "./breadth-accumulator.ts";
import { marketDirection } from "./market-direction.ts";

describe("market direction", () => {
  /** A breadth series of 11 dates with the given % above SMA50 (first, last), A/D trend and oscillator. */
  function breadthOf(
    pct50: [number, number],
    adDelta: number,
    oscillator: number,
    pct200: number,
  ): BreadthSeries {
    const m = 11;
    const lerp = (x: number, y: number) =>
      Float64Array.from({ length: m }, (_, i) => x + ((y - x) * i) / (m - 1));
    const ints = (f: (i: number) => number) => Int32Array.from({ length: m }, (_, i) => f(i));
    return {
      dates: weekdayDates("2024-03-04", m),
      issues: ints(() => 100),
      advances: ints(() => 50),
      declines: ints(() => 50),
      unchanged: ints(() => 0),
      netAdvances: ints(() => 0),
      advanceDeclineLine: ints((i) => Math.round((adDelta * i) / (m - 1))),
      aboveSma50: ints(() => 0),
      sma50Defined: ints(() => 100),
      pctAboveSma50: lerp(pct50[0], pct50[1]),
      aboveSma200: ints(() => 0),
      sma200Defined: ints(() => 100),
      pctAboveSma200: lerp(pct200, pct200),
      newHighs: ints(() => 0),
      newLows: ints(() => 0),
      mcClellanOscillator: lerp(oscillator, oscillator),
      summationIndex: lerp(0, 0),
      ratioAdjustedOscillator: lerp(oscillator, oscillator),
      ratioAdjustedSummationIndex: lerp(0, 0),
    };
  }

  it("reads a broad, rising market as a confirmed uptrend", () => {
    const m = marketDirection(breadthOf([60, 72], 300, 40, 65));
    // 0.3·0.72 + 0.2·clamp(0.5 + 12/20) + 0.2·1 + 0.15·1 + 0.15·0.65 = 0.216 + 0.2 + 0.2 + 0.15 + 0.0975
    expect(m.score).toBeCloseTo(0.8635, 12);
    expect(m.state).toBe("confirmed-uptrend");
    expect(m.defined).toBe(true);
    expect(m.asOf).toBe("2024-03-18");
    expect(m.reasons).toStrictEqual([
      "72.0% of issues above their 50-day SMA",
      "% above the 50-day SMA up 12.0 points over 10 days",
      "ratio-adjusted McClellan oscillator +40.0",
      "advance/decline line rising (+300 over 10 days)",
      "65.0% above their 200-day SMA",
    ]);
  });

  it("reads a narrow, falling market as a correction, and a mixed one as under pressure", () => {
    const weak = marketDirection(breadthOf([45, 30], -400, -25, 35));
    // 0.3·0.30 + 0.2·0 + 0 + 0 + 0.15·0.35
    expect(weak.score).toBeCloseTo(0.1425, 12);
    expect(weak.state).toBe("correction");
    const mixed = marketDirection(breadthOf([50, 55], -50, -5, 50));
    // 0.3·0.55 + 0.2·0.75 + 0 + 0 + 0.15·0.5 = 0.39 → below 0.4
    expect(mixed.score).toBeCloseTo(0.39, 12);
    expect(mixed.state).toBe("correction");
    const pressured = marketDirection(breadthOf([48, 52], 20, -5, 50));
    // 0.3·0.52 + 0.2·0.7 + 0 + 0.15·1 + 0.15·0.5 = 0.521
    expect(pressured.score).toBeCloseTo(0.521, 12);
    expect(pressured.state).toBe("uptrend-under-pressure");
  });

  it("is undefined (neutral) without a % above SMA50 on the last date", () => {
    const none = breadthOf([50, 50], 0, 0, 50);
    none.pctAboveSma50[10] = Number.NaN;
    expect(marketDirection(none)).toStrictEqual({
      state: "uptrend-under-pressure",
      score: 0.5,
      reasons: ["not enough history on 2024-03-18: no issue has a 50-day SMA yet"],
      defined: false,
      asOf: "2024-03-18",
    });
    expect(marketDirection(new BreadthAccumulator().result()).defined).toBe(false);
  });
});
