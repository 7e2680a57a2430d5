import type { ProviderName } from "../market-data.port.ts";

/**
 * One ticker's daily bars as traded: raw (unadjusted) prices and share counts
 * per New York session date, columnar, dates strictly ascending. A session
 * without trades has no bar: there are no zero or placeholder bars. Each bar
 * remembers the provider it came from. Adjusted prices are computed from these
 * and the ticker's corporate actions (adjust.ts), never stored.
 */
export interface RawHistory {
  readonly symbol: string;
  /** ISO `YYYY-MM-DD` New York session dates, strictly ascending. */
  readonly dates: readonly string[];
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** Shares traded, as traded (not adjusted for later splits). */
  readonly volume: Float64Array;
  /** The provider each bar came from. */
  readonly provider: readonly ProviderName[];
}

/** One raw bar as plain data. */
export interface RawBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  provider: ProviderName;
}

export function emptyHistory(symbol: string): RawHistory {
  return historyFromBars(symbol, []);
}

/**
 * A RawHistory from bars in any order; a later bar of the same date replaces an earlier one.
 * Bars that cannot be a session's trades (a price not above zero or not finite, a negative or
 * non-finite volume, a high below the low) are dropped: a session without a bar is a session
 * without trades, never a zero bar.
 */
export function historyFromBars(symbol: string, bars: readonly RawBar[]): RawHistory {
  const byDate = new Map<string, RawBar>();
  for (const bar of bars) if (isTradedBar(bar)) byDate.set(bar.date, bar);
  const sorted = [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const n = sorted.length;
  const columns = new Float64Array(5 * n);
  const history = {
    symbol,
    dates: sorted.map((b) => b.date),
    open: columns.subarray(0, n),
    high: columns.subarray(n, 2 * n),
    low: columns.subarray(2 * n, 3 * n),
    close: columns.subarray(3 * n, 4 * n),
    volume: columns.subarray(4 * n, 5 * n),
    provider: sorted.map((b) => b.provider),
  };
  sorted.forEach((b, i) => {
    history.open[i] = b.open;
    history.high[i] = b.high;
    history.low[i] = b.low;
    history.close[i] = b.close;
    history.volume[i] = b.volume;
  });
  return history;
}

export function historyToBars(history: RawHistory): RawBar[] {
  return history.dates.map((_, i) => barAt(history, i));
}

export function barAt(history: RawHistory, i: number): RawBar {
  return {
    date: history.dates[i]!,
    open: history.open[i]!,
    high: history.high[i]!,
    low: history.low[i]!,
    close: history.close[i]!,
    volume: history.volume[i]!,
    provider: history.provider[i]!,
  };
}

export function isTradedBar(bar: Omit<RawBar, "date" | "provider">): boolean {
  const { open, high, low, close, volume } = bar;
  return (
    open > 0 &&
    high > 0 &&
    low > 0 &&
    close > 0 &&
    Number.isFinite(open) &&
    Number.isFinite(high) &&
    Number.isFinite(low) &&
    Number.isFinite(close) &&
    Number.isFinite(volume) &&
    volume >= 0 &&
    high >= low
  );
}

/** The bars dated from `from` to `to` (both inclusive; either may be left open). */
export function sliceHistory(history: RawHistory, from?: string, to?: string): RawHistory {
  let start = 0;
  let end = history.dates.length;
  if (from !== undefined) while (start < end && history.dates[start]! < from) start++;
  if (to !== undefined) while (end > start && history.dates[end - 1]! > to) end--;
  return {
    symbol: history.symbol,
    dates: history.dates.slice(start, end),
    open: history.open.subarray(start, end),
    high: history.high.subarray(start, end),
    low: history.low.subarray(start, end),
    close: history.close.subarray(start, end),
    volume: history.volume.subarray(start, end),
    provider: history.provider.slice(start, end),
  };
}

/** Histories of one symbol, each after the one before it, as one. */
export function concatHistories(symbol: string, parts: readonly RawHistory[]): RawHistory {
  const used = parts.filter((p) => p.dates.length > 0);
  if (used.length === 1) return used[0]!;
  const n = used.reduce((sum, p) => sum + p.dates.length, 0);
  const columns = new Float64Array(5 * n);
  const out = {
    symbol,
    dates: [] as string[],
    open: columns.subarray(0, n),
    high: columns.subarray(n, 2 * n),
    low: columns.subarray(2 * n, 3 * n),
    close: columns.subarray(3 * n, 4 * n),
    volume: columns.subarray(4 * n, 5 * n),
    provider: [] as RawHistory["provider"][number][],
  };
  let at = 0;
  for (const p of used) {
    if (out.dates.length > 0 && p.dates[0]! <= out.dates[out.dates.length - 1]!)
      throw new RangeError(`histories of ${symbol} overlap at ${p.dates[0]}`);
    out.dates.push(...p.dates);
    out.provider.push(...p.provider);
    for (const k of ["open", "high", "low", "close", "volume"] as const) out[k].set(p[k], at);
    at += p.dates.length;
  }
  return out;
}
