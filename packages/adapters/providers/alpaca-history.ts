import { type CorporateAction, sortActions } from "../../core/history/actions.ts";
import type { HistoryRequest } from "../../core/history/ticker-history.ts";
import type { HistoryOptions, HistoryResult } from "../../core/market-data.port.ts";
import { toProviderSymbol } from "../../core/symbols.ts";
import { actionsPath, readActionPages } from "./alpaca-actions.ts";
import { barsPath, readBarPages } from "./alpaca-bars.ts";
import { alpacaContext, PROVIDER } from "./alpaca-wire.ts";
import { failure, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { HistoryRequests } from "./history-requests.ts";
import { historyOrNotFound, historyWindow, RawBarCollector } from "./history-window.ts";

/**
 * Alpaca's history of one ticker: its raw bars (`adjustment=raw`, from the window's first day,
 * without an end: up to the latest session the plan may see), paged by `next_page_token`, then
 * its splits and cash dividends; every request after the first behind the caller's gate.
 *
 * The actions' query bounds their booking (`process_date`) from the window's first day to its
 * far end (a year past today), so a dividend gone ex but not yet paid is there too; an
 * incremental request keeps only actions from its first date on. Actions after the last
 * session are kept: core applies an action from its ex-date on.
 */
export async function fetchAlpacaHistory(
  config: ResolvedProviderConfig,
  symbol: string,
  request: HistoryRequest,
  options: HistoryOptions | undefined,
): Promise<HistoryResult> {
  const providerSymbol = toProviderSymbol(symbol, PROVIDER);
  const ctx = alpacaContext(config, symbol);
  const window = historyWindow(request);
  const requests = new HistoryRequests(config, ctx, options);
  const collector = new RawBarCollector(PROVIDER);
  const bars = barsPath(config, {
    symbols: [providerSymbol],
    start: window.from,
    end: undefined,
    adjustment: "raw",
  });
  const barsRead = await readBarPages(
    ctx,
    requests,
    bars,
    new Set([providerSymbol]),
    (_s, date, o, h, l, c, v) => collector.add(date, o, h, l, c, v),
  );
  if (barsRead) return barsRead;
  // A whole-history request without a bar is a ticker Alpaca does not carry: no actions to ask for.
  const history = historyOrNotFound(ctx, request, collector, [], requests.bytes, providerSymbol);
  if (!history.ok) return history;

  const from = request.kind === "incremental" ? request.from : undefined;
  const actions: CorporateAction[] = [];
  let stranger: string | undefined;
  const path = actionsPath(config, { symbols: [providerSymbol], start: window.from, end: window.to });
  const actionsRead = await readActionPages(ctx, requests, path, ({ symbol: rowSymbol, action }) => {
    if (rowSymbol !== providerSymbol) stranger ??= rowSymbol;
    else if (from === undefined || action.exDate >= from) actions.push(action);
  });
  if (actionsRead) return actionsRead;
  if (stranger !== undefined)
    return failure(
      ctx,
      "invalid-response",
      `corporate actions for ${quote(stranger)}, not ${providerSymbol}: the symbols filter was not applied`,
    );
  return { ok: true, bars: history.bars, actions: sortActions(actions), bytes: requests.bytes };
}
