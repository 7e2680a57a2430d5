import { dayNumber, isCalendarDate, isoFromDay } from "../../core/days.ts";
import { ValidationError } from "../../core/errors.ts";
import type { CorporateAction } from "../../core/history/actions.ts";
import { quantizePrice } from "../../core/history/bars-codec.ts";
import { isTradedBar, type RawHistory } from "../../core/history/raw-history.ts";
import type { HistoryRequest } from "../../core/history/ticker-history.ts";
import type { HistoryResult, ProviderName } from "../../core/market-data.port.ts";
import { type DailyWindow, dailyWindow, isoDateFromEpochMs, MAX_DAYS } from "./bars.ts";
import { type FailureContext, failure } from "./classify.ts";

/**
 * What every adapter's fetchHistory shares: the calendar window of a history request, and a
 * collector of raw bars that drops what cannot be a session's trades, orders, de-duplicates
 * and puts prices on their quanta (history/bars-codec), as the store will keep them.
 */

/**
 * How far past today a request reaches. Providers answer up to their latest session whatever
 * the end asked for; asking past today keeps a clock that runs ahead of this one (the local
 * simulator's, moved by a test) in reach.
 */
const HORIZON_DAYS = 366;

/** The calendar days a history request covers: the whole lookback, or from a date on. */
export function historyWindow(request: HistoryRequest, now: number = Date.now()): DailyWindow {
  const today = dayNumber(isoDateFromEpochMs(now));
  if (request.kind === "full") {
    const lookback = dailyWindow({ days: request.days }, now);
    return windowOf(request.days, dayNumber(lookback.from), today + HORIZON_DAYS);
  }
  if (!isCalendarDate(request.from))
    throw new ValidationError("history request", [
      `from must be a date, got ${JSON.stringify(request.from)}`,
    ]);
  const from = dayNumber(request.from);
  return windowOf(MAX_DAYS, from, Math.max(from, today) + HORIZON_DAYS);
}

function windowOf(days: number, fromDay: number, toDay: number): DailyWindow {
  return {
    days,
    from: isoFromDay(fromDay),
    to: isoFromDay(toDay),
    fromEpochSeconds: fromDay * 86_400,
    endEpochSeconds: (toDay + 1) * 86_400,
  };
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Raw bars as an adapter reads them, in any order; columnar, no object per bar (thousands a scan). */
export class RawBarCollector {
  private readonly dates: string[] = [];
  private readonly values: number[] = [];
  /** Bars offered, kept or not. */
  offered = 0;

  constructor(private readonly provider: ProviderName) {}

  /** A bar without four finite prices is not kept (Yahoo sends nulls); a missing volume is 0. */
  add(date: string, open: unknown, high: unknown, low: unknown, close: unknown, volume: unknown): void {
    this.offered++;
    if (!finite(open) || !finite(high) || !finite(low) || !finite(close)) return;
    this.dates.push(date);
    this.values.push(open, high, low, close, finite(volume) ? volume : 0);
  }

  /**
   * Ascending, one bar per date (the later one offered wins), sessions without trades left out
   * (see isTradedBar), prices on their quanta and whole shares, as the store will keep them.
   */
  history(symbol: string): RawHistory {
    const { dates, values } = this;
    const order: number[] = [];
    for (let i = 0; i < dates.length; i++) {
      const v = i * 5;
      const bar = {
        open: values[v]!,
        high: values[v + 1]!,
        low: values[v + 2]!,
        close: values[v + 3]!,
        volume: values[v + 4]!,
      };
      if (isTradedBar(bar)) order.push(i);
    }
    let ascending = true;
    for (let k = 1; k < order.length && ascending; k++) ascending = dates[order[k - 1]!]! < dates[order[k]!]!;
    if (!ascending) {
      order.sort((a, b) => (dates[a]! < dates[b]! ? -1 : dates[a]! > dates[b]! ? 1 : a - b));
      // Equal dates: the later one offered wins.
      for (let k = order.length - 1; k > 0; k--)
        if (dates[order[k - 1]!] === dates[order[k]!]) order.splice(k - 1, 1);
    }
    const n = order.length;
    const columns = new Float64Array(5 * n);
    const out = {
      symbol,
      dates: order.map((i) => dates[i]!),
      open: columns.subarray(0, n),
      high: columns.subarray(n, 2 * n),
      low: columns.subarray(2 * n, 3 * n),
      close: columns.subarray(3 * n, 4 * n),
      volume: columns.subarray(4 * n, 5 * n),
      provider: new Array<ProviderName>(n).fill(this.provider),
    };
    order.forEach((i, k) => {
      const v = i * 5;
      out.open[k] = quantizePrice(values[v]!);
      out.high[k] = quantizePrice(values[v + 1]!);
      out.low[k] = quantizePrice(values[v + 2]!);
      out.close[k] = quantizePrice(values[v + 3]!);
      out.volume[k] = Math.round(values[v + 4]!);
    });
    return out;
  }
}

/**
 * The history, or `not-found` when a whole-history request found no bar at all (the provider
 * does not carry the symbol). A request from a date that finds none is an answer: no session
 * since (a halted ticker, or a clock that has not moved).
 */
export function historyOrNotFound(
  ctx: FailureContext,
  request: HistoryRequest,
  collector: RawBarCollector,
  actions: CorporateAction[],
  bytes: number,
  providerSymbol: string,
): HistoryResult {
  const bars = collector.history(ctx.symbol);
  if (bars.dates.length === 0 && request.kind === "full") {
    const why =
      collector.offered === 0
        ? `no bars for ${providerSymbol} in its whole lookback`
        : `no usable bars for ${providerSymbol} (${collector.offered} offered, none with prices)`;
    return failure(ctx, "not-found", why);
  }
  return { ok: true, bars, actions, bytes };
}
