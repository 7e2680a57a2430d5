/**
 * Market-data provider adapters: each turns one provider's daily-bars API
 * into the MarketDataProvider port (packages/core/market-data.port.ts),
 * whole-market methods included (Polygon's grouped daily, FMP's bulk), over
 * one shared undici pool per origin. Build a provider once per
 * container (module scope) and reuse it. The providers, their keys and
 * secrets are one table: registry.ts.
 */

export type { ProviderConfig } from "./config.ts";
export { closeProviderPools } from "./http.ts";
export { createProvider, providerConfigFromEnv } from "./registry.ts";
