import { dayNumber, isCalendarDate, isoFromDay } from "../../core/days.ts";
import { ValidationError } from "../../core/errors.ts";
import type { DailyRange, FetchResult, ProviderName } from "../../core/market-data.port.ts";
import type { Series } from "../../core/series.ts";
import { toProviderSymbol } from "../../core/symbols.ts";
import { type FailureContext, failure } from "./classify.ts";

/**
 * The pieces every adapter shares between "parsed body" and "Series": the
 * calendar window to ask for, epoch-to-date conversion, and a columnar
 * collector that drops unusable bars, orders, de-duplicates and trims.
 * Written without per-bar objects: it runs for every bar of every ticker.
 */

const MS_PER_DAY = 86_400_000;
/** Upper bound on `range.days`: ~40 years of bars, far beyond any provider's daily history. */
export const MAX_DAYS = 10_000;

/** A provider's date field that names a real calendar day (`2024-02-30` does not). */
export function isIsoDate(value: unknown): value is string {
  return typeof value === "string" && isCalendarDate(value);
}

/** The calendar date at epoch `ms`, in UTC. */
export function isoDateFromEpochMs(ms: number): string {
  return isoFromDay(Math.floor(ms / MS_PER_DAY));
}

/** The calendar days to request for a DailyRange: `to` inclusive, `from` early enough for `days` trading days. */
export interface DailyWindow {
  readonly days: number;
  readonly from: string;
  readonly to: string;
  /** `from` and the day after `to`, as epoch seconds at 00:00 UTC (Yahoo's period1/period2). */
  readonly fromEpochSeconds: number;
  readonly endEpochSeconds: number;
}

/**
 * Validates a DailyRange and widens it to calendar days: ~252 trading days a
 * year (weekends and ~9 holidays), plus a week of slack for holiday clusters.
 * Throws ValidationError for a bad range (a caller's bug, not a provider's answer).
 */
export function dailyWindow(range: DailyRange, now: number = Date.now()): DailyWindow {
  const problems: string[] = [];
  if (!Number.isInteger(range.days) || range.days < 1 || range.days > MAX_DAYS) {
    problems.push(`days must be an integer from 1 to ${MAX_DAYS}, got ${range.days}`);
  }
  const to = range.to ?? isoDateFromEpochMs(now);
  if (!isCalendarDate(to)) {
    problems.push(`to must be a calendar date YYYY-MM-DD, got ${JSON.stringify(range.to)}`);
  }
  if (problems.length > 0) throw new ValidationError("daily range", problems);
  const toDay = dayNumber(to);
  const fromDay = toDay - Math.ceil((range.days * 365) / 250) - 7;
  return {
    days: range.days,
    from: isoFromDay(fromDay),
    to,
    fromEpochSeconds: fromDay * 86_400,
    endEpochSeconds: (toDay + 1) * 86_400,
  };
}

/** What every adapter's request starts from: the provider's spelling of the symbol, the failure context. */
export function providerRequest(
  provider: ProviderName,
  apiKey: string | undefined,
  symbol: string,
): { providerSymbol: string; ctx: FailureContext } {
  return {
    providerSymbol: toProviderSymbol(symbol, provider),
    ctx: { provider, symbol, secrets: apiKey ? [apiKey] : [] },
  };
}

/** What every adapter's fetchDaily starts from: the window of bars, and what providerRequest gives. */
export function dailyRequest(
  provider: ProviderName,
  apiKey: string | undefined,
  symbol: string,
  range: DailyRange,
  now: number = Date.now(),
): { window: DailyWindow; providerSymbol: string; ctx: FailureContext } {
  return { window: dailyWindow(range, now), ...providerRequest(provider, apiKey, symbol) };
}

function finite(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/**
 * Collects bars in whatever order the provider sends them. A bar whose
 * open/high/low/close is null or not a finite number is dropped (Yahoo sends
 * nulls for halted days); a missing volume counts as 0; a missing adjusted
 * close falls back to the close.
 */
export class BarCollector {
  private readonly dates: string[] = [];
  private readonly open: number[] = [];
  private readonly high: number[] = [];
  private readonly low: number[] = [];
  private readonly close: number[] = [];
  private readonly adjClose: number[] = [];
  private readonly volume: number[] = [];
  /** Bars offered, kept or not. */
  offered = 0;

  /** Returns false when the bar was dropped for a missing price. */
  add(
    date: string,
    open: unknown,
    high: unknown,
    low: unknown,
    close: unknown,
    adjClose: unknown,
    volume: unknown,
  ): boolean {
    this.offered++;
    if (!finite(open) || !finite(high) || !finite(low) || !finite(close)) return false;
    this.dates.push(date);
    this.open.push(open);
    this.high.push(high);
    this.low.push(low);
    this.close.push(close);
    this.adjClose.push(finite(adjClose) ? adjClose : close);
    this.volume.push(finite(volume) ? volume : 0);
    return true;
  }

  get size(): number {
    return this.dates.length;
  }

  /** Ascending, one bar per date (the later one wins), none after `to`, the last `days` of them. */
  toSeries(symbol: string, window: Pick<DailyWindow, "days" | "to">): Series {
    const { dates } = this;
    let order: number[] = [];
    for (let i = 0; i < dates.length; i++) if (dates[i]! <= window.to) order.push(i);
    if (!isStrictlyAscending(dates, order)) {
      if (isStrictlyAscending(dates, [...order].reverse())) order.reverse();
      else order = sortedUnique(dates, order);
    }
    const count = Math.min(window.days, order.length);
    const start = order.length - count;
    const series = {
      symbol,
      dates: new Array<string>(count),
      open: new Float64Array(count),
      high: new Float64Array(count),
      low: new Float64Array(count),
      close: new Float64Array(count),
      adjClose: new Float64Array(count),
      volume: new Float64Array(count),
    };
    for (let k = 0; k < count; k++) {
      const i = order[start + k]!;
      series.dates[k] = dates[i]!;
      series.open[k] = this.open[i]!;
      series.high[k] = this.high[i]!;
      series.low[k] = this.low[i]!;
      series.close[k] = this.close[i]!;
      series.adjClose[k] = this.adjClose[i]!;
      series.volume[k] = this.volume[i]!;
    }
    return series;
  }
}

function isStrictlyAscending(dates: readonly string[], order: readonly number[]): boolean {
  for (let k = 1; k < order.length; k++) if (dates[order[k - 1]!]! >= dates[order[k]!]!) return false;
  return true;
}

/** Indices sorted by date; for equal dates only the last one offered is kept. */
function sortedUnique(dates: readonly string[], order: readonly number[]): number[] {
  const sorted = [...order].sort((a, b) => (dates[a]! < dates[b]! ? -1 : dates[a]! > dates[b]! ? 1 : a - b));
  const out: number[] = [];
  for (const i of sorted) {
    if (out.length > 0 && dates[out[out.length - 1]!] === dates[i]) out[out.length - 1] = i;
    else out.push(i);
  }
  return out;
}

/**
 * The Series, or `not-found` when no usable bar is left. Providers answer
 * "unknown symbol" and "no bars in this window" alike in some cases (Polygon
 * `resultsCount: 0`, FMP `[]`), and the window always spans more than a week
 * of trading days, so a symbol without a single bar in it is, for scanning,
 * a symbol the provider does not carry: a permanent failure, not a retry.
 */
export function seriesOrNotFound(
  ctx: FailureContext,
  collector: BarCollector,
  window: DailyWindow,
  providerSymbol: string,
  /** The provider said it knows the symbol (Yahoo's `meta`), so "unknown" can be ruled out in the message. */
  symbolKnown = false,
): FetchResult {
  const series = collector.toSeries(ctx.symbol, window);
  if (series.dates.length > 0) return { ok: true, series };
  const known = symbolKnown
    ? "the provider knows the symbol but has no bars in the window"
    : "the provider answers an unknown symbol the same way";
  const why =
    collector.offered === 0
      ? `no bars for ${providerSymbol} from ${window.from} to ${window.to} (${known})`
      : `no usable bars for ${providerSymbol} up to ${window.to} (${collector.offered} offered, all without prices or after ${window.to})`;
  return failure(ctx, "not-found", why);
}
