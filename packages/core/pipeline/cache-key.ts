import type { ProviderName } from "../market-data.port.ts";

/** The cache key of one ticker's earnings growth (income statements change once a quarter). */
export function fundamentalsCacheKey(provider: ProviderName, symbol: string): string {
  return `tf:fundamentals:v1:${provider}:${symbol}`;
}

/**
 * The response cache's key for a ticker's last answer from a provider, within one market
 * session: a scan for the next session never reuses an answer from before it.
 */
export function historyCacheKey(provider: ProviderName, session: string | undefined, symbol: string): string {
  return `tf:history:v1:${provider}:${session ?? "any"}:${symbol}`;
}
