import type { CorporateAction } from "../../core/history/actions.ts";
import { quantizePrice } from "../../core/history/bars-codec.ts";
import type { HistoryOptions, MarketActionsResult } from "../../core/market-data.port.ts";
import { isIsoDate } from "./bars.ts";
import { quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { HistoryRequests } from "./history-requests.ts";
import { buildPath } from "./http.ts";
import { MarketActions, marketContext, requireRange } from "./market-wide.ts";
import { PROVIDER, readAllPages } from "./polygon.ts";
import { isRecord, type JsonRecord, typeName } from "./shape.ts";

/**
 * Massive's (Polygon's) splits and dividends: how one row reads as an action (a ticker's
 * history, polygon-history.ts, reads them too), and the whole market's in a date range.
 *
 * - Splits: `GET /stocks/v1/splits?execution_date.gte=&execution_date.lte=&limit=5000` →
 *   `results: [{ticker, execution_date, split_from, split_to, adjustment_type, ...}]`:
 *   `split_from` old shares become `split_to` new ones on `execution_date`, the first session
 *   at the new count. `adjustment_type` is forward_split, reverse_split or stock_dividend:
 *   shares issued as a dividend change the share count as a split does, and are one here.
 * - Dividends: `GET /stocks/v1/dividends?ex_dividend_date.gte=&ex_dividend_date.lte=&limit=5000`
 *   → `results: [{ticker, ex_dividend_date, cash_amount, split_adjusted_cash_amount, ...}]`;
 *   `cash_amount` is per share outstanding on the ex-date (not adjusted for later splits).
 *
 * Without a `ticker` filter both answer for the whole market, 5000 rows a page at most, the
 * rest behind `next_url` (without the key: nextPagePath adds it). Every request after the first
 * waits at the caller's gate. Tickers are Massive's spellings (`BRK.B`, `ABRpD`); the ones
 * without a canonical form are counted, not kept.
 */

/** Massive's largest page of a list endpoint. */
const ROWS_PER_PAGE = 5000;
/**
 * Pages of one market-wide list before it is called a loop: a year of the US market's
 * dividends is some ten pages, so this is decades.
 */
const MAX_MARKET_PAGES = 500;

export async function fetchPolygonMarketActions(
  config: ResolvedProviderConfig,
  from: string,
  to: string,
  options: HistoryOptions | undefined,
): Promise<MarketActionsResult> {
  requireRange("market actions range", from, to);
  const ctx = marketContext(PROVIDER, config.apiKey);
  const requests = new HistoryRequests(config, ctx, options);
  const found = new MarketActions(PROVIDER, from, to);
  for (const kind of ["split", "dividend"] as const) {
    const [path, dateField] =
      kind === "split"
        ? ["/stocks/v1/splits", "execution_date"]
        : ["/stocks/v1/dividends", "ex_dividend_date"];
    const first = buildPath(config, path, {
      [`${dateField}.gte`]: from,
      [`${dateField}.lte`]: to,
      limit: ROWS_PER_PAGE,
      apiKey: config.apiKey,
    });
    const read = (results: unknown[]) => {
      for (let i = 0; i < results.length; i++) {
        const row = results[i];
        if (!isRecord(row)) return `${kind} ${i} is ${typeName(row)}, expected an object`;
        const symbol = found.symbolOf(row.ticker);
        if (symbol === undefined) continue;
        const action = kind === "split" ? splitOf(row) : dividendOf(row);
        if (typeof action === "string") return `${kind} ${i} (${symbol}): ${action}`;
        if (action) found.add(symbol, action);
      }
      return undefined;
    };
    const failed = await readAllPages(
      config,
      ctx,
      requests,
      first,
      kind === "split" ? "splits" : "dividends",
      read,
      MAX_MARKET_PAGES,
    );
    if (failed) return failed;
  }
  return found.result(requests.bytes);
}

const positive = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;

/** A split row as an action; undefined for one that changes nothing; a string saying what is wrong. */
export function splitOf(row: JsonRecord): CorporateAction | undefined | string {
  const { execution_date: exDate, split_from: from, split_to: to } = row;
  if (!isIsoDate(exDate)) return `execution_date is ${quote(JSON.stringify(exDate) ?? "undefined")}`;
  if (!positive(from) || !positive(to))
    return `split_from ${JSON.stringify(from)} and split_to ${JSON.stringify(to)} are not positive share counts`;
  if (from === to) return undefined;
  return { type: "split", exDate, from, to, provider: PROVIDER };
}

/** A dividend row as an action; undefined for a zero amount (nothing paid); a string saying what is wrong. */
export function dividendOf(row: JsonRecord): CorporateAction | undefined | string {
  const { ex_dividend_date: exDate, cash_amount: amount } = row;
  if (!isIsoDate(exDate)) return `ex_dividend_date is ${quote(JSON.stringify(exDate) ?? "undefined")}`;
  if (amount === 0) return undefined;
  if (!positive(amount)) return `cash_amount ${JSON.stringify(amount)} is not a positive amount`;
  return { type: "dividend", exDate, amount: quantizePrice(amount), provider: PROVIDER };
}
