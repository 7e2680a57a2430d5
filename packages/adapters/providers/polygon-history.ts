import { type CorporateAction, sortActions } from "../../core/history/actions.ts";
import type { HistoryRequest } from "../../core/history/ticker-history.ts";
import type { HistoryOptions, HistoryResult } from "../../core/market-data.port.ts";
import { isoDateFromEpochMs, providerRequest } from "./bars.ts";
import { quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { HistoryRequests } from "./history-requests.ts";
import { historyOrNotFound, historyWindow, RawBarCollector } from "./history-window.ts";
import { buildPath } from "./http.ts";
import { PROVIDER, readAllPages } from "./polygon.ts";
import { dividendOf, splitOf } from "./polygon-actions.ts";
import { isRecord, typeName } from "./shape.ts";

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
