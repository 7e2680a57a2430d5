import type { CorporateAction, DividendAction, SplitAction } from "../../core/history/actions.ts";
import { quantizePrice } from "../../core/history/bars-codec.ts";
import type { HistoryRequest } from "../../core/history/ticker-history.ts";
import type { FetchFailure, HistoryResult } from "../../core/market-data.port.ts";
import { isoDateFromEpochMs } from "./bars.ts";
import { type FailureContext, failure } from "./classify.ts";
import { historyOrNotFound, RawBarCollector } from "./history-window.ts";
import type { HttpResponse } from "./http.ts";
import { isRecord, typeName } from "./shape.ts";
import { PROVIDER, readChart } from "./yahoo.ts";

/**
 * A chart response as raw bars and actions. Yahoo's OHLC and volume are adjusted for the
 * splits up to the day of the request, its dividend amounts too; `events` lists the window's
 * splits, so each bar is un-split by the splits after it (price × numerator/denominator,
 * volume ÷ it), and each dividend likewise. A split `numerator:denominator` turns
 * `denominator` shares into `numerator`.
 */
export function readYahooHistory(
  ctx: FailureContext,
  request: HistoryRequest,
  providerSymbol: string,
  response: HttpResponse,
): HistoryResult {
  const chart = readChart(ctx, providerSymbol, response);
  if (!chart.ok) return chart.failure;
  const collector = new RawBarCollector(PROVIDER);
  const bytes = response.text.length;
  if (chart.empty) return historyOrNotFound(ctx, request, collector, [], bytes, providerSymbol);
  const events = readEvents(ctx, chart.events, chart.gmtoffset);
  if (!events.ok) return events.failure;
  const { splits } = events;
  // The product of the split ratios after a date: what Yahoo divided that date's prices by.
  const multiplier = (date: string) => {
    let m = 1;
    for (const split of splits) if (split.exDate > date) m *= split.to / split.from;
    return m;
  };
  const { dates, open, high, low, close, volume } = chart;
  for (let i = 0; i < dates.length; i++) {
    const m = multiplier(dates[i]!);
    const times = (v: unknown) => (typeof v === "number" ? v * m : v);
    const shares = volume?.[i];
    collector.add(
      dates[i]!,
      times(open[i]),
      times(high[i]),
      times(low[i]),
      times(close[i]),
      typeof shares === "number" ? shares / m : shares,
    );
  }
  const dividends: CorporateAction[] = events.dividends.map((d) => ({
    ...d,
    amount: quantizePrice(d.amount * multiplier(d.exDate)),
  }));
  return historyOrNotFound(ctx, request, collector, [...splits, ...dividends], bytes, providerSymbol);
}

type Events =
  | { ok: true; splits: SplitAction[]; dividends: DividendAction[] }
  | { ok: false; failure: FetchFailure };

/** `events.splits` and `events.dividends`: maps keyed by epoch seconds; absent when there are none. */
function readEvents(ctx: FailureContext, events: unknown, gmtoffset: number): Events {
  const splits: SplitAction[] = [];
  const dividends: DividendAction[] = [];
  if (events === undefined) return { ok: true, splits, dividends };
  const bad = (what: string) =>
    ({ ok: false, failure: failure(ctx, "invalid-response", `events: ${what}`) }) as const;
  if (!isRecord(events)) return bad(`expected an object, got ${typeName(events)}`);
  const dateOf = (seconds: number) => isoDateFromEpochMs((seconds + gmtoffset) * 1000);
  if (events.splits !== undefined) {
    if (!isRecord(events.splits)) return bad(`splits is ${typeName(events.splits)}`);
    for (const [key, split] of Object.entries(events.splits)) {
      if (!isRecord(split) || typeof split.date !== "number") return bad(`split ${key} has no date`);
      const { numerator, denominator } = split;
      if (
        typeof numerator !== "number" ||
        typeof denominator !== "number" ||
        !(numerator > 0 && denominator > 0)
      )
        return bad(`split ${key} has no positive numerator and denominator`);
      if (numerator === denominator) continue;
      splits.push({
        type: "split",
        exDate: dateOf(split.date),
        from: denominator,
        to: numerator,
        provider: PROVIDER,
      });
    }
  }
  if (events.dividends !== undefined) {
    if (!isRecord(events.dividends)) return bad(`dividends is ${typeName(events.dividends)}`);
    for (const [key, dividend] of Object.entries(events.dividends)) {
      if (!isRecord(dividend) || typeof dividend.date !== "number") return bad(`dividend ${key} has no date`);
      if (typeof dividend.amount !== "number" || !(dividend.amount > 0))
        return bad(`dividend ${key} has no positive amount`);
      dividends.push({
        type: "dividend",
        exDate: dateOf(dividend.date),
        amount: dividend.amount,
        provider: PROVIDER,
      });
    }
  }
  return { ok: true, splits, dividends };
}
