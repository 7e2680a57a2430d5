import type { HistoryRequest } from "../../core/history/ticker-history.ts";
import type {
  DailyRange,
  FetchResult,
  HistoryOptions,
  HistoryResult,
  MarketActionsResult,
  MarketDataProvider,
  SymbolsHistoryResult,
} from "../../core/market-data.port.ts";
import { toProviderSymbol } from "../../core/symbols.ts";
import { barsPath, readBarPages } from "./alpaca-bars.ts";
import { fetchAlpacaHistory } from "./alpaca-history.ts";
import { fetchAlpacaMarketActions, fetchAlpacaSymbolsHistory } from "./alpaca-market.ts";
import { alpacaContext, endOf, PROVIDER, withKeyHeaders } from "./alpaca-wire.ts";
import { BarCollector, dailyWindow, seriesOrNotFound } from "./bars.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { HistoryRequests } from "./history-requests.ts";

/**
 * Alpaca market data (`https://data.alpaca.markets`), keys in the `APCA-API-KEY-ID` and
 * `APCA-API-SECRET-KEY` headers, the feed (`sip` or `iex`) from the config:
 *
 * - fetchDaily: `/v2/stocks/bars` for one symbol with `adjustment=split` (split-adjusted prices
 *   and volumes; Alpaca's dividend adjustment is a separate request, so adjClose is the
 *   split-adjusted close, as Polygon's).
 * - fetchHistory: raw bars, then splits and cash dividends (alpaca-history.ts).
 * - fetchSymbolsHistory, fetchMarketActions: many symbols' bars at once, the whole market's
 *   actions (alpaca-market.ts).
 *
 * The wire, failures and key handling: alpaca-wire.ts; bars and actions pages: alpaca-bars.ts,
 * alpaca-actions.ts.
 */
export function createAlpacaProvider(resolved: ResolvedProviderConfig): MarketDataProvider {
  const config = withKeyHeaders(resolved);
  return {
    name: PROVIDER,

    async fetchDaily(
      symbol: string,
      range: DailyRange,
      options?: { signal?: AbortSignal },
    ): Promise<FetchResult> {
      const window = dailyWindow(range);
      const providerSymbol = toProviderSymbol(symbol, PROVIDER);
      const ctx = alpacaContext(config, symbol);
      const collector = new BarCollector();
      const path = barsPath(config, {
        symbols: [providerSymbol],
        start: window.from,
        end: endOf(window.to),
        adjustment: "split",
      });
      const requests = new HistoryRequests(config, ctx, options);
      const read = await readBarPages(
        ctx,
        requests,
        path,
        new Set([providerSymbol]),
        (_s, date, o, h, l, c, v) => collector.add(date, o, h, l, c, c, v),
      );
      if (read) return read;
      return seriesOrNotFound(ctx, collector, window, providerSymbol);
    },

    fetchHistory(symbol: string, request: HistoryRequest, options?: HistoryOptions): Promise<HistoryResult> {
      return fetchAlpacaHistory(config, symbol, request, options);
    },

    fetchSymbolsHistory(
      symbols: readonly string[],
      from: string,
      to: string,
      options?: HistoryOptions,
    ): Promise<SymbolsHistoryResult> {
      return fetchAlpacaSymbolsHistory(config, symbols, from, to, options);
    },

    fetchMarketActions(from: string, to: string, options?: HistoryOptions): Promise<MarketActionsResult> {
      return fetchAlpacaMarketActions(config, from, to, options);
    },
  };
}
