import * as ti from "technicalindicators";
import { describe, expect, it } from "vitest";
import { mulberry32, randomWalk, syntheticSeries } from "../../test/support/synthetic-series.ts";
import { ValidationError } from "./errors.ts";
import { atr, ema, macd, roc, rollingHighest, rollingLowest, rsi, sma } from "./indicators.ts";

const REL = 1e-9;

/** |a − b| ≤ 1e-9 · max(|a|, |b|): relative agreement, exact when both are 0. */
function close(a: number, b: number, rel = REL): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Compares our full-length output with technicalindicators' shorter one,
 * aligned to the end: ours must be NaN exactly before `firstDefined` and agree
 * everywhere after. Returns a description of the first mismatch, or null.
 */
function mismatch(
  ours: Float64Array,
  theirs: readonly (number | undefined)[],
  firstDefined: number,
  agree: (a: number, b: number) => boolean = close,
): string | null {
  const n = ours.length;
  const expectedTheirs = Math.max(0, n - firstDefined);
  if (theirs.length !== expectedTheirs)
    return `theirs has ${theirs.length} values, expected ${expectedTheirs}`;
  for (let i = 0; i < n; i++) {
    const a = ours[i]!;
    if (i < firstDefined) {
      if (!Number.isNaN(a)) return `ours[${i}] = ${a}, expected NaN`;
      continue;
    }
    const b = theirs[i - firstDefined];
    if (b === undefined || !agree(a, b)) return `ours[${i}] = ${a}, theirs ${b}`;
  }
  return null;
}

/** Lengths around a period's edge plus a few random ones. */
function lengthsAround(edge: number, random: () => number): number[] {
  return [0, 1, edge - 1, edge, edge + 1, edge + 2, edge + 1 + Math.floor(random() * 300)].filter(
    (n) => n >= 0,
  );
}

const int = (random: () => number, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

/** Random-walk closes of two shapes: smooth, and cent-rounded with flat days (ties, zero-loss stretches). */
function closes(random: () => number, n: number): Float64Array {
  return random() < 0.5
    ? randomWalk(random, n, { start: 5 + random() * 500, volatility: 0.005 + random() * 0.05 })
    : randomWalk(random, n, {
        start: 1 + random() * 50,
        volatility: 0.02,
        decimals: 2,
        flatProbability: 0.3,
      });
}

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

describe("agreement with technicalindicators 3.1.0 (property-style: seeds × lengths around the period edges × random periods)", () => {
  it.each(SEEDS)("sma, ema, roc, rollingHighest, rollingLowest (seed %i)", (seed) => {
    const random = mulberry32(seed);
    const period = int(random, 1, 60);
    for (const n of lengthsAround(period, random)) {
      const values = closes(random, n);
      const arr = Array.from(values);
      expect(mismatch(sma(values, period), ti.sma({ period, values: arr }), period - 1)).toBeNull();
      expect(mismatch(ema(values, period), ti.ema({ period, values: arr }), period - 1)).toBeNull();
      expect(mismatch(roc(values, period), ti.roc({ period, values: arr }), period)).toBeNull();
      expect(
        mismatch(rollingHighest(values, period), ti.highest({ period, values: arr }), period - 1),
      ).toBeNull();
      expect(
        mismatch(rollingLowest(values, period), ti.lowest({ period, values: arr }), period - 1),
      ).toBeNull();
    }
  });

  it.each(SEEDS)(
    "rsi (seed %i): exact against its unrounded averages, within its 2-decimal rounding",
    (seed) => {
      const random = mulberry32(seed);
      const period = int(random, 1, 40);
      for (const n of lengthsAround(period + 1, random)) {
        const values = closes(random, n);
        const arr = Array.from(values);
        const ours = rsi(values, period);
        // technicalindicators rounds RSI with toFixed(2): agree within half a cent of a point.
        const rounded = (a: number, b: number) => Math.abs(a - b) <= 0.005 + 1e-9;
        expect(mismatch(ours, ti.rsi({ period, values: arr }), period, rounded)).toBeNull();
        // Its unrounded RSI, rebuilt from its own AverageGain/AverageLoss.
        const gains = ti.averagegain({ period, values: arr });
        const losses = ti.averageloss({ period, values: arr });
        const unrounded = gains.map((g, i) => {
          const l = losses[i]!;
          return l === 0 ? 100 : g === 0 ? 0 : 100 - 100 / (1 + g / l);
        });
        expect(mismatch(ours, unrounded, period)).toBeNull();
      }
    },
  );

  it.each(SEEDS)("macd with EMA oscillator and EMA signal (seed %i)", (seed) => {
    const random = mulberry32(seed);
    const fast = int(random, 1, 20);
    const slow = int(random, fast + 1, 50);
    const signal = int(random, 1, 20);
    for (const n of lengthsAround(slow + signal - 1, random)) {
      const values = closes(random, n);
      const ours = macd(values, fast, slow, signal);
      const theirs = ti.macd({
        values: Array.from(values),
        fastPeriod: fast,
        slowPeriod: slow,
        signalPeriod: signal,
        SimpleMAOscillator: false,
        SimpleMASignal: false,
      });
      expect(
        mismatch(
          ours.macd,
          theirs.map((r) => r.MACD),
          slow - 1,
        ),
      ).toBeNull();
      // Signal and histogram start `signal - 1` entries later; theirs are undefined there.
      const offset = signal - 1;
      const definedSignal = theirs.slice(offset);
      expect(theirs.slice(0, offset).every((r) => r.signal === undefined && r.histogram === undefined)).toBe(
        true,
      );
      expect(
        mismatch(
          ours.signal,
          definedSignal.map((r) => r.signal),
          slow + signal - 2,
        ),
      ).toBeNull();
      // The histogram is a difference of nearly equal numbers: compare relative to the MACD line's scale.
      const histClose = (a: number, b: number) =>
        Math.abs(a - b) <= REL * Math.max(1, Math.abs(a), Math.abs(b));
      expect(
        mismatch(
          ours.histogram,
          definedSignal.map((r) => r.histogram),
          slow + signal - 2,
          histClose,
        ),
      ).toBeNull();
    }
  });

  it.each(SEEDS)("atr on OHLC bars (seed %i)", (seed) => {
    const random = mulberry32(seed);
    const period = int(random, 1, 40);
    for (const n of lengthsAround(period + 1, random)) {
      const s = syntheticSeries("X", seed * 1000 + n, n, { volatility: 0.01 + random() * 0.04 });
      const ours = atr(s.high, s.low, s.close, period);
      const theirs = ti.atr({
        period,
        high: Array.from(s.high),
        low: Array.from(s.low),
        close: Array.from(s.close),
      });
      expect(mismatch(ours, theirs, period)).toBeNull();
    }
  });
});

describe("hand-computed values", () => {
  it("sma of 1..5 over 3", () => {
    expect(Array.from(sma([1, 2, 3, 4, 5], 3))).toStrictEqual([Number.NaN, Number.NaN, 2, 3, 4]);
  });

  it("ema is seeded with the SMA, then smoothed with k = 2/(period+1)", () => {
    // period 3 → k = 0.5; seed (2+4+6)/3 = 4; (8−4)·0.5+4 = 6; (12−6)·0.5+6 = 9.
    expect(Array.from(ema([2, 4, 6, 8, 12], 3))).toStrictEqual([Number.NaN, Number.NaN, 4, 6, 9]);
  });

  it("rsi uses Wilder smoothing seeded by the simple average of the first changes", () => {
    // Changes +1 +1 −1 −1 +1: seed avgGain 2/3, avgLoss 1/3 → RS 2 → 66.67;
    // then gain 0, loss 1: (2/3·2+0)/3 = 4/9, (1/3·2+1)/3 = 5/9 → RS 0.8 → 44.44;
    // then gain 1: (4/9·2+1)/3 = 17/27, (5/9·2)/3 = 10/27 → RS 1.7 → 62.96.
    const out = rsi([1, 2, 3, 2, 1, 2], 3);
    expect(out.slice(0, 3).every(Number.isNaN)).toBe(true);
    expect(out[3]).toBeCloseTo(100 - 100 / 3, 12);
    expect(out[4]).toBeCloseTo(100 - 100 / 1.8, 12);
    expect(out[5]).toBeCloseTo(100 - 100 / 2.7, 12);
  });

  it("rsi of a flat series is 100 (no losses), as technicalindicators; of a falling one 0", () => {
    expect(Array.from(rsi([5, 5, 5, 5, 5], 3))).toStrictEqual([Number.NaN, Number.NaN, Number.NaN, 100, 100]);
    expect(ti.rsi({ period: 3, values: [5, 5, 5, 5, 5] })).toStrictEqual([100, 100]);
    expect(Array.from(rsi([5, 4, 3, 2, 1], 3))).toStrictEqual([Number.NaN, Number.NaN, Number.NaN, 0, 0]);
  });

  it("atr: true range includes the gap from the previous close", () => {
    // TR[1] = max(11−10, |11−8|, |10−8|) = 3; TR[2] = max(2, |13−11|, |11−11|) = 2; ATR(2) at 2 = 2.5;
    // TR[3] = max(1, |12−12|, |11−12|) = 1 → 2.5 + (1 − 2.5)/2 = 1.75.
    const out = atr([9, 11, 13, 12], [7, 10, 11, 11], [8, 11, 12, 11.5], 2);
    expect(Array.from(out)).toStrictEqual([Number.NaN, Number.NaN, 2.5, 1.75]);
  });

  it("rolling highest/lowest and roc", () => {
    expect(Array.from(rollingHighest([3, 1, 4, 1, 5, 9, 2, 6], 3))).toStrictEqual([
      Number.NaN,
      Number.NaN,
      4,
      4,
      5,
      9,
      9,
      9,
    ]);
    expect(Array.from(rollingLowest([3, 1, 4, 1, 5, 9, 2, 6], 3))).toStrictEqual([
      Number.NaN,
      Number.NaN,
      1,
      1,
      1,
      1,
      2,
      2,
    ]);
    // Negative values: a true maximum (technicalindicators' running high starts at 0).
    expect(Array.from(rollingHighest([-3, -1, -2], 2))).toStrictEqual([Number.NaN, -1, -1]);
    expect(Array.from(roc([100, 110, 99, 0, 5], 1))).toStrictEqual([Number.NaN, 10, -10, -100, Number.NaN]);
  });

  it("macd on a straight line: both EMAs lag by a constant, so MACD is constant and the histogram 0", () => {
    const line = Array.from({ length: 12 }, (_, i) => 10 + i);
    const { macd: m, signal, histogram } = macd(line, 2, 4, 3);
    // EMA(n) of a line lags it by (n−1)/2: MACD = (4−1)/2 − (2−1)/2 = 1.
    expect(Array.from(m.slice(3))).toStrictEqual(new Array(9).fill(1));
    expect(Number.isNaN(signal[4]!)).toBe(true);
    expect(Array.from(signal.slice(5))).toStrictEqual(new Array(7).fill(1));
    expect(Array.from(histogram.slice(5))).toStrictEqual(new Array(7).fill(0));
  });
});

describe("too-short series, buffers and bad input", () => {
  it("returns all NaN, of the input's length, when the series is too short", () => {
    for (const out of [
      sma([1, 2], 3),
      ema([1, 2], 3),
      rsi([1, 2, 3], 3),
      roc([1, 2], 2),
      rollingLowest([1], 2),
    ]) {
      expect(out.length).toBeGreaterThan(0);
      expect(Array.from(out).every(Number.isNaN)).toBe(true);
    }
    const m = macd([1, 2, 3], 2, 4, 3);
    expect([m.macd.length, m.signal.length, m.histogram.length]).toStrictEqual([3, 3, 3]);
    expect([...m.macd, ...m.signal, ...m.histogram].every(Number.isNaN)).toBe(true);
    expect(sma([], 3).length).toBe(0);
    expect(atr([], [], [], 3).length).toBe(0);
  });

  it("writes into `out` and returns it, or a view of its first n elements when longer", () => {
    const values = randomWalk(mulberry32(7), 50);
    const out = new Float64Array(50);
    expect(ema(values, 10, out)).toBe(out);
    expect(Array.from(out)).toStrictEqual(Array.from(ema(values, 10)));
    const longer = new Float64Array(80).fill(-1);
    const view = rsi(values, 14, longer);
    expect(view.length).toBe(50);
    expect(view.buffer).toBe(longer.buffer);
    expect(Array.from(view)).toStrictEqual(Array.from(rsi(values, 14)));
    expect(longer[50]).toBe(-1);
    const bufs = {
      macd: new Float64Array(50),
      signal: new Float64Array(50),
      histogram: new Float64Array(50),
    };
    const m = macd(values, 12, 26, 9, bufs);
    expect(m.macd).toBe(bufs.macd);
    expect(Array.from(m.histogram)).toStrictEqual(Array.from(macd(values, 12, 26, 9).histogram));
  });

  it("rejects an `out` that is too short or shares memory with the input", () => {
    const values = new Float64Array(20).fill(1);
    expect(() => sma(values, 3, new Float64Array(19))).toThrow(/sma: out has length 19, needs at least 20/);
    expect(() => sma(values, 3, values)).toThrow(/must not share memory/);
    const arena = new Float64Array(40);
    expect(() => sma(arena.subarray(0, 20), 3, arena.subarray(10, 30))).toThrow(/must not share memory/);
    expect(sma(arena.subarray(0, 20), 3, arena.subarray(20, 40)).length).toBe(20);
    const shared = new Float64Array(20);
    expect(() =>
      macd(values, 2, 4, 3, { macd: shared, signal: shared, histogram: new Float64Array(20) }),
    ).toThrow(/must not share memory/);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    "rejects period %s with a RangeError naming it",
    (p) => {
      expect(() => sma([1, 2, 3], p)).toThrow(RangeError);
      expect(() => sma([1, 2, 3], p)).toThrow(/sma: period must be an integer >= 1/);
      expect(() => rsi([1, 2, 3], p)).toThrow(/rsi: period/);
      expect(() => atr([1], [1], [1], p)).toThrow(/atr: period/);
      expect(() => macd([1, 2, 3], 2, 4, p)).toThrow(/macd: signal/);
      expect(() => macd([1, 2, 3], p, 4, 3)).toThrow(/macd: fast/);
    },
  );

  it("rejects fast >= slow and mismatched ATR inputs", () => {
    expect(() => macd([1, 2, 3], 26, 12, 9)).toThrow(/fast \(26\) must be less than slow \(12\)/);
    expect(() => atr([1, 2], [1], [1, 2], 1)).toThrow(/same length \(got 2, 1, 2\)/);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    "a non-finite value (%s) throws a ValidationError naming its index",
    (bad) => {
      const values = [1, 2, 3, 4, 5, 6, 7, 8];
      values[6] = bad;
      for (const call of [
        () => sma(values, 3),
        () => ema(values, 3),
        () => rsi(values, 3),
        () => macd(values, 2, 3, 2),
        () => roc(values, 2),
        () => rollingHighest(values, 2),
        () => rollingLowest(values, 2),
      ]) {
        expect(call).toThrow(ValidationError);
        expect(call).toThrow(`values[6] is ${String(bad)}`);
      }
      // Even where it would fall in the warm-up and not change a defined value.
      expect(() => sma(values, 10)).toThrow("values[6]");
      expect(() => atr([1, 2, 3], [1, bad, 3], [1, 2, 3], 2)).toThrow("low[1]");
      expect(() => atr([bad, 2, 3], [1, 2, 3], [1, 2, 3], 2)).toThrow("high[0]");
    },
  );
});
