import type { BarsStore } from "../history/bars-store.port.ts";
import { DEFAULT_HISTORY_POLICY, type HistoryPolicy } from "../history/ticker-history.ts";
import type { ProviderName } from "../market-data.port.ts";
import type { FetchMessage, FetchTicker, ScoreMessage } from "./messages.ts";
import type { MessageSender, ProviderAccess, ResponseCache } from "./ports.ts";

/** The fetch step's settings, its ports and its report, shared by the files of the step (fetch-*.ts). */

export interface FetchConfig {
  /** How long a fetched series stays in the response cache. @default 300 */
  cacheTtlSeconds: number;
  /** Provider attempts per ticker before it is failed with the last reason. @default 5 */
  maxAttempts: number;
  /** Longest wait for rate-limit tokens inside the function; longer waits hand the work back with a delay. @default 2000 */
  maxInlineWaitMs: number;
  /** Stop taking new tickers when the invocation has less than this left (a provider request's timeout plus margin). @default 15000 */
  reserveMs: number;
  /** Backoff after transient failures. @default { baseMs: 2000, maxMs: 300000 } */
  backoff: { baseMs: number; maxMs: number };
  /**
   * Most provider requests in flight in one invocation. @default 30: what three 10-ticker chunks
   * held before chunks grew to 100. More in one container means more answers parsed on one event
   * loop while granted requests wait to go out: sent later than their grant by more than the
   * limit's jitter allowance, they land in the provider's next window (seen once: 110 in a
   * 100/s window, on the first sp500 scan of the e2e suite, with 64).
   */
  maxInFlight: number;
  /** Late corrections and the overnight-gap guard of the bars store. @default DEFAULT_HISTORY_POLICY */
  history: HistoryPolicy;
}

export const DEFAULT_FETCH_CONFIG: FetchConfig = {
  cacheTtlSeconds: 300,
  maxAttempts: 5,
  maxInlineWaitMs: 2000,
  reserveMs: 15_000,
  backoff: { baseMs: 2000, maxMs: 300_000 },
  maxInFlight: 30,
  history: DEFAULT_HISTORY_POLICY,
};

export interface FetchDeps {
  /** Every provider a message may name, with its shared limit: built once per container. */
  providers: Readonly<Record<ProviderName, ProviderAccess>>;
  cache: ResponseCache;
  /** Raw bars and corporate actions kept between scans. */
  bars: BarsStore;
  scoreQueue: MessageSender<ScoreMessage>;
  fetchQueue: MessageSender<FetchMessage>;
  /** Time left in the invocation. */
  remainingMs: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface FetchInput {
  /** The SQS messageId, reported back when this input could not be handled. */
  id: string;
  message: FetchMessage;
}

export interface FetchReport {
  /** Inputs to report as batchItemFailures. */
  failedIds: string[];
  /** Why outcomes could not be handed on (queue errors), for the log. */
  handoffErrors: string[];
  cacheHits: number;
  providerRequests: number;
  /** Size of the providers' answers. */
  providerBytes: number;
  /** Tickers whose whole lookback was fetched, and those that asked only for the sessions they lacked. */
  history: { full: number; incremental: number; sessionsFetched: number; refetchedForGaps: number };
  /** Sessions older than the correction window where a provider now disagrees with the stored bar (kept), for the log. */
  disagreements: string[];
  /** Chunks whose plan supply could not be read (their tickers were fetched per ticker). */
  supplyErrors: string[];
  /** Why the bars store could not be written (the series were scored anyway; the next scan fetches again). */
  storeErrors: string[];
  /** Tickers handed to the next provider of their scan's chain (fallback.ts). */
  fallbacks: number;
  /** Tickers handed back to the fetch queue (rate limit, transient failure, time running out). */
  requeued: number;
  outcomes: { series: number; failed: number };
  /** When a chunk asked for earnings growth: from the cache, from the provider, and left without (failure, or no time or tokens). */
  fundamentals?: { cached: number; fetched: number; missing: number };
}

/** One ticker of one input, and its key in the response cache. */
export interface Work {
  input: FetchInput;
  ticker: FetchTicker;
  key: string;
}

/** A ticker to hand back to the fetch queue, and after how long. */
export interface Retry {
  ticker: FetchTicker;
  delayMs: number;
}
