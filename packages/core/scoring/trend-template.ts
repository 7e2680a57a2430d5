/**
 * Mark Minervini's trend template ("Trade Like a Stock Market Wizard",
 * 2013, ch. 5): the eight conditions a stock in a confirmed Stage 2 uptrend
 * meets. With `price` the last adjusted close and the 52-week range taken
 * from split-adjusted daily highs and lows:
 *
 * 1. price > SMA150 and price > SMA200
 * 2. SMA150 > SMA200
 * 3. SMA200 trending up for at least 1 month: SMA200 today > SMA200 21 trading days ago
 * 4. SMA50 > SMA150 and SMA50 > SMA200
 * 5. price > SMA50
 * 6. price at least 30% above its 52-week low: price ≥ 1.30 × low52w
 * 7. price within 25% of its 52-week high: price ≥ 0.75 × high52w
 * 8. RS rating ≥ 70
 *
 * Criteria 1–7 come from one ticker's bars (the scorer stores their inputs,
 * {@link TrendInputs}); criterion 8 needs the cross-sectional RS rating and is
 * applied at finalize. A criterion whose inputs are missing (history too
 * short: SMA200 needs 200 bars, its trend 221) is not met, and `complete`
 * says so.
 */

/** Bars between the two SMA200 values compared by criterion 3 (≈ one month). */
export const SMA200_RISING_BARS = 21;
/** Minimum RS rating of criterion 8. */
export const TREND_MIN_RS_RATING = 70;

/** What the per-ticker part needs; stored with the ticker's metrics (null = not enough history). */
export interface TrendInputs {
  /** Last adjusted close. */
  price: number;
  sma50: number | null;
  sma150: number | null;
  sma200: number | null;
  /** SMA200 {@link SMA200_RISING_BARS} bars before the last bar. */
  sma200Prior: number | null;
  /** Highest split-adjusted high of the last 252 bars (or of all bars, if fewer). */
  high52w: number | null;
  /** Lowest split-adjusted low of the last 252 bars (or of all bars, if fewer). */
  low52w: number | null;
}

export interface TrendTemplate {
  priceAboveSma150And200: boolean;
  sma150AboveSma200: boolean;
  sma200Rising: boolean;
  sma50AboveSma150And200: boolean;
  priceAboveSma50: boolean;
  priceAtLeast30PctAbove52wLow: boolean;
  priceWithin25PctOf52wHigh: boolean;
  rsRatingAtLeast70: boolean;
  /** How many of the eight criteria are met (0..8). */
  count: number;
  /** All eight met. */
  passed: boolean;
  /** Every input was available (otherwise unmet criteria may just lack history or an RS rating). */
  complete: boolean;
}

/**
 * Evaluates the eight criteria.
 * @param rsRating 1..99, or 0 when the ticker has no rating (criterion 8 unmet, `complete` false)
 */
export function evaluateTrendTemplate(inputs: TrendInputs, rsRating: number): TrendTemplate {
  const { price, sma50, sma150, sma200, sma200Prior, high52w, low52w } = inputs;
  const criteria = {
    priceAboveSma150And200: sma150 !== null && sma200 !== null && price > sma150 && price > sma200,
    sma150AboveSma200: sma150 !== null && sma200 !== null && sma150 > sma200,
    sma200Rising: sma200 !== null && sma200Prior !== null && sma200 > sma200Prior,
    sma50AboveSma150And200:
      sma50 !== null && sma150 !== null && sma200 !== null && sma50 > sma150 && sma50 > sma200,
    priceAboveSma50: sma50 !== null && price > sma50,
    priceAtLeast30PctAbove52wLow: low52w !== null && price >= 1.3 * low52w,
    priceWithin25PctOf52wHigh: high52w !== null && price >= 0.75 * high52w,
    rsRatingAtLeast70: rsRating >= TREND_MIN_RS_RATING,
  };
  let count = 0;
  for (const met of Object.values(criteria)) if (met) count++;
  const complete =
    sma50 !== null &&
    sma150 !== null &&
    sma200 !== null &&
    sma200Prior !== null &&
    high52w !== null &&
    low52w !== null &&
    rsRating > 0;
  return { ...criteria, count, passed: count === 8, complete };
}
