/**
 * Technical indicators over daily bars, written for the scorer's hot loop:
 * one pass per indicator, no allocation per element, and an optional `out`
 * buffer so a caller that scores thousands of series reuses its arrays.
 *
 * Conventions shared by every function here:
 * - Inputs are `ArrayLike<number>` in ascending time order (oldest first), as
 *   in {@link Series}. The result is a `Float64Array` of the SAME length as the
 *   input, with `NaN` where the value is not yet defined (the warm-up at the
 *   start). A series too short for the period is therefore all `NaN`, never an
 *   error.
 * - Values agree with the `technicalindicators` npm package (v3.1.0) wherever
 *   both are defined (tested to 1e-9 relative): that package returns shorter
 *   arrays aligned to the END of the input (its first value belongs to input
 *   index `period - 1` for SMA/EMA/highest/lowest, `period` for RSI/ATR/ROC,
 *   `slow - 1` for MACD), and we put the same numbers at the same input
 *   indices. SMA, EMA, MACD, ATR, ROC and highest/lowest do the arithmetic in
 *   that package's order, so results are normally bit-identical; RSI
 *   multiplies by 1/period where the package divides and computes
 *   100·g/(g + l) for 100 − 100/(1 + g/l) (speed, and no cancellation near 0),
 *   which differs by rounding only. Known, deliberate differences: RSI is not
 *   rounded (the package rounds it to 2 decimals with `toFixed(2)`); an EMA
 *   seed or MACD average that is exactly 0 is used (the package treats 0 as
 *   "not yet"); rolling highest is a true maximum for negative values (the
 *   package starts its running high at 0); ROC over a base value of 0 is `NaN`.
 * - A period that is not an integer ≥ 1 throws a `RangeError` naming the
 *   argument. A non-finite input value (NaN, ±Infinity) throws a
 *   `ValidationError` naming the array and index: a gap must be handled by
 *   the caller (adapters drop bars with null prices), never turned into a
 *   silently wrong number. After a throw, `out` holds partial results.
 * - `out`, when given, must have at least the input's length and must not
 *   overlap an input; when it is longer, the result is a view of its first
 *   `length` elements.
 *
 * @module
 */
import { ValidationError } from "./errors.ts";

/** MACD's three lines, each the input's length. */
export interface MacdResult {
  /** Fast EMA − slow EMA; defined from index `slow - 1`. */
  macd: Float64Array;
  /** EMA(signal) of the MACD line; defined from index `slow + signal - 2`. */
  signal: Float64Array;
  /** MACD − signal; defined where `signal` is. */
  histogram: Float64Array;
}

/**
 * Simple moving average: mean of the last `period` values. Defined from index
 * `period - 1`. Kept as a running sum (add the new value, subtract the one
 * leaving), exactly as technicalindicators' SMA does.
 */
export function sma(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  checkPeriod("sma", "period", period);
  const n = values.length;
  const res = outputBuffer("sma", n, out, values);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v - v !== 0) throw nonFinite("sma", "values", i, v);
    if (i < period - 1) {
      sum += v;
      res[i] = Number.NaN;
    } else if (i === period - 1) {
      sum += v;
      res[i] = sum / period;
    } else {
      sum = sum - values[i - period]! + v;
      res[i] = sum / period;
    }
  }
  return res;
}

/**
 * Exponential moving average with smoothing `k = 2 / (period + 1)`, seeded
 * with the SMA of the first `period` values (defined from index `period - 1`):
 * `ema[i] = (v[i] − ema[i−1]) · k + ema[i−1]`, as technicalindicators' EMA.
 */
export function ema(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  checkPeriod("ema", "period", period);
  const n = values.length;
  const res = outputBuffer("ema", n, out, values);
  const k = 2 / (period + 1);
  // Warm-up, seed and steady state as separate loops: the steady-state loop,
  // where nearly all the work is, has no phase branches.
  const warm = Math.min(n, period - 1);
  let sum = 0;
  for (let i = 0; i < warm; i++) {
    const v = values[i]!;
    if (v - v !== 0) throw nonFinite("ema", "values", i, v);
    sum += v;
    res[i] = Number.NaN;
  }
  if (n < period) return res;
  const seed = values[period - 1]!;
  if (seed - seed !== 0) throw nonFinite("ema", "values", period - 1, seed);
  sum += seed;
  let prev = sum / period;
  res[period - 1] = prev;
  for (let i = period; i < n; i++) {
    const v = values[i]!;
    if (v - v !== 0) throw nonFinite("ema", "values", i, v);
    prev = (v - prev) * k + prev;
    res[i] = prev;
  }
  return res;
}

/**
 * Relative Strength Index (Wilder, 1978). Average gain and loss are seeded
 * with the simple mean of the first `period` changes and then smoothed the
 * Wilder way, `avg = (avg · (period − 1) + x) / period`; RSI = 100 − 100 / (1 + avgGain / avgLoss).
 * Defined from index `period` (it needs `period` changes).
 *
 * As in technicalindicators: an average loss of 0 gives 100 (so a flat series
 * reads 100, not 50), otherwise an average gain of 0 gives 0. Unlike it, the
 * value is not rounded to 2 decimals.
 */
export function rsi(values: ArrayLike<number>, period = 14, out?: Float64Array): Float64Array {
  checkPeriod("rsi", "period", period);
  const n = values.length;
  const res = outputBuffer("rsi", n, out, values);
  if (n === 0) return res;
  let last = values[0]!;
  if (last - last !== 0) throw nonFinite("rsi", "values", 0, last);
  res[0] = Number.NaN;
  // Warm-up: sum the first `period` gains and losses.
  const warm = Math.min(n - 1, period);
  let gainSum = 0;
  let lossSum = 0;
  for (let i = 1; i <= warm; i++) {
    const v = values[i]!;
    if (v - v !== 0) throw nonFinite("rsi", "values", i, v);
    const up = v - last;
    const down = last - v;
    if (up > 0) gainSum += up;
    if (down > 0) lossSum += down;
    last = v;
    res[i] = Number.NaN;
  }
  if (n <= period) return res;
  let avgGain = gainSum / period;
  let avgLoss = lossSum / period;
  res[period] = rsiValue(avgGain, avgLoss);
  // Steady state. Multiplying by 1/period instead of dividing by period keeps
  // the loop-carried dependency short (a division is ~4× slower); the result
  // differs from technicalindicators' by rounding only (≪ 1e-12 relative).
  const keep = period - 1;
  const inv = 1 / period;
  for (let i = period + 1; i < n; i++) {
    const v = values[i]!;
    if (v - v !== 0) throw nonFinite("rsi", "values", i, v);
    const change = v - last;
    last = v;
    // (x + |x|) / 2 is max(x, 0) exactly, without a branch the CPU would
    // mispredict on every other day of a random walk.
    const absChange = Math.abs(change);
    avgGain = (avgGain * keep + (absChange + change) * 0.5) * inv;
    avgLoss = (avgLoss * keep + (absChange - change) * 0.5) * inv;
    res[i] = rsiValue(avgGain, avgLoss);
  }
  return res;
}

/** 100 − 100 / (1 + g/l), written as 100·g / (g + l): one division, no cancellation near 0. */
function rsiValue(avgGain: number, avgLoss: number): number {
  return avgLoss === 0 ? 100 : (100 * avgGain) / (avgGain + avgLoss);
}

/**
 * MACD (Appel): EMA(fast) − EMA(slow) of the values, its EMA(signal) and the
 * difference (histogram). All three are EMAs seeded with an SMA, i.e.
 * technicalindicators' MACD with `SimpleMAOscillator: false, SimpleMASignal: false`.
 * The MACD line is defined from index `slow - 1`, signal and histogram from
 * `slow + signal - 2`. Computed in one pass with no temporary arrays.
 *
 * @param fast must be < `slow` (RangeError otherwise)
 * @param out three buffers to reuse, each at least the input's length
 */
export function macd(
  values: ArrayLike<number>,
  fast = 12,
  slow = 26,
  signal = 9,
  out?: MacdResult,
): MacdResult {
  checkPeriod("macd", "fast", fast);
  checkPeriod("macd", "slow", slow);
  checkPeriod("macd", "signal", signal);
  if (fast >= slow) throw new RangeError(`macd: fast (${fast}) must be less than slow (${slow})`);
  const n = values.length;
  const line = outputBuffer("macd", n, out?.macd, values);
  const sig = outputBuffer("macd", n, out?.signal, values);
  const hist = outputBuffer("macd", n, out?.histogram, values);
  if (overlaps(line, sig, n) || overlaps(line, hist, n) || overlaps(sig, hist, n)) {
    throw new RangeError("macd: out.macd, out.signal and out.histogram must not share memory");
  }
  const kFast = 2 / (fast + 1);
  const kSlow = 2 / (slow + 1);
  const kSignal = 2 / (signal + 1);
  let fastSum = 0;
  let slowSum = 0;
  let signalSum = 0;
  let fastEma = 0;
  let slowEma = 0;
  let signalEma = 0;
  const firstSignal = slow + signal - 2;
  // Warm-up up to the first signal value, with its phase branches...
  const warm = Math.min(n, firstSignal + 1);
  for (let i = 0; i < warm; i++) {
    const v = values[i]!;
    if (v - v !== 0) throw nonFinite("macd", "values", i, v);
    if (i < fast - 1) fastSum += v;
    else if (i === fast - 1) {
      fastSum += v;
      fastEma = fastSum / fast;
    } else fastEma = (v - fastEma) * kFast + fastEma;
    if (i < slow - 1) {
      slowSum += v;
      line[i] = Number.NaN;
      sig[i] = Number.NaN;
      hist[i] = Number.NaN;
      continue;
    }
    if (i === slow - 1) {
      slowSum += v;
      slowEma = slowSum / slow;
    } else slowEma = (v - slowEma) * kSlow + slowEma;
    const m = fastEma - slowEma;
    line[i] = m;
    signalSum += m;
    if (i < firstSignal) {
      sig[i] = Number.NaN;
      hist[i] = Number.NaN;
    } else {
      signalEma = signalSum / signal;
      sig[i] = signalEma;
      hist[i] = m - signalEma;
    }
  }
  // ...then the steady state, where the work is, without them.
  for (let i = warm; i < n; i++) {
    const v = values[i]!;
    if (v - v !== 0) throw nonFinite("macd", "values", i, v);
    fastEma = (v - fastEma) * kFast + fastEma;
    slowEma = (v - slowEma) * kSlow + slowEma;
    const m = fastEma - slowEma;
    signalEma = (m - signalEma) * kSignal + signalEma;
    line[i] = m;
    sig[i] = signalEma;
    hist[i] = m - signalEma;
  }
  // Hand back the caller's object when there is one: no allocation at all on the hot path.
  if (out !== undefined && out.macd === line && out.signal === sig && out.histogram === hist) return out;
  return { macd: line, signal: sig, histogram: hist };
}

/**
 * Average True Range (Wilder). True range of bar i ≥ 1 is
 * `max(high − low, |high − prevClose|, |low − prevClose|)`; ATR is its
 * Wilder average (`k = 1 / period`), seeded with the mean of the first
 * `period` true ranges, so it is defined from index `period`, as
 * technicalindicators' ATR. The three inputs must have the same length.
 */
export function atr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  checkPeriod("atr", "period", period);
  const n = high.length;
  if (low.length !== n || close.length !== n) {
    throw new RangeError(
      `atr: high, low and close must have the same length (got ${n}, ${low.length}, ${close.length})`,
    );
  }
  const res = outputBuffer("atr", n, out, high, low, close);
  if (n === 0) return res;
  checkFinite("atr", "high", 0, high[0]!);
  checkFinite("atr", "low", 0, low[0]!);
  let prevClose = close[0]!;
  checkFinite("atr", "close", 0, prevClose);
  res[0] = Number.NaN;
  const k = 1 / period;
  let sum = 0;
  let avg = 0;
  for (let i = 1; i < n; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    if (h - h !== 0) throw nonFinite("atr", "high", i, h);
    if (l - l !== 0) throw nonFinite("atr", "low", i, l);
    if (c - c !== 0) throw nonFinite("atr", "close", i, c);
    const tr = Math.max(h - l, Math.abs(h - prevClose), Math.abs(l - prevClose));
    prevClose = c;
    if (i < period) {
      sum += tr;
      res[i] = Number.NaN;
    } else if (i === period) {
      sum += tr;
      avg = sum / period;
      res[i] = avg;
    } else {
      avg = (tr - avg) * k + avg;
      res[i] = avg;
    }
  }
  return res;
}

/** Highest of the last `period` values (this one included); defined from index `period - 1`. O(n) for any period. */
export function rollingHighest(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  return rollingExtreme("rollingHighest", values, period, out, true);
}

/** Lowest of the last `period` values (this one included); defined from index `period - 1`. O(n) for any period. */
export function rollingLowest(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  return rollingExtreme("rollingLowest", values, period, out, false);
}

/**
 * Rate of change in percent, as technicalindicators defines it:
 * `(v[i] − v[i − period]) / v[i − period] · 100`, defined from index `period`.
 * `NaN` where `v[i − period]` is 0 (no rate from a zero base).
 */
export function roc(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  checkPeriod("roc", "period", period);
  const n = values.length;
  const res = outputBuffer("roc", n, out, values);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v - v !== 0) throw nonFinite("roc", "values", i, v);
    if (i < period) {
      res[i] = Number.NaN;
      continue;
    }
    const base = values[i - period]!;
    res[i] = base === 0 ? Number.NaN : ((v - base) / base) * 100;
  }
  return res;
}

/** Block extremes for rollingExtreme; grown on demand and shared (JS runs one call at a time). */
let prefixScratch = new Float64Array(512);
let suffixScratch = new Float64Array(512);

/**
 * Sliding-window maximum or minimum by van Herk / Gil–Werman: cut the input
 * into blocks of `period`; within each block take running extremes forwards
 * (prefix) and backwards (suffix); the window ending at i is then
 * `extreme(suffix[i − period + 1], prefix[i])`. Three branch-light passes, O(n)
 * for any period — unlike a monotonic deque, whose pops mispredict on every
 * other bar of a random walk.
 */
function rollingExtreme(
  fn: string,
  values: ArrayLike<number>,
  period: number,
  out: Float64Array | undefined,
  highest: boolean,
): Float64Array {
  checkPeriod(fn, "period", period);
  const n = values.length;
  const res = outputBuffer(fn, n, out, values);
  if (prefixScratch.length < n) {
    prefixScratch = new Float64Array(Math.max(n, prefixScratch.length * 2));
    suffixScratch = new Float64Array(prefixScratch.length);
  }
  const prefix = prefixScratch;
  const suffix = suffixScratch;
  for (let blockStart = 0; blockStart < n; blockStart += period) {
    const blockEnd = Math.min(blockStart + period, n);
    let run = values[blockStart]!;
    if (run - run !== 0) throw nonFinite(fn, "values", blockStart, run);
    prefix[blockStart] = run;
    for (let i = blockStart + 1; i < blockEnd; i++) {
      const v = values[i]!;
      if (v - v !== 0) throw nonFinite(fn, "values", i, v);
      run = highest ? Math.max(run, v) : Math.min(run, v);
      prefix[i] = run;
    }
    run = values[blockEnd - 1]!;
    suffix[blockEnd - 1] = run;
    for (let i = blockEnd - 2; i >= blockStart; i--) {
      const v = values[i]!;
      run = highest ? Math.max(run, v) : Math.min(run, v);
      suffix[i] = run;
    }
  }
  const warm = Math.min(n, period - 1);
  for (let i = 0; i < warm; i++) res[i] = Number.NaN;
  for (let i = warm; i < n; i++) {
    const a = suffix[i - period + 1]!;
    const b = prefix[i]!;
    res[i] = highest ? Math.max(a, b) : Math.min(a, b);
  }
  return res;
}

function checkPeriod(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${fn}: ${name} must be an integer >= 1, got ${String(value)}`);
  }
}

function checkFinite(fn: string, name: string, index: number, value: number): void {
  if (value - value !== 0) throw nonFinite(fn, name, index, value);
}

function nonFinite(fn: string, name: string, index: number, value: number): ValidationError {
  return new ValidationError(`${fn} input`, [
    `${name}[${index}] is ${String(value)}; every value must be a finite number (drop or fill gaps before computing indicators)`,
  ]);
}

/** The result buffer: `out` (or its first `n` elements) when given, else a new array. */
function outputBuffer(
  fn: string,
  n: number,
  out: Float64Array | undefined,
  input: ArrayLike<number>,
  input2?: ArrayLike<number>,
  input3?: ArrayLike<number>,
): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (out.length < n) throw new RangeError(`${fn}: out has length ${out.length}, needs at least ${n}`);
  if (overlaps(out, input, n) || overlaps(out, input2, n) || overlaps(out, input3, n)) {
    throw new RangeError(`${fn}: out must not share memory with an input`);
  }
  return out.length === n ? out : out.subarray(0, n);
}

function overlaps(out: Float64Array, input: ArrayLike<number> | undefined, n: number): boolean {
  if (input === undefined || !ArrayBuffer.isView(input) || input.buffer !== out.buffer) return false;
  const outStart = out.byteOffset;
  const outEnd = outStart + n * Float64Array.BYTES_PER_ELEMENT;
  const inStart = input.byteOffset;
  const inEnd = inStart + input.byteLength;
  return outStart < inEnd && inStart < outEnd;
}
