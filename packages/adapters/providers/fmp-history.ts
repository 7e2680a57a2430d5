import { type CorporateAction, sortActions } from "../../core/history/actions.ts";
import type { HistoryRequest } from "../../core/history/ticker-history.ts";
import type { HistoryOptions, HistoryResult } from "../../core/market-data.port.ts";
import { isIsoDate, providerRequest } from "./bars.ts";
import { failure, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { fmpBody, PROVIDER } from "./fmp.ts";
import { dividendOf, rowsOf, splitOf } from "./fmp-actions.ts";
import { HistoryRequests } from "./history-requests.ts";
import { historyOrNotFound, historyWindow, RawBarCollector } from "./history-window.ts";
import { buildPath } from "./http.ts";
import type { JsonRecord } from "./shape.ts";

/**
 * FMP's history of a symbol (stable API), three requests, the second and third behind the
 * caller's gate:
 *
 * - `GET /stable/historical-price-eod/non-split-adjusted?symbol=&from=&to=` → an array, newest
 *   first, of `{symbol, date, adjOpen, adjHigh, adjLow, adjClose, volume}`: prices and volume
 *   as traded, whatever the `adj` in their names says ("without adjustments for stock splits").
 * - `GET /stable/splits?symbol=` → `[{symbol, date, numerator, denominator, ...}]`:
 *   `denominator` old shares become `numerator` new ones on `date`, the ex-date.
 * - `GET /stable/dividends?symbol=` → `[{symbol, date, recordDate, paymentDate,
 *   declarationDate, adjDividend, dividend, yield, frequency}]`: `date` is the ex-date,
 *   `dividend` the cash per share outstanding then, `adjDividend` the same per share of today
 *   (split-adjusted, so not what the history stores).
 *
 * The actions endpoints answer a symbol's whole record (up to `limit`, 1000 at most) and take
 * no dates: an incremental request keeps the actions from its first date. Errors, quota
 * ("Limit Reach", with 200 or 429) and keys are read as fetchDaily reads them (fmpBody).
 */

/** FMP's cap on the records of one answer; asked for explicitly, as the documented default is smaller. */
const MAX_RECORDS = 1000;

export async function fetchFmpHistory(
  config: ResolvedProviderConfig,
  symbol: string,
  request: HistoryRequest,
  options: HistoryOptions | undefined,
): Promise<HistoryResult> {
  const { providerSymbol, ctx } = providerRequest(PROVIDER, config.apiKey, symbol);
  const window = historyWindow(request);
  const requests = new HistoryRequests(config, ctx, options);
  const get = async (path: string, query: Record<string, string | number>) => {
    const response = await requests.get(
      buildPath(config, path, { symbol: providerSymbol, ...query, apikey: config.apiKey }),
    );
    if ("kind" in response) return response;
    const read = fmpBody(ctx, response);
    if (!read.ok) return read;
    return rowsOf(ctx, read.body, path);
  };

  const barRows = await get("/stable/historical-price-eod/non-split-adjusted", {
    from: window.from,
    to: window.to,
  });
  if (!Array.isArray(barRows)) return barRows;
  const collector = new RawBarCollector(PROVIDER);
  for (let i = 0; i < barRows.length; i++) {
    const row = barRows[i] as JsonRecord;
    if (!isIsoDate(row.date))
      return failure(
        ctx,
        "invalid-response",
        `bar ${i} has date ${quote(JSON.stringify(row.date) ?? "undefined")}`,
      );
    collector.add(row.date, row.adjOpen, row.adjHigh, row.adjLow, row.adjClose, row.volume);
  }
  // A whole-history request without a bar is a symbol FMP does not carry: no actions to ask for.
  const bars = historyOrNotFound(ctx, request, collector, [], requests.bytes, providerSymbol);
  if (!bars.ok) return bars;

  const from = request.kind === "incremental" ? request.from : "";
  const actions: CorporateAction[] = [];
  for (const kind of ["split", "dividend"] as const) {
    const path = kind === "split" ? "/stable/splits" : "/stable/dividends";
    const rows = await get(path, { limit: MAX_RECORDS });
    if (!Array.isArray(rows)) return rows;
    for (let i = 0; i < rows.length; i++) {
      const action = (kind === "split" ? splitOf : dividendOf)(rows[i] as JsonRecord);
      if (typeof action === "string") return failure(ctx, "invalid-response", `${kind} ${i}: ${action}`);
      if (action && action.exDate >= from) actions.push(action);
    }
  }
  return { ok: true, bars: bars.bars, actions: sortActions(actions), bytes: requests.bytes };
}
