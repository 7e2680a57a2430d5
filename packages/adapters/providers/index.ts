import type { ProviderConfig } from "./config.ts";
import { createPolygonGroupedDailyFromResolved, type GroupedDailyResult } from "./polygon-grouped.ts";
import { resolveKeyedConfig } from "./registry.ts";

/**
 * Market-data provider adapters: each turns one provider's daily-bars API
 * into the MarketDataProvider port (packages/core/market-data.port.ts),
 * over one shared undici pool per origin. Build a provider once per
 * container (module scope) and reuse it. The providers, their keys and
 * secrets are one table: registry.ts.
 */

export type { ProviderConfig } from "./config.ts";
export { closeProviderPools } from "./http.ts";
export type { GroupedDailyResult } from "./polygon-grouped.ts";
export { createProvider, providerConfigFromEnv } from "./registry.ts";

/** Polygon grouped daily: every US stock's bar for one date in one request, keyed by canonical symbol. */
export function createPolygonGroupedDaily(config: ProviderConfig): {
  fetchGroupedDaily(date: string, options?: { signal?: AbortSignal }): Promise<GroupedDailyResult>;
} {
  return createPolygonGroupedDailyFromResolved(resolveKeyedConfig("polygon", config));
}
