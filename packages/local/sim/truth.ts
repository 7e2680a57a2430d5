import type { AdjustedBar } from "../../core/history/adjust.ts";
import type { MarketModel } from "./market-model.ts";

/**
 * The simulator's own adjusted daily series (`GET /_sim/truth/{symbol}`), the
 * ground truth tests compare a pipeline's adjustment with: every served bar up
 * to today, prices adjusted for splits and dividends and volumes for splits,
 * as of today. A split of `from` shares into `to` multiplies earlier prices by
 * from/to and volumes by to/from; a cash dividend multiplies earlier prices by
 * 1 − amount / the raw close before its ex-date (CRSP). Full double precision.
 */
/** A bar adjusted for splits and dividends: the shape core's adjustedBars gives, to compare with. */
export type TruthBar = AdjustedBar;

export interface Truth {
  symbol: string;
  bars: TruthBar[];
}

/** The symbol's adjusted bars from `from` (ISO, optional) to today, or undefined for a symbol not listed by today. */
export function truthOf(model: MarketModel, symbol: string, from?: string): Truth | undefined {
  const series = model.history(symbol);
  if (!series) return undefined;
  const bars: TruthBar[] = [];
  for (let i = 0; i < series.length; i++) {
    const date = series.dates[i]!;
    if (from !== undefined && date < from) continue;
    const m = series.multiplier[i]!;
    const f = series.dividendFactor[i]!;
    bars.push({
      date,
      open: (series.open[i]! * f) / m,
      high: (series.high[i]! * f) / m,
      low: (series.low[i]! * f) / m,
      close: (series.close[i]! * f) / m,
      volume: series.volume[i]! * m,
    });
  }
  return { symbol, bars };
}
