import type { CorporateAction } from "./history/actions.ts";
import type { RawBar, RawHistory } from "./history/raw-history.ts";
import type { HistoryRequest } from "./history/ticker-history.ts";
import type { Fundamentals } from "./scoring/canslim.ts";
import type { Series } from "./series.ts";

/** The market-data providers tickerfleet speaks to. */
export const PROVIDERS = ["yahoo", "fmp", "polygon", "alphavantage", "alpaca"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export function isProviderName(value: unknown): value is ProviderName {
  return typeof value === "string" && (PROVIDERS as readonly string[]).includes(value);
}

/** How much history to ask for: the last `days` trading days (bars), ending today or at `to`. */
export interface DailyRange {
  /** Number of trading-day bars wanted (the adapter asks for enough calendar days and trims). */
  days: number;
  /** Last calendar date wanted, ISO `YYYY-MM-DD`; default: today (UTC). */
  to?: string;
}

/**
 * Why a fetch did not produce a Series. Expected outcomes are values, not
 * exceptions: the fetcher decides what to retry from `kind` alone.
 * - `rate-limited`: the provider said "too many requests" (HTTP 429, FMP's
 *   "Limit Reach" body, Alpha Vantage's 200 + "Information"/"Note").
 *   `retryAfterMs` when the provider said how long to wait.
 * - `transient`: 5xx, timeout, connection reset, truncated body. Retry later.
 * - `not-found`: the provider does not know the symbol. Permanent.
 * - `invalid-response`: a body that is not the documented shape. Permanent for this attempt.
 * - `unauthorized`: missing or rejected API key (401/403). Permanent until the config changes.
 */
export type FetchFailureKind =
  | "rate-limited"
  | "transient"
  | "not-found"
  | "invalid-response"
  | "unauthorized";

export interface FetchFailure {
  ok: false;
  kind: FetchFailureKind;
  provider: ProviderName;
  /** Canonical symbol. */
  symbol: string;
  /** Human-readable, never contains an API key. */
  message: string;
  /** HTTP status when there was a response. */
  status?: number;
  retryAfterMs?: number;
}

export interface FetchSuccess {
  ok: true;
  series: Series;
}

export type FetchResult = FetchSuccess | FetchFailure;

/** Earnings growth from a provider's income statements; `{}` when it has none (an ETF, a new listing). */
export type FundamentalsResult = { ok: true; fundamentals: Fundamentals } | FetchFailure;

/**
 * Raw bars (as traded, not adjusted) and the corporate actions the provider reports for the
 * window asked for; `bytes` is the size of the provider's answers (bodies), for the scan's count.
 */
export interface HistorySuccess {
  ok: true;
  bars: RawHistory;
  actions: CorporateAction[];
  bytes: number;
}

export type HistoryResult = HistorySuccess | FetchFailure;

/**
 * Waits for the shared rate limit's token for one more request. The first request of a
 * fetchHistory call has its token already; an adapter that needs more (bars, then splits, then
 * dividends) awaits this before each further one. It throws TokenWaitError when no token comes
 * in time; the fetcher hands the ticker back for that long.
 */
export type RequestGate = () => Promise<void>;

export interface HistoryOptions {
  signal?: AbortSignal;
  /** Before every request after the first. @default no wait (a caller without a shared limit) */
  nextRequest?: RequestGate;
}

/** No token for the next request of a history within the inline wait: ask again after `retryAfterMs`. */
export class TokenWaitError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`no rate-limit token for the next request within the inline wait (next in ${retryAfterMs} ms)`);
    this.name = "TokenWaitError";
  }
}

/**
 * Every symbol's raw bar of one session, from a provider that answers for the whole market at
 * once (Polygon grouped daily, FMP's end-of-day bulk), keyed by canonical symbol. `unmapped`
 * counts the provider's symbols with no canonical form (its own spellings of units, when-issued
 * lines…), left out. A session the trading calendar says had no trading answers no bars.
 */
export interface MarketDaySuccess {
  ok: true;
  date: string;
  bars: Map<string, RawBar>;
  unmapped: number;
  bytes: number;
}

export type MarketDayResult = MarketDaySuccess | FetchFailure;

/** Corporate actions of the whole market with ex-dates in a range, by canonical symbol. */
export interface MarketActionsSuccess {
  ok: true;
  actions: Map<string, CorporateAction[]>;
  unmapped: number;
  bytes: number;
}

export type MarketActionsResult = MarketActionsSuccess | FetchFailure;

/** Raw bars of many symbols over a range (Alpaca's multi-symbol bars), by canonical symbol. */
export interface SymbolsHistorySuccess {
  ok: true;
  bars: Map<string, RawHistory>;
  bytes: number;
}

export type SymbolsHistoryResult = SymbolsHistorySuccess | FetchFailure;

/**
 * What a provider can answer beyond one ticker at a time (the request planner reads these).
 * Each request of a call after the first waits at `options.nextRequest` for its own token, as
 * fetchHistory's do.
 */
export interface MarketWideData {
  /** Every symbol's bar of one session: one request (plus pages). */
  fetchMarketDay?(date: string, options?: HistoryOptions): Promise<MarketDayResult>;
  /** The whole market's splits and dividends with ex-dates from `from` to `to` (inclusive). */
  fetchMarketActions?(from: string, to: string, options?: HistoryOptions): Promise<MarketActionsResult>;
  /** Raw bars of up to a few hundred symbols from `from` to `to`, paged by the provider. */
  fetchSymbolsHistory?(
    symbols: readonly string[],
    from: string,
    to: string,
    options?: HistoryOptions,
  ): Promise<SymbolsHistoryResult>;
}

/** The port a fetcher needs from a market-data provider. */
export interface MarketDataProvider extends MarketWideData {
  readonly name: ProviderName;
  /** Daily bars for one canonical symbol. Never throws for provider behaviour; returns a FetchFailure. */
  fetchDaily(symbol: string, range: DailyRange, options?: { signal?: AbortSignal }): Promise<FetchResult>;
  /**
   * Raw daily bars and corporate actions for one canonical symbol: the whole lookback, or every
   * session from a date on (as many as the provider has, up to its latest). Never throws for
   * provider behaviour; returns a FetchFailure.
   */
  fetchHistory(symbol: string, request: HistoryRequest, options?: HistoryOptions): Promise<HistoryResult>;
  /** Earnings growth (C and A of CANSLIM), from providers that publish income statements (FMP). One request. */
  fetchFundamentals?(symbol: string, options?: { signal?: AbortSignal }): Promise<FundamentalsResult>;
}
