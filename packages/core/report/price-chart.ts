import { adjustedBars } from "../history/adjust.ts";
import { sliceHistory } from "../history/raw-history.ts";
import type { StoredTicker } from "../history/ticker-history.ts";
import { sma } from "../indicators.ts";
import type { ReportPriceChart } from "./report-data.ts";

/** Sessions a report's price chart shows. */
export const CHART_SESSIONS = 250;
/** Sessions read before them, so the 200-day average is defined from the chart's first day. */
export const CHART_WARMUP = 200;

const defined = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null);

/**
 * A top ticker's chart from its stored raw bars and actions, adjusted as of the scan's session
 * (the bars after it, from a later scan, are left out): the last CHART_SESSIONS adjusted closes
 * with their 50-, 150- and 200-day averages. Undefined when the store holds no bars up to it.
 */
export function priceChart(
  stored: StoredTicker,
  session: string | undefined,
  rank: number,
): ReportPriceChart | undefined {
  const raw = session ? sliceHistory(stored.bars, undefined, session) : stored.bars;
  if (raw.dates.length === 0) return undefined;
  const actions = session ? stored.actions.filter((a) => a.exDate <= session) : stored.actions;
  const bars = adjustedBars(raw, actions);
  const closes = Float64Array.from(bars, (b) => b.close);
  const averages = [50, 150, 200].map((p) => (closes.length >= p ? sma(closes, p) : null));
  const from = Math.max(0, bars.length - CHART_SESSIONS);
  const column = (values: Float64Array | null) =>
    Array.from({ length: bars.length - from }, (_, i) => (values ? defined(values[from + i]!) : null));
  return {
    ticker: stored.bars.symbol,
    rank,
    dates: bars.slice(from).map((b) => b.date),
    close: bars.slice(from).map((b) => Number(b.close.toPrecision(6))),
    sma50: column(averages[0]!),
    sma150: column(averages[1]!),
    sma200: column(averages[2]!),
  };
}
