import type { Series } from "../series.ts";
import type { CorporateAction } from "./actions.ts";
import type { RawHistory } from "./raw-history.ts";

/**
 * Adjusted prices, computed here from raw bars and corporate actions, as of
 * the history's last session: a provider's own adjusted series is adjusted as
 * of the day it was fetched, so bars fetched on different days could never be
 * mixed. Actions whose ex-date is after the last session are not in effect yet.
 *
 * Walking back from the last bar, each action between two bars multiplies the
 * factor of every earlier bar:
 * - a split of `from` shares into `to`: prices × from/to, volumes × to/from;
 * - a cash dividend: prices × (1 − amount / P), P the last raw close before
 *   the ex-date, on the dividend's share basis (CRSP). A dividend paid on the
 *   ex-date of a split is per new share, so P is that close × from/to.
 */
export interface AdjustmentFactors {
  /** Splits and dividends: multiply a bar's raw prices by this. */
  readonly price: Float64Array;
  /** Splits only: multiply raw prices by this for split-adjusted prices, divide raw volume by it. */
  readonly split: Float64Array;
}

/** Dividends larger than this share of the price are taken as bad data and left out of the factor. */
const MAX_DIVIDEND_SHARE = 0.9;

export function adjustmentFactors(raw: RawHistory, actions: readonly CorporateAction[]): AdjustmentFactors {
  const n = raw.dates.length;
  const price = new Float64Array(n);
  const split = new Float64Array(n);
  let cumPrice = 1;
  let cumSplit = 1;
  const last = raw.dates[n - 1];
  // Actions in effect, newest first: each applies to every bar before its ex-date.
  const effective = actions.filter((a) => last !== undefined && a.exDate <= last);
  effective.sort((a, b) => (a.exDate < b.exDate ? 1 : a.exDate > b.exDate ? -1 : 0));
  let next = 0;
  for (let i = n - 1; i >= 0; i--) {
    const date = raw.dates[i]!;
    // The actions between bar i and bar i + 1.
    const between: CorporateAction[] = [];
    while (next < effective.length && effective[next]!.exDate > date) between.push(effective[next++]!);
    for (const action of between) {
      if (action.type !== "split") continue;
      cumPrice *= action.from / action.to;
      cumSplit *= action.from / action.to;
    }
    for (const action of between) {
      if (action.type !== "dividend") continue;
      let basis = raw.close[i]!;
      for (const s of between) if (s.type === "split" && s.exDate <= action.exDate) basis *= s.from / s.to;
      const share = action.amount / basis;
      if (share > 0 && share < MAX_DIVIDEND_SHARE) cumPrice *= 1 - share;
    }
    price[i] = cumPrice;
    split[i] = cumSplit;
  }
  return { price, split };
}

/**
 * The series the scores read: open, high, low and close split-adjusted, the
 * close also split- and dividend-adjusted (`adjClose`), volume split-adjusted.
 * This is the shape providers' own series had (Yahoo's quote and adjclose), so
 * the scoring code reads it unchanged.
 */
export function scoringSeries(raw: RawHistory, actions: readonly CorporateAction[]): Series {
  const n = raw.dates.length;
  const f = adjustmentFactors(raw, actions);
  const columns = new Float64Array(6 * n);
  const column = (k: number) => columns.subarray(k * n, (k + 1) * n);
  const series = {
    symbol: raw.symbol,
    dates: raw.dates,
    open: column(0),
    high: column(1),
    low: column(2),
    close: column(3),
    adjClose: column(4),
    volume: column(5),
  };
  for (let i = 0; i < n; i++) {
    const s = f.split[i]!;
    series.open[i] = raw.open[i]! * s;
    series.high[i] = raw.high[i]! * s;
    series.low[i] = raw.low[i]! * s;
    series.close[i] = raw.close[i]! * s;
    series.adjClose[i] = raw.close[i]! * f.price[i]!;
    series.volume[i] = raw.volume[i]! / s;
  }
  return series;
}

/** One bar fully adjusted (splits and dividends), as `tickerfleet history` prints it. */
export interface AdjustedBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Every bar with prices adjusted for splits and dividends and volume for splits, as of the last session. */
export function adjustedBars(raw: RawHistory, actions: readonly CorporateAction[]): AdjustedBar[] {
  const f = adjustmentFactors(raw, actions);
  return raw.dates.map((date, i) => {
    const p = f.price[i]!;
    return {
      date,
      open: raw.open[i]! * p,
      high: raw.high[i]! * p,
      low: raw.low[i]! * p,
      close: raw.close[i]! * p,
      volume: raw.volume[i]! / f.split[i]!,
    };
  });
}
