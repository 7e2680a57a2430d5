import type { ScanChanges, ScanSnapshot } from "../changes/changes.ts";
import type { MarketDataProvider } from "../market-data.port.ts";
import type { StagedUnit } from "./plan-supply.ts";
import type {
  ChunkProgress,
  ChunkRole,
  ChunkUpdate,
  LeaderboardRow,
  ResultRecord,
  ScanRecord,
  ScanStatus,
  ScanSummary,
} from "./records.ts";
import type { StoredBreadth } from "./stored-breadth.ts";
import type { StoredMetrics } from "./stored-metrics.ts";

/**
 * The narrow ports the pipeline steps call. Adapters (packages/adapters)
 * implement them with the official clients; each step asks only for what it uses.
 */

export interface OutboundMessage<T> {
  body: T;
  /** 0..900, as SQS allows. */
  delaySeconds?: number;
}

/** Puts messages on a queue. Resolves once every message is accepted; throws if some could not be after retries. */
export interface MessageSender<T> {
  send(messages: readonly OutboundMessage<T>[]): Promise<void>;
}

/** The short-lived response cache: values are encoded series, keys are built by cacheKey(). */
export interface ResponseCache {
  /** One round trip for all keys; null where absent. */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  /** One round trip for all entries, each expiring after ttlSeconds. */
  setMany(entries: readonly (readonly [key: string, value: string])[], ttlSeconds: number): Promise<void>;
}

/**
 * Some tokens (1 to n; one when it is the probe of the provider's half-open breaker), or none
 * and how long until asking again makes sense (`breakerOpen`: the provider's breaker is open).
 */
export type TokenGrant =
  | { granted: true; tokens: number; probe?: true }
  | { granted: false; retryAfterMs: number; breakerOpen?: true };

/** Tokens of the provider's shared rate limit; take(n) takes up to n, or none. */
export interface TokenLimiter {
  take(n: number): Promise<TokenGrant>;
  /**
   * The provider refused a request for being over its limit: no taker of this limit, in any
   * function, gets tokens for `ms` (its Retry-After), or for the limiter's own pause when the
   * provider named none. `sentAtMs` (Date.now() when the refused request was sent) lets the
   * limiter learn how many the provider really allows.
   */
  holdOff(ms?: number, sentAtMs?: number): Promise<void>;
  /** The most tokens one take may ask for. */
  readonly maxTake: number;
  /**
   * A request failed transiently (5xx, timeout, reset, invalid body): counted toward the
   * provider's circuit breaker (core/breaker.ts), shared by every function. Answers `open` when
   * the breaker is open now. A limiter without a breaker leaves it out.
   */
  failed?(): Promise<"counted" | "open">;
  /** A request succeeded: clears the failures counted, or closes a half-open breaker. A command only then. */
  succeeded?(): Promise<void>;
}

/** What the fetcher needs of one provider: its adapter, and the shared limit its requests take tokens from. */
export interface ProviderAccess {
  provider: MarketDataProvider;
  limiter: TokenLimiter;
}

/** Where a scan's plan units leave what they fetched until the last one is in (gather.ts, assemble.ts). */
export interface PlanStage {
  /** Stages a unit's share for one assembly group; a unit staged again replaces its earlier share. */
  put(scanId: string, group: number, unit: number, staged: StagedUnit): Promise<void>;
  /** Every unit's share staged for the scan's group. */
  read(scanId: string, group: number): Promise<StagedUnit[]>;
}

/** A planned scan's record and its units' progress (scans table). */
export interface PlanProgress {
  getScan(scanId: string): Promise<ScanRecord | undefined>;
  /** The scan's tickers, as scan-start recorded them. */
  tickers(scanId: string): Promise<string[]>;
  /** Counts a unit as staged, once however often it is told; answers how many are staged. */
  markUnitStaged(scanId: string, unit: number): Promise<number>;
}

export interface StartScanStore {
  /** Writes the scan record unless one with this id exists; returns the existing one then. */
  createScan(record: ScanRecord): Promise<{ created: true } | { created: false; existing: ScanRecord }>;
  /** Records the scan's tickers (idempotent), so finalize can name those never accounted for. */
  putTickers(scanId: string, tickers: readonly string[]): Promise<void>;
  markEnqueued(scanId: string, at: string): Promise<void>;
}

export interface ScoreStore {
  /** Scored results overwrite anything; a failure never overwrites a scored result. */
  putResults(results: readonly ResultRecord[]): Promise<void>;
  putBenchmark(scanId: string, metrics: StoredMetrics): Promise<void>;
  /**
   * Adds tickers to a chunk's accounted sets (idempotent; the chunk's record is created by
   * its first update) and returns the chunk's progress after.
   */
  recordChunkProgress(
    scanId: string,
    chunk: { index: number; size: number; role: ChunkRole },
    update: ChunkUpdate,
  ): Promise<ChunkProgress>;
}

/**
 * Which of a scan's chunks are complete: a set in Upstash (adding is idempotent,
 * so a chunk completed twice counts once), one command per completed chunk.
 */
export interface ScanCoordinator {
  /** Adds a completed chunk; returns how many chunks of the scan are complete. */
  markChunkDone(scanId: string, chunk: number): Promise<number>;
}

export interface FinalizeStore {
  getScan(scanId: string): Promise<ScanRecord | undefined>;
  /** RUNNING → FINALIZING, or a FINALIZING scan whose lease expired; undefined if not claimable. */
  claimFinalize(scanId: string, now: Date, leaseMs: number): Promise<ScanRecord | undefined>;
  /** Every result of the scan, read eventually consistent (half the cost; resultsOf fills any gap). */
  results(scanId: string): AsyncIterable<ResultRecord>;
  /** Some tickers' results, read consistently. */
  resultsOf(scanId: string, tickers: readonly string[]): Promise<ResultRecord[]>;
  chunks(scanId: string): Promise<ChunkProgress[]>;
  /** The scan's tickers, as scan-start recorded them. */
  tickers(scanId: string): Promise<string[]>;
  getBenchmark(scanId: string): Promise<StoredMetrics | undefined>;
  /** Writes leaderboard and breadth, then the final status, guarded by the lease. */
  completeScan(input: {
    scanId: string;
    status: Extract<ScanStatus, "COMPLETE" | "PARTIAL">;
    finishedAt: string;
    summary: ScanSummary;
    leaderboard: readonly LeaderboardRow[];
    breadth: StoredBreadth;
    /** What the next scan's changes are read from, and this scan's changes from the previous. */
    snapshot?: ScanSnapshot;
    changes?: ScanChanges;
    leaseUntil: string;
  }): Promise<boolean>;
  /** The last finished scan of the scan's universe before it, with its snapshot; undefined when there is none. */
  previousSnapshot(scan: ScanRecord): Promise<{ scanId: string; snapshot: ScanSnapshot } | undefined>;
  /** RUNNING or FINALIZING scans whose deadline passed. */
  overdueScans(now: Date): Promise<ScanRecord[]>;
}
