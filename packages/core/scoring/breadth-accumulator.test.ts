import { describe, expect, it } from "vitest";
import { weekdayDates } from "../../../test/support/synthetic-series.ts";
import type { Series } from "../series.ts";
import { BreadthAccumulator } from "./breadth-accumulator.ts";
import {
  BREADTH_HEADER_BYTES,
  breadthContribution,
  contributionStart,
  decodeBreadthDay,
  weekdayIndex,
} from "./breadth-contribution.ts";

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
