import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../test/support/synthetic-series.ts";
import {
  medianBenchmarkReturns,
  periodReturnFields,
  periodReturns,
  RS_RATING_LEVELS,
  ratingFromThresholds,
  returnsFromFields,
  rsRatings,
  rsRawScore,
} from "./relative-strength.ts";

/** A 253-close series whose closes 63/126/189/252 bars before the last are given. */
function closesWith(last: number, at63: number, at126: number, at189: number, at252: number): Float64Array {
  const out = new Float64Array(253).fill(77);
  out[252] = last;
  out[252 - 63] = at63;
  out[252 - 126] = at126;
  out[252 - 189] = at189;
  out[0] = at252;
  return out;
}

/** Naive O(n²) reference: floor(100 · (below + equal/2) / m), clamped to 1..99; 0 for non-finite. */
function naiveRatings(raw: readonly number[]): number[] {
  const finite = raw.filter(Number.isFinite);
  const m = finite.length;
  return raw.map((x) => {
    if (!Number.isFinite(x)) return 0;
    const below = finite.filter((y) => y < x).length;
    const equal = finite.filter((y) => y === x).length;
    return Math.min(99, Math.max(1, Math.floor((100 * (below + equal / 2)) / m)));
  });
}

describe("period returns", () => {
  it("measures each period from the close p bars before the last", () => {
    const r = periodReturns(closesWith(120, 100, 80, 150, 60));
    expect(Array.from(r)).toStrictEqual([120 / 100 - 1, 120 / 80 - 1, 120 / 150 - 1, 120 / 60 - 1]);
  });

  it("is NaN for the periods the history does not reach (p + 1 closes needed)", () => {
    const closes = new Float64Array(127).fill(10);
    closes[126] = 11;
    const r = periodReturns(closes);
    expect(r[0]).toBeCloseTo(0.1, 12);
    expect(r[1]).toBeCloseTo(0.1, 12);
    expect(Number.isNaN(r[2]!) && Number.isNaN(r[3]!)).toBe(true);
    expect(Array.from(periodReturns(new Float64Array(63).fill(1))).every(Number.isNaN)).toBe(true);
  });

  it("round-trips through the stored fields (NaN ↔ null)", () => {
    const fields = periodReturnFields(Float64Array.of(0.1, 0.2, Number.NaN, Number.NaN));
    expect(fields).toStrictEqual({ return63: 0.1, return126: 0.2, return189: null, return252: null });
    expect(JSON.parse(JSON.stringify(fields))).toStrictEqual(fields);
    const back = returnsFromFields(fields);
    expect([back[0], back[1]]).toStrictEqual([0.1, 0.2]);
    expect(Number.isNaN(back[2]!) && Number.isNaN(back[3]!)).toBe(true);
  });
});

describe("RS raw score", () => {
  it("is the 0.4/0.2/0.2/0.2-weighted mean of growth-factor ratios", () => {
    // Stock +20%, +50%, −20%, +100%; benchmark +10%, +20%, −40%, +25%.
    const { raw, confidence, periodsUsed } = rsRawScore([0.2, 0.5, -0.2, 1.0], [0.1, 0.2, -0.4, 0.25]);
    const expected = 0.4 * (1.2 / 1.1) + 0.2 * (1.5 / 1.2) + 0.2 * (0.8 / 0.6) + 0.2 * (2.0 / 1.25);
    expect(raw).toBeCloseTo(expected, 12);
    expect(confidence).toBe(1);
    expect(periodsUsed).toBe(4);
  });

  it("stays right when the benchmark falls: holding up better than a falling market scores above 1", () => {
    // −20% while the market fell 40%: ratio 0.8 / 0.6 = 1.33 on every period.
    expect(rsRawScore([-0.2, -0.2, -0.2, -0.2], [-0.4, -0.4, -0.4, -0.4]).raw).toBeCloseTo(0.8 / 0.6, 12);
    // Matching the benchmark is exactly 1, whatever its direction.
    expect(rsRawScore([-0.3, 0.1, 0.5, -0.1], [-0.3, 0.1, 0.5, -0.1]).raw).toBeCloseTo(1, 12);
  });

  it("renormalises over the periods present and reports the weight used as confidence", () => {
    const { raw, confidence, periodsUsed } = rsRawScore(
      [0.2, 0.5, Number.NaN, Number.NaN],
      [0.1, 0.2, 0.3, 0.4],
    );
    expect(raw).toBeCloseTo((0.4 * (1.2 / 1.1) + 0.2 * (1.5 / 1.2)) / 0.6, 12);
    expect(confidence).toBe(0.6);
    expect(periodsUsed).toBe(2);
    // A period the benchmark lacks is dropped as well.
    expect(rsRawScore([0.2, 0.5, 0.1, 0.1], [0.1, Number.NaN, Number.NaN, Number.NaN]).confidence).toBe(0.4);
  });

  it("has no score without the 63-day period (fewer than 64 closes)", () => {
    expect(rsRawScore([Number.NaN, 0.5, 0.1, 0.1], [0.1, 0.2, 0.3, 0.4])).toStrictEqual({
      raw: Number.NaN,
      confidence: 0,
      periodsUsed: 0,
    });
    expect(Number.isNaN(rsRawScore([0.1, 0.1, 0.1, 0.1], [Number.NaN, 0.1, 0.1, 0.1]).raw)).toBe(true);
  });
});

describe("RS ratings", () => {
  it("hand-computed: mid-rank percentiles, ties equal, NaN unrated", () => {
    // m = 4 finite: 10 → (0 + 1/2)/4 = 12.5% → 12; 20 (two) → (1 + 2/2)/4 = 50%; 30 → (3 + 1/2)/4 = 87.5% → 87.
    const { ratings, thresholds } = rsRatings([20, 10, Number.NaN, 30, 20]);
    expect(Array.from(ratings)).toStrictEqual([50, 12, 0, 87, 50]);
    expect(thresholds.length).toBe(RS_RATING_LEVELS);
    const expected = [
      ...new Array(12).fill(10),
      ...new Array(50 - 12).fill(20),
      ...new Array(87 - 50).fill(30),
      ...new Array(99 - 87).fill(Number.POSITIVE_INFINITY),
    ];
    expect(Array.from(thresholds)).toStrictEqual(expected);
  });

  it("spreads 100 distinct scores over 1..99 and rates a universe of one 50", () => {
    const raw = Array.from({ length: 100 }, (_, i) => 1 + i / 100).reverse();
    const { ratings } = rsRatings(raw);
    // Score rank i (0 = lowest): floor(100 (i + 1/2) / 100) = i, clamped to ≥ 1.
    expect(Array.from(ratings).reverse()).toStrictEqual([1, ...Array.from({ length: 99 }, (_, i) => i + 1)]);
    expect(Array.from(rsRatings([1.23]).ratings)).toStrictEqual([50]);
    expect(Array.from(rsRatings([2, 2, 2]).ratings)).toStrictEqual([50, 50, 50]);
    expect(Array.from(rsRatings([Number.NaN, Number.POSITIVE_INFINITY]).ratings)).toStrictEqual([0, 0]);
  });

  it("matches the naive definition and round-trips through the thresholds, over random universes", () => {
    for (let seed = 1; seed <= 150; seed++) {
      const random = mulberry32(seed);
      const n = 1 + Math.floor(random() * (seed % 3 === 0 ? 2000 : 120));
      // Few distinct values in some universes (many ties), NaNs in most.
      const distinct = random() < 0.3 ? 1 + Math.floor(random() * 10) : 0;
      const raw = Array.from({ length: n }, () => {
        if (random() < 0.05) return Number.NaN;
        return distinct ? 0.8 + Math.floor(random() * distinct) / 10 : 0.5 + random();
      });
      const { ratings, thresholds } = rsRatings(raw);
      if (n <= 400) expect(Array.from(ratings)).toStrictEqual(naiveRatings(raw));
      // Stored as JSON (Infinity → null) and read back, the thresholds still reproduce every rating.
      const stored = JSON.parse(JSON.stringify(Array.from(thresholds))) as (number | null)[];
      for (let i = 0; i < n; i++) {
        expect(ratingFromThresholds(raw[i]!, thresholds)).toBe(ratings[i]);
        expect(ratingFromThresholds(raw[i]!, stored)).toBe(ratings[i]);
      }
      for (let r = 1; r < RS_RATING_LEVELS; r++)
        expect(thresholds[r]!).toBeGreaterThanOrEqual(thresholds[r - 1]!);
    }
  });

  it("does not depend on input order", () => {
    const random = mulberry32(99);
    const raw = Array.from({ length: 500 }, () => Math.round(random() * 50) / 10);
    const shuffled = raw.map((x, i) => ({ x, key: random(), i })).sort((a, b) => a.key - b.key);
    const a = rsRatings(raw);
    const b = rsRatings(shuffled.map((s) => s.x));
    shuffled.forEach((s, j) => {
      expect(b.ratings[j]).toBe(a.ratings[s.i]);
    });
    expect(Array.from(b.thresholds)).toStrictEqual(Array.from(a.thresholds));
  });

  it("rates a score outside the universe by where it falls: below all → 1, above all → the top level", () => {
    const { thresholds } = rsRatings(Array.from({ length: 1000 }, (_, i) => i));
    expect(ratingFromThresholds(-5, thresholds)).toBe(1);
    expect(ratingFromThresholds(10_000, thresholds)).toBe(99);
    expect(ratingFromThresholds(Number.NaN, thresholds)).toBe(0);
    expect(ratingFromThresholds(500.5, thresholds)).toBe(50);
  });
});

describe("median benchmark fallback", () => {
  it("takes the per-period median over the tickers that have the period", () => {
    const fields = [
      { return63: 0.1, return126: 0.2, return189: null, return252: null },
      { return63: -0.1, return126: 0.4, return189: 0.3, return252: null },
      { return63: 0.3, return126: null, return189: 0.1, return252: null },
    ];
    const median = medianBenchmarkReturns(fields);
    expect(median[0]).toBeCloseTo(0.1, 12);
    expect(median[1]).toBeCloseTo(0.3, 12);
    expect(median[2]).toBeCloseTo(0.2, 12);
    expect(Number.isNaN(median[3]!)).toBe(true);
  });
});
