import type { ProviderName } from "../market-data.port.ts";

/**
 * What each provider can answer, as the request planner counts it: requests, not code. The
 * adapters (packages/adapters/providers) are what make these requests; these are the numbers a
 * plan is made of, kept beside the planner so it stays pure.
 */
export interface ProviderCapabilities {
  /** One ticker's history, bars and actions: the requests it takes (Polygon: bars, splits, dividends). */
  perTicker: { requests: number };
  /** Every symbol's bar of one session in one request (Polygon grouped daily, FMP eod-bulk). */
  marketDay?: { requestsPerSession: number };
  /** Many symbols' bars at once (Alpaca): symbols per request, bars per page (counted across symbols). */
  symbolPages?: { symbolsPerRequest: number; barsPerPage: number };
  /** The whole market's splits and dividends for a date range: requests, before pages. */
  marketActions?: { requests: number };
}

/**
 * The providers tickerfleet speaks to. Symbols per Alpaca request: what keeps its URL under
 * ~2,000 characters (symbols average ~5 characters with the comma).
 */
export const PROVIDER_CAPABILITIES: Readonly<Partial<Record<ProviderName, ProviderCapabilities>>> & {
  readonly yahoo: ProviderCapabilities;
} = {
  yahoo: { perTicker: { requests: 1 } },
  alphavantage: { perTicker: { requests: 1 } },
  fmp: { perTicker: { requests: 3 }, marketDay: { requestsPerSession: 1 }, marketActions: { requests: 2 } },
  // Bars, then the actions (one request for a ticker's; the market's by date range, one page).
  alpaca: {
    perTicker: { requests: 2 },
    symbolPages: { symbolsPerRequest: 200, barsPerPage: 10_000 },
    marketActions: { requests: 1 },
  },
  polygon: {
    perTicker: { requests: 3 },
    marketDay: { requestsPerSession: 1 },
    marketActions: { requests: 2 },
  },
};

/** A provider's capabilities, or per-ticker requests only when nothing more is known of it. */
export function capabilitiesOf(provider: ProviderName): ProviderCapabilities {
  return PROVIDER_CAPABILITIES[provider] ?? { perTicker: { requests: 1 } };
}
