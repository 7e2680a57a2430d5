/**
 * The McClellan oscillator and summation index of a breadth series
 * (breadth-accumulator.ts applies them to net advances and to RANA):
 * - McClellan oscillator = EMA19 − EMA39 of net advances, i.e. exponential
 *   smoothing with 0.10 and 0.05 (the McClellan "10% and 5% trends";
 *   2/(19+1) = 0.10, 2/(39+1) = 0.05). Each EMA is seeded with the simple
 *   average of its first 19 / 39 values (StockCharts' convention), so the
 *   oscillator is defined from the 39th date of the window.
 * - Ratio-adjusted oscillator: the same on RANA = (adv − dec) / (adv + dec) × 1000
 *   (0 on a day with neither), which does not grow with the universe's size.
 * - Summation index: the cumulative sum of the oscillator from its first
 *   defined date (and the same for the ratio-adjusted one). It starts at 0 at
 *   the window's start, so its level is relative to the window, not comparable
 *   with published values that accumulate over decades; its direction is.
 */
import { ema } from "../indicators.ts";

/** EMA19 − EMA39 (smoothing 0.10 and 0.05), each seeded with its SMA. */
export function mcClellan(values: ArrayLike<number>): Float64Array {
  const fast = ema(values, 19);
  const slow = ema(values, 39);
  for (let i = 0; i < fast.length; i++) fast[i] = fast[i]! - slow[i]!;
  return fast;
}

/** Running sum from the first defined value; NaN before it (the summation index of an oscillator). */
export function cumulative(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) out[i] = Number.NaN;
    else {
      sum += v;
      out[i] = sum;
    }
  }
  return out;
}
