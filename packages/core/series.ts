/**
 * One ticker's daily bars, normalised: canonical symbol, ascending ISO dates,
 * columnar. Every provider adapter produces this shape and everything after
 * the fetcher (cache, score queue, indicators) consumes it.
 *
 * Columns are Float64Array so indicator code reads them without boxing; all
 * columns have the same length as `dates`. `adjClose` is the split- and
 * dividend-adjusted close (equal to `close` when the provider gives none);
 * `open/high/low/close` are as traded. Missing values never appear: adapters
 * drop bars with a null price, so every value is finite.
 */
export interface Series {
  /** Canonical symbol (see symbols.ts), e.g. `BRK.B`. */
  readonly symbol: string;
  /** ISO `YYYY-MM-DD`, strictly ascending. */
  readonly dates: readonly string[];
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly adjClose: Float64Array;
  readonly volume: Float64Array;
}

/** One bar as plain JSON, the shape the CLI prints. */
export interface Bar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  adjClose: number;
  volume: number;
}

export function seriesLength(series: Series): number {
  return series.dates.length;
}

/** Builds a Series from bars in any order; sorts ascending and drops duplicate dates (last wins). */
export function seriesFromBars(symbol: string, bars: readonly Bar[]): Series {
  const byDate = new Map<string, Bar>();
  for (const bar of bars) byDate.set(bar.date, bar);
  const sorted = [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const n = sorted.length;
  const series = {
    symbol,
    dates: sorted.map((b) => b.date),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    adjClose: new Float64Array(n),
    volume: new Float64Array(n),
  };
  sorted.forEach((b, i) => {
    series.open[i] = b.open;
    series.high[i] = b.high;
    series.low[i] = b.low;
    series.close[i] = b.close;
    series.adjClose[i] = b.adjClose;
    series.volume[i] = b.volume;
  });
  return series;
}

export function seriesToBars(series: Series): Bar[] {
  return series.dates.map((date, i) => ({
    date,
    open: series.open[i]!,
    high: series.high[i]!,
    low: series.low[i]!,
    close: series.close[i]!,
    adjClose: series.adjClose[i]!,
    volume: series.volume[i]!,
  }));
}

/** Keeps the last `count` bars. */
export function takeLast(series: Series, count: number): Series {
  const n = series.dates.length;
  if (count >= n) return series;
  const from = n - count;
  return {
    symbol: series.symbol,
    dates: series.dates.slice(from),
    open: series.open.subarray(from),
    high: series.high.subarray(from),
    low: series.low.subarray(from),
    close: series.close.subarray(from),
    adjClose: series.adjClose.subarray(from),
    volume: series.volume.subarray(from),
  };
}
