/**
 * Split- and dividend-adjusted highs and lows. A Series carries an adjusted
 * close but raw highs and lows; a 2:1 split would otherwise look like a 50%
 * crash to anything that reads highs and lows (52-week range, new lows, ATR).
 * Each bar's high and low are scaled by that bar's adjustment factor
 * `adjClose / close`, the way providers adjust OHLC (Yahoo's "adjusted"
 * bars); a bar with a non-positive close keeps factor 1.
 */
import type { Series } from "../series.ts";

export interface AdjustedHighLow {
  high: Float64Array;
  low: Float64Array;
}

/**
 * Adjusted highs and lows of `series`, written into `out` when given (each
 * buffer at least the series' length; the result views their first n values).
 */
export function adjustedHighLow(series: Series, out?: AdjustedHighLow): AdjustedHighLow {
  const n = series.close.length;
  const high = out ? out.high.subarray(0, n) : new Float64Array(n);
  const low = out ? out.low.subarray(0, n) : new Float64Array(n);
  if (high.length < n || low.length < n)
    throw new RangeError(`adjustedHighLow: out buffers need length >= ${n}`);
  const { close, adjClose } = series;
  for (let i = 0; i < n; i++) {
    const c = close[i]!;
    const factor = c > 0 ? adjClose[i]! / c : 1;
    high[i] = series.high[i]! * factor;
    low[i] = series.low[i]! * factor;
  }
  return { high, low };
}
