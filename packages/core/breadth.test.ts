import { describe, expect, it } from "vitest";
import { mulberry32, syntheticSeries, weekdayDates } from "../../test/support/synthetic-series.ts";
import {
  BREADTH_HEADER_BYTES,
  BreadthAccumulator,
  type BreadthSeries,
  breadthContribution,
  contributionStart,
  decodeBreadthDay,
  epochDay,
  isoFromWeekdayIndex,
  marketDirection,
  weekdayIndex,
} from "./breadth.ts";
import { ValidationError } from "./errors.ts";
import type { Series } from "./series.ts";

/** [close, high, low] per bar; open = close, volume 1000, adjClose = close. */
type Bar = readonly [number, number, number];

function seriesOf(symbol: string, dates: readonly string[], bars: readonly Bar[]): Series {
  expect(bars.length).toBe(dates.length);
  const col = (k: 0 | 1 | 2) => Float64Array.from(bars, (b) => b[k]);
  return {
    symbol,
    dates,
    open: col(0),
    high: col(1),
    low: col(2),
    close: col(0),
    adjClose: col(0),
    volume: new Float64Array(bars.length).fill(1000),
  };
}

const flat = (count: number, close: number): Bar[] =>
  Array.from({ length: count }, () => [close, close + 1, close - 1]);

describe("weekday numbers", () => {
  it("count Mondays to Fridays from Monday 1970-01-05", () => {
    expect(weekdayIndex("1970-01-05")).toBe(0);
    expect(weekdayIndex("1970-01-09")).toBe(4);
    expect(weekdayIndex("1970-01-10")).toBe(-1);
    expect(weekdayIndex("1970-01-11")).toBe(-1);
    expect(weekdayIndex("1970-01-12")).toBe(5);
    expect(isoFromWeekdayIndex(5)).toBe("1970-01-12");
  });

  it("agree with Date for random dates and round-trip", () => {
    const random = mulberry32(5);
    for (let k = 0; k < 2000; k++) {
      const t = Date.UTC(1971, 0, 1) + Math.floor(random() * 80 * 365.25) * 86_400_000;
      const iso = new Date(t).toISOString().slice(0, 10);
      expect(epochDay(iso)).toBe(t / 86_400_000);
      const day = new Date(t).getUTCDay();
      const index = weekdayIndex(iso);
      if (day === 0 || day === 6) expect(index).toBe(-1);
      else expect(isoFromWeekdayIndex(index)).toBe(iso);
    }
  });

  it("reject malformed dates", () => {
    for (const bad of ["2024-1-05", "2024/01/05", "20240105xx", "2024-13-01", "abcd-01-01", "1970-01-02"]) {
      expect(() => weekdayIndex(bad)).toThrow(ValidationError);
    }
  });
});

describe("breadth on a tiny constructed universe", () => {
  // Calendar: 255 prefix weekdays, then W1 W2 W3, a holiday H (nobody trades), W4 W5.
  const calendar = weekdayDates("2023-01-02", 261);
  const [W1, W2, W3, H, W4, W5] = calendar.slice(255) as [string, string, string, string, string, string];
  const traded = calendar.filter((d) => d !== H);
  const prefix = traded.slice(0, 255);

  // A: flat at 100 (high 101, low 99) for 255 bars, then a breakout.
  const a = seriesOf("A", traded, [
    ...flat(255, 100),
    [100, 100.5, 99.5], // W1 unchanged; = SMA → at-or-below; inside the year's range
    [103, 104, 100], // W2 advance; above SMAs; new high (104 ≥ 101)
    [102, 103, 101.5], // W3 decline; above; below the new 104 high
    [102, 102.5, 101.8], // W4 unchanged; above
    [104.5, 105, 102], // W5 advance; above; new high (105 ≥ 104)
  ]);
  // B: flat at 100, then a slide to new lows.
  const b = seriesOf("B", traded, [
    ...flat(255, 100),
    [99, 100, 98.5], // W1 decline; below; new low (98.5 ≤ 99)
    [98, 99, 97], // W2 decline; below; new low
    [98.5, 99, 98], // W3 advance; below
    [97, 98.6, 96], // W4 decline; below; new low
    [97, 97.5, 96.5], // W5 unchanged; below
  ]);
  // C: lists on W3 (its first bar counts for nothing), no SMAs, no year of history.
  const c = seriesOf(
    "C",
    [W3, W4, W5],
    [
      [20, 21, 19],
      [21, 22, 20], // W4 advance
      [21, 21.5, 20.5], // W5 unchanged
    ],
  );
  // D: flat at 50, halted on W3.
  const d = seriesOf(
    "D",
    [...prefix, W1, W2, W4, W5],
    [
      ...flat(255, 50),
      [51, 52, 50], // W1 advance; above; new high (52 ≥ 51)
      [50, 51.5, 49.5], // W2 decline; SMA50 50.02, SMA200 50.005 → below
      [52, 52.5, 51], // W4 advance (vs W2); above; new high (52.5 ≥ 52)
      [49, 52, 48.5], // W5 decline; below; new low (48.5 ≤ 49)
    ],
  );

  it("encodes each ticker's weekdays, with zero bytes for the holiday, the halt and the first bar", () => {
    const cc = breadthContribution(c, 5);
    expect(contributionStart(cc)).toStrictEqual({ weekday: weekdayIndex(W3), date: W3 });
    expect(cc.length).toBe(BREADTH_HEADER_BYTES + 4); // W3, H, W4, W5
    expect(Array.from(cc.subarray(BREADTH_HEADER_BYTES), (x) => decodeBreadthDay(x).move)).toStrictEqual([
      "none",
      "none",
      "advance",
      "unchanged",
    ]);
    const dd = breadthContribution(d, 5);
    // D's last 5 bars reach back to the last prefix day (W1's predecessor).
    expect(contributionStart(dd).date).toBe(prefix[254]);
    const days = Array.from(dd.subarray(BREADTH_HEADER_BYTES), decodeBreadthDay);
    expect(days.map((x) => x.move)).toStrictEqual([
      "unchanged",
      "advance",
      "decline",
      "none",
      "none",
      "advance",
      "decline",
    ]);
    expect(days[1]).toStrictEqual({
      move: "advance",
      sma50: "above",
      sma200: "above",
      newHigh: true,
      newLow: false,
    });
    expect(days[6]).toStrictEqual({
      move: "decline",
      sma50: "at-or-below",
      sma200: "at-or-below",
      newHigh: false,
      newLow: true,
    });
  });

  it("adds up to the hand-computed counts, with the holiday absent and the window trimmed", () => {
    const acc = new BreadthAccumulator({ window: 5 });
    for (const s of [a, b, c, d]) acc.add(breadthContribution(s, 5));
    const r = acc.result();
    expect(r.dates).toStrictEqual([W1, W2, W3, W4, W5]);
    expect(Array.from(r.issues)).toStrictEqual([3, 3, 2, 4, 4]);
    expect(Array.from(r.advances)).toStrictEqual([1, 1, 1, 2, 1]);
    expect(Array.from(r.declines)).toStrictEqual([1, 2, 1, 1, 1]);
    expect(Array.from(r.unchanged)).toStrictEqual([1, 0, 0, 1, 2]);
    expect(Array.from(r.netAdvances)).toStrictEqual([0, -1, 0, 1, 0]);
    expect(Array.from(r.advanceDeclineLine)).toStrictEqual([0, -1, -1, 0, 0]);
    expect(Array.from(r.aboveSma50)).toStrictEqual([1, 1, 1, 2, 1]);
    expect(Array.from(r.sma50Defined)).toStrictEqual([3, 3, 2, 3, 3]);
    expect(Array.from(r.pctAboveSma50)).toStrictEqual([100 / 3, 100 / 3, 50, 200 / 3, 100 / 3]);
    expect(Array.from(r.aboveSma200)).toStrictEqual([1, 1, 1, 2, 1]);
    expect(Array.from(r.sma200Defined)).toStrictEqual([3, 3, 2, 3, 3]);
    expect(Array.from(r.newHighs)).toStrictEqual([1, 1, 0, 1, 1]);
    expect(Array.from(r.newLows)).toStrictEqual([1, 1, 0, 1, 1]);
    // Five dates are too few for the 19/39-day EMAs.
    expect(Array.from(r.mcClellanOscillator).every(Number.isNaN)).toBe(true);
  });

  it("gives the same result whatever order the contributions arrive in", () => {
    const contributions = [a, b, c, d].map((s) => breadthContribution(s, 5));
    const forward = new BreadthAccumulator({ window: 5 });
    const backward = new BreadthAccumulator({ window: 5 });
    for (const x of contributions) forward.add(x);
    for (const x of [...contributions].reverse()) backward.add(x);
    expect(backward.result()).toStrictEqual(forward.result());
    expect(forward.contributions).toBe(4);
  });
});

describe("adjusted prices", () => {
  it("a 2:1 split (raw close halves, adjClose continuous) is no decline and no new low", () => {
    const base = syntheticSeries("S", 11, 460, { volatility: 0.01 });
    // Split on an up day (adjusted), so that "no decline" is the real claim.
    let k = 400;
    while (base.adjClose[k]! <= base.adjClose[k - 1]!) k++;
    const split: Series = {
      ...base,
      open: base.open.map((x, i) => (i < k ? x * 2 : x)),
      high: base.high.map((x, i) => (i < k ? x * 2 : x)),
      low: base.low.map((x, i) => (i < k ? x * 2 : x)),
      close: base.close.map((x, i) => (i < k ? x * 2 : x)),
      adjClose: base.adjClose.slice(),
    };
    // The raw close really does drop by about half on the split day...
    expect(split.close[k]! / split.close[k - 1]!).toBeLessThan(0.6);
    const plain = breadthContribution(base);
    const adjusted = breadthContribution(split);
    // ...yet every day reads as it does without the split.
    expect(Array.from(adjusted)).toStrictEqual(Array.from(plain));
    const slot = weekdayIndex(base.dates[k]!) - contributionStart(adjusted).weekday;
    const onSplitDay = decodeBreadthDay(adjusted[BREADTH_HEADER_BYTES + slot]!);
    const adj = base.adjClose;
    const expectedMove = adj[k]! > adj[k - 1]! ? "advance" : adj[k]! < adj[k - 1]! ? "decline" : "unchanged";
    expect(onSplitDay.move).toBe(expectedMove);
    expect(expectedMove).not.toBe("decline");
    expect(onSplitDay.newLow).toBe(false);
  });
});

describe("contributions", () => {
  it("stay small: 200 trading days in ≲ 260 bytes", () => {
    const s = syntheticSeries("X", 3, 500);
    const contribution = breadthContribution(s);
    expect(contribution.length).toBe(BREADTH_HEADER_BYTES + 200);
    expect(contribution.length).toBeLessThanOrEqual(260);
    const shortOne = breadthContribution(syntheticSeries("Y", 4, 30));
    expect(shortOne.length).toBe(BREADTH_HEADER_BYTES + 30);
    expect(breadthContribution({ ...s, dates: [], adjClose: new Float64Array(0) }).length).toBe(
      BREADTH_HEADER_BYTES,
    );
  });

  it("reject unordered dates, bad windows and malformed bytes", () => {
    const s = syntheticSeries("X", 3, 5);
    const swapped = { ...s, dates: [s.dates[0]!, s.dates[2]!, s.dates[1]!, s.dates[3]!, s.dates[4]!] };
    expect(() => breadthContribution(swapped)).toThrow(/strictly ascending/);
    expect(() => breadthContribution(s, 0)).toThrow(RangeError);
    const acc = new BreadthAccumulator();
    expect(() => acc.add(new Uint8Array(3))).toThrow(ValidationError);
    expect(() => acc.add(Uint8Array.of(2, 0, 0, 0, 0))).toThrow(/format version 2/);
    expect(() => acc.add(Uint8Array.of(1, 0, 0, 0, 0, 0b1100))).toThrow(/invalid SMA state/);
    expect(acc.contributions).toBe(0);
  });

  it("accumulate across far-apart start dates (the counts re-base and grow)", () => {
    const early = syntheticSeries("E", 1, 260, { firstDate: "2015-01-05" });
    const late = syntheticSeries("L", 2, 260, { firstDate: "2024-01-01" });
    const acc = new BreadthAccumulator({ window: 1000 });
    acc.add(breadthContribution(late, 100));
    acc.add(breadthContribution(early, 100));
    const r = acc.result();
    expect(r.dates.length).toBe(200);
    expect(r.dates[0]).toBe(early.dates[160]);
    expect(r.dates[199]).toBe(late.dates[259]);
    expect(Array.from(r.issues).every((x) => x === 1)).toBe(true);
    // Re-based in both directions, the earlier counts survive: same as adding in the other order.
    const other = new BreadthAccumulator({ window: 1000 });
    other.add(breadthContribution(early, 100));
    other.add(breadthContribution(late, 100));
    expect(other.result()).toStrictEqual(r);
  });

  it("refuse a span of dates no scan has (a stray far-off date), adding nothing", () => {
    const acc = new BreadthAccumulator();
    acc.add(breadthContribution(syntheticSeries("N", 1, 30, { firstDate: "2024-01-01" })));
    const far = breadthContribution(syntheticSeries("F", 2, 30, { firstDate: "2099-01-05" }));
    expect(() => acc.add(far)).toThrow(/span more than/);
    expect(acc.contributions).toBe(1);
    expect(acc.result().dates.length).toBe(29); // the listing day itself counts for nothing
  });
});

describe("McClellan oscillator and summation index", () => {
  /** Independent reference: EMA with smoothing alpha, seeded with the SMA of the first `period` values. */
  function emaRef(values: readonly number[], period: number, alpha: number): number[] {
    const out: number[] = [];
    let prev = Number.NaN;
    values.forEach((v, i) => {
      if (i < period - 1) out.push(Number.NaN);
      else if (i === period - 1) {
        prev = values.slice(0, period).reduce((s, x) => s + x, 0) / period;
        out.push(prev);
      } else {
        prev = prev + alpha * (v - prev);
        out.push(prev);
      }
    });
    return out;
  }

  it("is EMA(0.10) − EMA(0.05) of net advances, and its running sum", () => {
    const acc = new BreadthAccumulator({ window: 120 });
    for (let t = 0; t < 40; t++) {
      acc.add(
        breadthContribution(
          syntheticSeries(`T${t}`, 100 + t, 150, { volatility: 0.02, drift: (t % 5) * 0.001 }),
          120,
        ),
      );
    }
    const r = acc.result();
    expect(r.dates.length).toBe(120);
    const net = Array.from(r.netAdvances);
    const fast = emaRef(net, 19, 0.1);
    const slow = emaRef(net, 39, 0.05);
    const expected = fast.map((f, i) => f - slow[i]!);
    for (let i = 0; i < 120; i++) {
      if (i < 38) expect(Number.isNaN(r.mcClellanOscillator[i]!)).toBe(true);
      else expect(r.mcClellanOscillator[i]).toBeCloseTo(expected[i]!, 9);
    }
    let sum = 0;
    for (let i = 38; i < 120; i++) {
      sum += expected[i]!;
      expect(r.summationIndex[i]).toBeCloseTo(sum, 8);
    }
    const rana = Array.from(r.advances, (adv, i) => {
      const dec = r.declines[i]!;
      return adv + dec > 0 ? ((adv - dec) / (adv + dec)) * 1000 : 0;
    });
    const rFast = emaRef(rana, 19, 0.1);
    const rSlow = emaRef(rana, 39, 0.05);
    expect(r.ratioAdjustedOscillator[119]).toBeCloseTo(rFast[119]! - rSlow[119]!, 8);
  });
});

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
