/**
 * Relative strength: how a stock's price performance compares with a
 * benchmark's, and its percentile rank (the "RS rating", 1–99) across the
 * scan's universe.
 *
 * RS raw score (IBD-style weighting of the last four quarters, in the form
 * popularised by the public "RS Rating" scripts modelled on IBD's rating):
 *
 *     r_p       = adjClose[last] / adjClose[last − p] − 1        for p = 63, 126, 189, 252 trading days
 *     ratio_p   = (1 + r_p,stock) / (1 + r_p,benchmark)
 *     RS raw    = Σ w_p · ratio_p / Σ w_p                         w = 0.4, 0.2, 0.2, 0.2
 *
 * The most recent quarter counts double. Each period is a RATIO of growth
 * factors, not a difference of returns, so the score stays meaningful when
 * the benchmark falls (−20% vs −40% is 1.33, a stock that held up) and a raw
 * score of 1 means "in line with the benchmark". Adjusted closes make splits
 * and dividends invisible.
 *
 * Short history: a period counts only when both the stock and the benchmark
 * have it (`p + 1` closes). The 63-day period is required (64 closes);
 * without it the raw score is `NaN` ("no rating"). Missing longer periods are
 * dropped and the weights renormalised over the periods present, and
 * `confidence` = Σ w_p over the present periods (1 with a full year, 0.4 with
 * one quarter only), so a recent listing is rated on what it has and says so.
 *
 * RS rating: see {@link rsRatings}.
 */

import { partitionPoint } from "../partition-point.ts";

/** The RS look-back periods in trading days: one to four quarters. */
export const RS_PERIODS: readonly number[] = [63, 126, 189, 252];
/** Weight of each RS period (the latest quarter double), indexed like {@link RS_PERIODS}; sums to 1. */
export const RS_WEIGHTS: readonly number[] = [0.4, 0.2, 0.2, 0.2];

/** The period returns a ticker's stored metrics carry (null where history is too short). */
export interface PeriodReturnFields {
  /** adjClose[last] / adjClose[last − 63] − 1. */
  return63: number | null;
  return126: number | null;
  return189: number | null;
  return252: number | null;
}

/**
 * Period returns over {@link RS_PERIODS} ending at the last value, as a
 * length-4 Float64Array: `NaN` where there are fewer than `p + 1` values or
 * the base value is not positive.
 */
export function periodReturns(
  adjClose: ArrayLike<number>,
  out = new Float64Array(RS_PERIODS.length),
): Float64Array {
  const last = adjClose.length - 1;
  for (let k = 0; k < RS_PERIODS.length; k++) {
    const from = last - RS_PERIODS[k]!;
    const base = from >= 0 ? adjClose[from]! : Number.NaN;
    out[k] = base > 0 ? adjClose[last]! / base - 1 : Number.NaN;
  }
  return out;
}

/** The stored fields of {@link periodReturns} (NaN → null, so they are JSON- and DynamoDB-safe). */
export function periodReturnFields(returns: ArrayLike<number>): PeriodReturnFields {
  return {
    return63: finiteOrNull(returns[0]),
    return126: finiteOrNull(returns[1]),
    return189: finiteOrNull(returns[2]),
    return252: finiteOrNull(returns[3]),
  };
}

/** Period returns back from stored fields, as {@link periodReturns} gives them (null → NaN). */
export function returnsFromFields(
  fields: PeriodReturnFields,
  out = new Float64Array(RS_PERIODS.length),
): Float64Array {
  out[0] = fields.return63 ?? Number.NaN;
  out[1] = fields.return126 ?? Number.NaN;
  out[2] = fields.return189 ?? Number.NaN;
  out[3] = fields.return252 ?? Number.NaN;
  return out;
}

export interface RsRawScore {
  /** Weighted mean of the period ratios; 1 = in line with the benchmark. `NaN` when the 63-day period is missing. */
  raw: number;
  /** Σ of the weights of the periods used (0..1): 1 with a full year of history. */
  confidence: number;
  /** How many of the four periods were used. */
  periodsUsed: number;
}

/**
 * The RS raw score of a stock from its period returns and the benchmark's
 * (both indexed like {@link RS_PERIODS}, `NaN` = missing). A period is used
 * when both returns are finite and both growth factors `1 + r` positive.
 */
export function rsRawScore(stock: ArrayLike<number>, benchmark: ArrayLike<number>): RsRawScore {
  let weighted = 0;
  let weights = 0;
  let periodsUsed = 0;
  for (let k = 0; k < RS_PERIODS.length; k++) {
    const s = 1 + (stock[k] ?? Number.NaN);
    const b = 1 + (benchmark[k] ?? Number.NaN);
    if (!(s > 0 && b > 0 && Number.isFinite(s) && Number.isFinite(b))) {
      if (k === 0) return { raw: Number.NaN, confidence: 0, periodsUsed: 0 };
      continue;
    }
    const w = RS_WEIGHTS[k]!;
    weighted += w * (s / b);
    weights += w;
    periodsUsed++;
  }
  return { raw: weighted / weights, confidence: round(weights, 12), periodsUsed };
}

/**
 * The benchmark fallback: when the benchmark series (e.g. SPY) is not
 * available, finalize measures each stock against the universe's median
 * stock instead. Per period, the median of the finite returns of all tickers
 * that have that period (`NaN` if none has). With the median as benchmark, a
 * raw score above 1 means "did better than the typical stock of this scan".
 */
export function medianBenchmarkReturns(metrics: readonly PeriodReturnFields[]): Float64Array {
  const out = new Float64Array(RS_PERIODS.length);
  const scratch = new Float64Array(metrics.length);
  const fields = ["return63", "return126", "return189", "return252"] as const;
  for (let k = 0; k < fields.length; k++) {
    let m = 0;
    for (const item of metrics) {
      const r = item[fields[k]!];
      if (r !== null && Number.isFinite(r)) scratch[m++] = r;
    }
    out[k] = median(scratch.subarray(0, m));
  }
  return out;
}

/** Ratings and the thresholds that reproduce them. */
export interface RsRatings {
  /** Per input score, in input order: 1..99, or 0 = no rating (raw score not finite). */
  ratings: Uint8Array;
  /**
   * 99 values: `thresholds[r − 1]` is the lowest raw score in the universe
   * whose rating is ≥ r, or +Infinity when no score reaches r (store it as
   * null; {@link ratingFromThresholds} reads null as unreached). Non-decreasing.
   */
  thresholds: Float64Array;
}

/** The number of rating levels: ratings are 1..99. */
export const RS_RATING_LEVELS = 99;

/**
 * Percentile-rank RS ratings across a scan's universe.
 *
 * Only finite raw scores are ranked (m of them); a non-finite one gets 0
 * ("no rating"). For a score x, with `below` scores strictly lower and
 * `equal` scores equal to it (itself included), the mid-rank percentile is
 * `PR = 100 · (below + equal / 2) / m`, and the rating is
 * `clamp(floor(PR), 1, 99)` (computed in integers, so exact). Equal scores
 * get equal ratings; 99 means "better than 99% of the universe"; a universe of
 * one rates 50. Deterministic, O(n log n).
 *
 * The returned `thresholds` let a reader recompute any ticker's rating from
 * its stored raw score alone ({@link ratingFromThresholds}); ratings need not
 * be stored per ticker.
 */
export function rsRatings(rawScores: ArrayLike<number>): RsRatings {
  const n = rawScores.length;
  const sorted = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const x = rawScores[i]!;
    if (Number.isFinite(x)) sorted[m++] = x;
  }
  const finite = sorted.subarray(0, m).sort();

  const thresholds = new Float64Array(RS_RATING_LEVELS).fill(Number.POSITIVE_INFINITY);
  let reached = 0;
  for (let lo = 0; lo < m; ) {
    const value = finite[lo]!;
    let hi = lo + 1;
    while (hi < m && finite[hi] === value) hi++;
    const rating = ratingOf(lo, hi, m);
    // Groups come in ascending order and ratings never decrease with the
    // score, so the first group to reach a level holds that level's minimum.
    for (; reached < rating; reached++) thresholds[reached] = value;
    lo = hi;
  }

  const ratings = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = rawScores[i]!;
    if (!Number.isFinite(x)) continue;
    ratings[i] = ratingOf(lowerBound(finite, x), upperBound(finite, x), m);
  }
  return { ratings, thresholds };
}

/**
 * The rating a raw score gets in the universe whose {@link RsRatings.thresholds}
 * these are: the highest level r with `thresholds[r − 1] ≤ raw`. For a score
 * of that universe this is exactly the rating {@link rsRatings} gave it. A
 * finite score below the universe's minimum gets 1; a non-finite one 0.
 * `null` thresholds (as stored in JSON/DynamoDB) count as unreached.
 */
export function ratingFromThresholds(raw: number, thresholds: ArrayLike<number | null>): number {
  if (!Number.isFinite(raw)) return 0;
  // Binary search for the number of levels whose threshold is ≤ raw.
  let lo = 0;
  let hi = Math.min(thresholds.length, RS_RATING_LEVELS);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const t = thresholds[mid];
    if (t !== null && t !== undefined && t <= raw) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(1, lo);
}

/** floor(100 · (below + equal/2) / m), clamped to 1..99, in integer arithmetic. */
function ratingOf(below: number, belowOrEqual: number, m: number): number {
  const pr = Math.floor((100 * (below + belowOrEqual)) / (2 * m));
  return Math.max(1, Math.min(RS_RATING_LEVELS, pr));
}

/** First index whose value is ≥ x. */
function lowerBound(sorted: Float64Array, x: number): number {
  return partitionPoint(sorted.length, (i) => sorted[i]! < x);
}

/** First index whose value is > x. */
function upperBound(sorted: Float64Array, x: number): number {
  return partitionPoint(sorted.length, (i) => sorted[i]! <= x);
}

/** Median of the values (sorted in place); NaN when empty. */
function median(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  values.sort();
  const mid = n >> 1;
  return n % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

function finiteOrNull(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
