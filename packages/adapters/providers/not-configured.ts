import type {
  DailyRange,
  FetchResult,
  HistoryResult,
  MarketDataProvider,
  ProviderName,
} from "../../core/market-data.port.ts";

/**
 * Stands in for a provider whose configuration is missing (no API key): every
 * ticker fails at once as `unauthorized`, naming what to set, so a scan ends
 * PARTIAL with the reason instead of retrying until its messages reach the DLQ.
 */
export function notConfiguredProvider(name: ProviderName, problem: string): MarketDataProvider {
  return {
    name,
    async fetchDaily(symbol: string, _range: DailyRange): Promise<FetchResult> {
      return { ok: false, kind: "unauthorized", provider: name, symbol, message: problem };
    },
    async fetchHistory(symbol: string): Promise<HistoryResult> {
      return { ok: false, kind: "unauthorized", provider: name, symbol, message: problem };
    },
  };
}
