import type { ProviderName } from "../market-data.port.ts";

/**
 * The response cache's key for one ticker's bars. The provider and the
 * history length are part of it (different answers); the value expires by TTL,
 * which bounds its age. `v2` follows the series codec's format version.
 */
export function cacheKey(provider: ProviderName, days: number, symbol: string): string {
  return `tf:bars:v2:${provider}:${days}:${symbol}`;
}

/** The cache key of one ticker's earnings growth (income statements change once a quarter). */
export function fundamentalsCacheKey(provider: ProviderName, symbol: string): string {
  return `tf:fundamentals:v1:${provider}:${symbol}`;
}
