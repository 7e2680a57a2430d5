import type { MarketDataProvider, ProviderName } from "../../core/market-data.port.ts";
import { createAlphaVantageProvider } from "./alphavantage.ts";
import { type ProviderConfig, resolveProviderConfig } from "./config.ts";
import { createFmpProvider } from "./fmp.ts";
import { createPolygonProvider } from "./polygon.ts";
import { createPolygonGroupedDailyFromResolved, type GroupedDailyResult } from "./polygon-grouped.ts";
import { createYahooProvider } from "./yahoo.ts";

/**
 * Market-data provider adapters: each turns one provider's daily-bars API
 * into the MarketDataProvider port (packages/core/market-data.port.ts),
 * over one shared undici pool per origin. Build a provider once per
 * container (module scope) and reuse it.
 */

export {
  API_KEY_ENV,
  BASE_URL_ENV,
  DEFAULT_BASE_URLS,
  type ProviderConfig,
  providerConfigFromEnv,
} from "./config.ts";
export { closeProviderPools } from "./http.ts";
export type { GroupedDailyResult } from "./polygon-grouped.ts";

/** A MarketDataProvider for `name`. Throws ConfigError for a bad config (bad URL, keyed provider without key). */
export function createProvider(name: ProviderName, config: ProviderConfig): MarketDataProvider {
  const resolved = resolveProviderConfig(name, config);
  switch (name) {
    case "yahoo":
      return createYahooProvider(resolved);
    case "fmp":
      return createFmpProvider(resolved);
    case "polygon":
      return createPolygonProvider(resolved);
    case "alphavantage":
      return createAlphaVantageProvider(resolved);
  }
}

/** Polygon grouped daily: every US stock's bar for one date in one request, keyed by canonical symbol. */
export function createPolygonGroupedDaily(config: ProviderConfig): {
  fetchGroupedDaily(date: string, options?: { signal?: AbortSignal }): Promise<GroupedDailyResult>;
} {
  return createPolygonGroupedDailyFromResolved(resolveProviderConfig("polygon", config));
}
