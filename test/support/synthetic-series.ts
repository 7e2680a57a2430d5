/**
 * Deterministic synthetic price data for tests and benchmarks of indicators
 * and scores: a seeded PRNG, random walks, and whole `Series` with
 * realistic shape (OHLC around the close, volume, weekday calendar), so that
 * tests and benchmarks in different files draw the same reproducible data.
 * Kept under test/ so that no production module or bundle can import it.
 */
import type { Series } from "../../packages/core/series.ts";

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomWalkOptions {
  /** @default 100 */
  start?: number;
  /** Daily volatility (standard deviation of log returns, approximately). @default 0.02 */
  volatility?: number;
  /** Daily drift of log returns. @default 0 */
  drift?: number;
  /** Probability that a day repeats the previous value exactly (flat days exercise ties). @default 0 */
  flatProbability?: number;
  /** Round to this many decimals (prices are quoted in cents). @default no rounding */
  decimals?: number;
}

/** A geometric random walk of `length` positive values. */
export function randomWalk(
  random: () => number,
  length: number,
  options: RandomWalkOptions = {},
): Float64Array {
  const { start = 100, volatility = 0.02, drift = 0, flatProbability = 0, decimals } = options;
  const out = new Float64Array(length);
  const scale = decimals === undefined ? 0 : 10 ** decimals;
  let price = start;
  for (let i = 0; i < length; i++) {
    if (i > 0 && random() >= flatProbability) {
      // Sum of uniforms: a cheap, bounded, roughly normal step.
      const step = (random() + random() + random() - 1.5) * 2 * volatility;
      price *= Math.exp(drift + step);
    }
    out[i] = scale === 0 ? price : Math.max(1 / scale, Math.round(price * scale) / scale);
  }
  return out;
}

export interface SyntheticSeriesOptions extends RandomWalkOptions {
  /** ISO date of the first bar; bars fall on consecutive weekdays from there. @default "2023-01-02" */
  firstDate?: string;
  /** Weekday dates to leave out (holidays, halts). @default none */
  skipDates?: readonly string[];
}

/**
 * A Series of `length` bars on weekdays from `firstDate`: close from a random
 * walk, open/high/low around it (high ≥ max(open, close), low ≤ min), volume
 * around one million, adjClose = close.
 */
export function syntheticSeries(
  symbol: string,
  seed: number,
  length: number,
  options: SyntheticSeriesOptions = {},
): Series {
  const random = mulberry32(seed);
  const close = randomWalk(random, length, options);
  const skip = new Set(options.skipDates ?? []);
  const dates = weekdayDates(options.firstDate ?? "2023-01-02", length, skip);
  const open = new Float64Array(length);
  const high = new Float64Array(length);
  const low = new Float64Array(length);
  const volume = new Float64Array(length);
  const volatility = options.volatility ?? 0.02;
  for (let i = 0; i < length; i++) {
    const c = close[i]!;
    const o = i === 0 ? c : close[i - 1]! * (1 + (random() - 0.5) * volatility);
    open[i] = o;
    high[i] = Math.max(o, c) * (1 + random() * volatility);
    low[i] = Math.min(o, c) * (1 - random() * volatility);
    volume[i] = Math.round(500_000 + random() * 1_000_000);
  }
  return { symbol, dates, open, high, low, close, adjClose: close.slice(), volume };
}

/** `count` consecutive weekday ISO dates from `first` (which must be a weekday), skipping `skip`. */
export function weekdayDates(first: string, count: number, skip: ReadonlySet<string> = new Set()): string[] {
  const dates: string[] = [];
  let t = Date.parse(`${first}T00:00:00Z`);
  while (dates.length < count) {
    const day = new Date(t).getUTCDay();
    const iso = new Date(t).toISOString().slice(0, 10);
    if (day !== 0 && day !== 6 && !skip.has(iso)) dates.push(iso);
    t += 86_400_000;
  }
  return dates;
}
