import { type CorporateAction, sortActions } from "../../core/history/actions.ts";
import { quantizePrice } from "../../core/history/bars-codec.ts";
import type { HistoryRequest } from "../../core/history/ticker-history.ts";
import type { FetchFailure, HistoryOptions, HistoryResult } from "../../core/market-data.port.ts";
import { isIsoDate, isoDateFromEpochMs, providerRequest } from "./bars.ts";
import { type FailureContext, failure, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { HistoryRequests } from "./history-requests.ts";
import { historyOrNotFound, historyWindow, RawBarCollector } from "./history-window.ts";
import { buildPath } from "./http.ts";
import { MAX_PAGES, nextPagePath, PROVIDER, readPage, resultsOf } from "./polygon.ts";
import { isRecord, type JsonRecord, typeName } from "./shape.ts";

/**
 * Polygon's (Massive's) history of a ticker: raw bars, then its splits, then its dividends, each
 * paged through `next_url`, every request after the first behind the caller's gate.
 *
 * - Bars: `/v2/aggs/ticker/{T}/range/1/day/{from}/{to}?adjusted=false`, as traded.
 * - Splits: `GET /stocks/v1/splits?ticker=T` → `results: [{execution_date, split_from,
 *   split_to, adjustment_type, historical_adjustment_factor, ...}]`: `split_from` old shares
 *   become `split_to` new ones on `execution_date`, the first session at the new count
 *   ("on the execution date, all trading is already adjusted"). `adjustment_type` is
 *   forward_split, reverse_split or stock_dividend: shares issued as a dividend change the
 *   share count as a split does, and are one here.
 * - Dividends: `GET /stocks/v1/dividends?ticker=T` → `results: [{ex_dividend_date,
 *   cash_amount, split_adjusted_cash_amount, ...}]`; `cash_amount` is per share outstanding on
 *   the ex-date (Massive does not adjust historical dividends for splits).
 *
 * Both list endpoints default to 100 rows (at most 5000) and take `execution_date.gte` /
 * `ex_dividend_date.gte`: an incremental request asks only for actions from its first date.
 * Without a ticker they answer for the whole market, so a row for another ticker means the
 * filter was not applied and the answer is refused.
 */

/** Rows per page of splits or dividends: one page holds any ticker's whole record. */
const ACTIONS_PER_PAGE = 1000;

export async function fetchPolygonHistory(
  config: ResolvedProviderConfig,
  symbol: string,
  request: HistoryRequest,
  options: HistoryOptions | undefined,
): Promise<HistoryResult> {
  const { providerSymbol, ctx } = providerRequest(PROVIDER, config.apiKey, symbol);
  const window = historyWindow(request);
  const requests = new HistoryRequests(config, ctx, options);
  const collector = new RawBarCollector(PROVIDER);
  const barsPath = buildPath(
    config,
    `/v2/aggs/ticker/${encodeURIComponent(providerSymbol)}/range/1/day/${window.from}/${window.to}`,
    { adjusted: "false", sort: "asc", limit: 50_000, apiKey: config.apiKey },
  );
  const barsRead = await readAllPages(config, ctx, requests, barsPath, "aggregates", (results) => {
    for (let i = 0; i < results.length; i++) {
      const bar = results[i];
      if (!isRecord(bar) || typeof bar.t !== "number" || !Number.isFinite(bar.t))
        return `results[${i}] is not a bar with a numeric t`;
      collector.add(isoDateFromEpochMs(bar.t), bar.o, bar.h, bar.l, bar.c, bar.v);
    }
    return undefined;
  });
  if (barsRead) return barsRead;
  // A whole-history request without a bar is a ticker Polygon does not carry: no actions to ask for.
  const bars = historyOrNotFound(ctx, request, collector, [], requests.bytes, providerSymbol);
  if (!bars.ok) return bars;

  const from = request.kind === "incremental" ? request.from : undefined;
  const actions: CorporateAction[] = [];
  const readRows = (kind: "split" | "dividend") => (results: unknown[]) => {
    for (let i = 0; i < results.length; i++) {
      const row = results[i];
      if (!isRecord(row)) return `${kind} ${i} is ${typeName(row)}, expected an object`;
      if (typeof row.ticker === "string" && row.ticker !== providerSymbol)
        return `${kind} ${i} is for ${quote(row.ticker)}, not ${providerSymbol}: the ticker filter was not applied`;
      const read = kind === "split" ? splitOf(row) : dividendOf(row);
      if (typeof read === "string") return `${kind} ${i}: ${read}`;
      if (read && (from === undefined || read.exDate >= from)) actions.push(read);
    }
    return undefined;
  };
  const actionsQuery = (dateField: string) => ({
    ticker: providerSymbol,
    [`${dateField}.gte`]: from,
    limit: ACTIONS_PER_PAGE,
    apiKey: config.apiKey,
  });
  const splitsPath = buildPath(config, "/stocks/v1/splits", actionsQuery("execution_date"));
  const splitsRead = await readAllPages(config, ctx, requests, splitsPath, "splits", readRows("split"));
  if (splitsRead) return splitsRead;
  const dividendsPath = buildPath(config, "/stocks/v1/dividends", actionsQuery("ex_dividend_date"));
  const dividendsRead = await readAllPages(
    config,
    ctx,
    requests,
    dividendsPath,
    "dividends",
    readRows("dividend"),
  );
  if (dividendsRead) return dividendsRead;
  return { ok: true, bars: bars.bars, actions: sortActions(actions), bytes: requests.bytes };
}

/**
 * Requests `path` and every page its `next_url`s lead to, handing each page's results to
 * `read` (which answers why they are not what it expects, or undefined). Undefined when every
 * page was read; otherwise the failure.
 */
async function readAllPages(
  config: ResolvedProviderConfig,
  ctx: FailureContext,
  requests: HistoryRequests,
  firstPath: string,
  what: string,
  read: (results: unknown[]) => string | undefined,
): Promise<FetchFailure | undefined> {
  let path: string | undefined = firstPath;
  for (let page = 0; path !== undefined; page++) {
    if (page === MAX_PAGES)
      return failure(ctx, "invalid-response", `${what}: more than ${MAX_PAGES} pages of next_url; stopped`);
    const response = await requests.get(path);
    if ("kind" in response) return response;
    const got = readPage(ctx, response);
    if (!got.ok) return got.failure;
    const results = resultsOf(ctx, got.body);
    if (!Array.isArray(results)) return { ...results, message: `${what}: ${results.message}` };
    const problem = read(results);
    if (problem !== undefined) return failure(ctx, "invalid-response", `${what}: ${problem}`);
    const next = nextPath(config, got.body);
    if (next === null) return failure(ctx, "invalid-response", `${what}: next_url is not a Polygon API URL`);
    path = next;
  }
  return undefined;
}

/** The path of the page after this one; undefined on the last page, null for a next_url we cannot follow. */
function nextPath(config: ResolvedProviderConfig, body: JsonRecord): string | undefined | null {
  const next = body.next_url;
  if (typeof next !== "string" || next === "") return undefined;
  return nextPagePath(config, next) ?? null;
}

const positive = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;

/** A split row as an action; undefined for one that changes nothing; a string saying what is wrong. */
function splitOf(row: JsonRecord): CorporateAction | undefined | string {
  const { execution_date: exDate, split_from: from, split_to: to } = row;
  if (!isIsoDate(exDate)) return `execution_date is ${quote(JSON.stringify(exDate) ?? "undefined")}`;
  if (!positive(from) || !positive(to))
    return `split_from ${JSON.stringify(from)} and split_to ${JSON.stringify(to)} are not positive share counts`;
  if (from === to) return undefined;
  return { type: "split", exDate, from, to, provider: PROVIDER };
}

/** A dividend row as an action; undefined for a zero amount (nothing paid); a string saying what is wrong. */
function dividendOf(row: JsonRecord): CorporateAction | undefined | string {
  const { ex_dividend_date: exDate, cash_amount: amount } = row;
  if (!isIsoDate(exDate)) return `ex_dividend_date is ${quote(JSON.stringify(exDate) ?? "undefined")}`;
  if (amount === 0) return undefined;
  if (!positive(amount)) return `cash_amount ${JSON.stringify(amount)} is not a positive amount`;
  return { type: "dividend", exDate, amount: quantizePrice(amount), provider: PROVIDER };
}
