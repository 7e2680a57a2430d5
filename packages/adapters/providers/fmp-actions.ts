import { dayNumber, isoFromDay } from "../../core/days.ts";
import type { CorporateAction } from "../../core/history/actions.ts";
import { quantizePrice } from "../../core/history/bars-codec.ts";
import type { FetchFailure, HistoryOptions, MarketActionsResult } from "../../core/market-data.port.ts";
import { isIsoDate } from "./bars.ts";
import { type FailureContext, failure, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { fmpBody, PROVIDER } from "./fmp.ts";
import { HistoryRequests } from "./history-requests.ts";
import { buildPath } from "./http.ts";
import { MarketActions, marketContext, requireRange } from "./market-wide.ts";
import { isRecord, type JsonRecord, typeName } from "./shape.ts";

/**
 * FMP's splits and dividends: how one row reads as an action (a symbol's history,
 * fmp-history.ts, reads them too), and the whole market's in a date range from FMP's
 * calendars (stable API), which list every symbol FMP covers, worldwide:
 *
 * - `GET /stable/splits-calendar?from=&to=` → `[{symbol, date, numerator, denominator,
 *   splitType}]`, the fields of `/stable/splits`. It reaches back at most 90 days from `to`
 *   and drops the front of a longer range without saying so (measured by the FmpDotNet
 *   client's authors, 2026-08-28: the earliest row is `to` − 89 days whatever `from` says;
 *   `page` does not reach past it), so a range is asked for in windows of 89 days.
 * - `GET /stable/dividends-calendar?from=&to=[&page=N]` → `[{symbol, date, recordDate,
 *   paymentDate, declarationDate, adjDividend, dividend, yield, frequency}]`, the fields of
 *   `/stable/dividends`, newest first, 4000 rows an answer at most (the oldest are the ones
 *   left out; `limit` is ignored); `page=1`, `2`… go on past the cap (the same authors,
 *   2026-09-01). Pages are asked for until one comes back short.
 *
 * Every request after the first waits at the caller's gate. Symbols are FMP's spellings
 * (`BRK-B`); listings elsewhere (`VOD.L`, `SHOP.TO`) have no canonical form and are counted
 * as unmapped. Errors, quota ("Limit Reach", 200 or 429) and keys read as fmpBody reads them.
 */

/** Days one splits-calendar request covers, `from` and `to` included: FMP's 90-day reach, less a day. */
const SPLITS_WINDOW_DAYS = 89;
/** Rows of a full dividends-calendar answer: fewer means the last page. */
const CALENDAR_PAGE_ROWS = 4000;
/** Dividends-calendar pages before it is called a loop (a year worldwide is some 40). */
const MAX_CALENDAR_PAGES = 1000;

export async function fetchFmpMarketActions(
  config: ResolvedProviderConfig,
  from: string,
  to: string,
  options: HistoryOptions | undefined,
): Promise<MarketActionsResult> {
  requireRange("market actions range", from, to);
  const ctx = marketContext(PROVIDER, config.apiKey);
  const requests = new HistoryRequests(config, ctx, options);
  const found = new MarketActions(PROVIDER, from, to);
  const get = async (path: string, query: Record<string, string | number | undefined>) => {
    const response = await requests.get(buildPath(config, path, { ...query, apikey: config.apiKey }));
    if ("kind" in response) return response;
    const read = fmpBody(ctx, response);
    if (!read.ok) return read;
    return rowsOf(ctx, read.body, path);
  };
  const keep = (kind: "split" | "dividend", rows: unknown[]): FetchFailure | undefined => {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as JsonRecord;
      const symbol = found.symbolOf(row.symbol);
      if (symbol === undefined) continue;
      const action = (kind === "split" ? splitOf : dividendOf)(row);
      if (typeof action === "string")
        return failure(ctx, "invalid-response", `${kind} ${i} (${symbol}): ${action}`);
      if (action) found.add(symbol, action);
    }
    return undefined;
  };

  for (let start = dayNumber(from); start <= dayNumber(to); start += SPLITS_WINDOW_DAYS) {
    const end = Math.min(start + SPLITS_WINDOW_DAYS - 1, dayNumber(to));
    const rows = await get("/stable/splits-calendar", { from: isoFromDay(start), to: isoFromDay(end) });
    if (!Array.isArray(rows)) return rows;
    const failed = keep("split", rows);
    if (failed) return failed;
  }

  let firstOfPrevious: string | undefined;
  for (let page = 0; ; page++) {
    if (page === MAX_CALENDAR_PAGES)
      return failure(ctx, "invalid-response", `dividends-calendar: more than ${MAX_CALENDAR_PAGES} pages`);
    const rows = await get("/stable/dividends-calendar", { from, to, page: page === 0 ? undefined : page });
    if (!Array.isArray(rows)) return rows;
    // A server that ignores `page` would answer the first page forever.
    const first = rows.length > 0 ? JSON.stringify(rows[0]) : undefined;
    if (first !== undefined && first === firstOfPrevious)
      return failure(ctx, "invalid-response", `dividends-calendar: page ${page} repeats page ${page - 1}`);
    firstOfPrevious = first;
    const failed = keep("dividend", rows);
    if (failed) return failed;
    if (rows.length < CALENDAR_PAGE_ROWS) break;
  }
  return found.result(requests.bytes);
}

/** An answer's rows, each an object; `{}` is FMP's empty answer too (v3). */
export function rowsOf(ctx: FailureContext, body: unknown, path: string): unknown[] | FetchFailure {
  const rows = Array.isArray(body) ? body : isRecord(body) && Object.keys(body).length === 0 ? [] : undefined;
  if (!rows) return failure(ctx, "invalid-response", `${path}: expected an array, got ${typeName(body)}`);
  for (let i = 0; i < rows.length; i++) {
    if (!isRecord(rows[i]))
      return failure(
        ctx,
        "invalid-response",
        `${path}: row ${i} is ${typeName(rows[i])}, expected an object`,
      );
  }
  return rows;
}

const positive = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;

/** A split row as an action; undefined for one that changes nothing; a string saying what is wrong. */
export function splitOf(row: JsonRecord): CorporateAction | undefined | string {
  const { date, numerator, denominator } = row;
  if (!isIsoDate(date)) return `date is ${quote(JSON.stringify(date) ?? "undefined")}`;
  if (!positive(numerator) || !positive(denominator))
    return `numerator ${JSON.stringify(numerator)} and denominator ${JSON.stringify(denominator)} are not positive share counts`;
  if (numerator === denominator) return undefined;
  return { type: "split", exDate: date, from: denominator, to: numerator, provider: PROVIDER };
}

/** A dividend row as an action (its raw `dividend`); undefined for a zero amount; a string saying what is wrong. */
export function dividendOf(row: JsonRecord): CorporateAction | undefined | string {
  const { date, dividend } = row;
  if (!isIsoDate(date)) return `date is ${quote(JSON.stringify(date) ?? "undefined")}`;
  if (dividend === 0) return undefined;
  if (!positive(dividend)) return `dividend ${JSON.stringify(dividend)} is not a positive amount`;
  return { type: "dividend", exDate: date, amount: quantizePrice(dividend), provider: PROVIDER };
}
