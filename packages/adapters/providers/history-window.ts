import { dayNumber, isCalendarDate, isoFromDay } from "../../core/days.ts";
import { ValidationError } from "../../core/errors.ts";
import type { CorporateAction } from "../../core/history/actions.ts";
import { quantizeHistory } from "../../core/history/bars-codec.ts";
import { historyFromBars, type RawBar, type RawHistory } from "../../core/history/raw-history.ts";
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

/** Raw bars as an adapter reads them, in any order. */
export class RawBarCollector {
  private readonly bars: RawBar[] = [];
  /** Bars offered, kept or not. */
  offered = 0;

  constructor(private readonly provider: ProviderName) {}

  /** A bar without four finite prices is not kept (Yahoo sends nulls); a missing volume is 0. */
  add(date: string, open: unknown, high: unknown, low: unknown, close: unknown, volume: unknown): void {
    this.offered++;
    if (!finite(open) || !finite(high) || !finite(low) || !finite(close)) return;
    this.bars.push({
      date,
      open,
      high,
      low,
      close,
      volume: finite(volume) ? volume : 0,
      provider: this.provider,
    });
  }

  /** Ascending, one bar per date (the later one wins), sessions without trades left out, on their quanta. */
  history(symbol: string): RawHistory {
    return quantizeHistory(historyFromBars(symbol, this.bars));
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
