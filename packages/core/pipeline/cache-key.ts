import type { ProviderName } from "../market-data.port.ts";

/** The cache key of one ticker's earnings growth (income statements change once a quarter). */
export function fundamentalsCacheKey(provider: ProviderName, symbol: string): string {
  return `tf:fundamentals:v1:${provider}:${symbol}`;
}
