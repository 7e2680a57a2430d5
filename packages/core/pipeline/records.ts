import type { ProviderName } from "../market-data.port.ts";
import type { PlanStep } from "../planner/plan.ts";
import type { Fundamentals } from "../scoring/canslim.ts";
import type { UniverseName } from "../universes.ts";
import type { StoredMetrics } from "./stored-metrics.ts";

/**
 * The records a scan leaves behind, independent of how they are stored
 * (packages/adapters/dynamo maps them to DynamoDB items; README "Data model").
 */

export type ScanStatus = "RUNNING" | "FINALIZING" | "COMPLETE" | "PARTIAL";

export interface ScanRecord {
  scanId: string;
  universe: UniverseName | "custom";
  /** The provider asked first. */
  provider: ProviderName;
  /** The scan's fallback chain, `provider` first, when it has more than one provider. */
  providers?: ProviderName[];
  days: number;
  benchmark: string;
  trigger: "invoke" | "schedule";
  /** Tickers in the universe (the benchmark is fetched besides, not counted). */
  total: number;
  /** Chunks including the benchmark's. */
  chunkCount: number;
  status: ScanStatus;
  createdAt: string;
  /** The market session the scan is for: the last closed New York session when it started (absent on older scans). */
  session?: string;
  /** After this, the sweep finalizes the scan PARTIAL, naming what is unaccounted. */
  deadlineAt: string;
  /** Set once every chunk is on the fetch queue; a repeated start before that re-sends them. */
  enqueuedAt?: string;
  finishedAt?: string;
  /** Finalize's lease: another finalize may take over after it. */
  leaseUntil?: string;
  summary?: ScanSummary;
  /** Provider circuit breakers that fetchers opened while working for the scan. */
  breakerOpens?: number;
  /** Provider requests fetchers made for the scan (added by each fetcher invocation; absent on older scans). */
  providerRequests?: number;
  /** The request plan the scan runs (absent when every ticker is fetched on its own). */
  plan?: ScanPlanRecord;
  /** The scan's published report (notify writes it after finalize). */
  report?: ScanReportRecord;
}

/** Where a finished scan's report was published, or why it was not. */
export interface ScanReportRecord {
  /** The object's key in the reports bucket (`reports/<scanId>.html`). */
  key?: string;
  /** A presigned GET URL, valid until `expiresAt`. */
  url?: string;
  expiresAt?: string;
  bytes?: number;
  publishedAt?: string;
  attempts: number;
  /** Why publishing failed, after its attempts. */
  error?: string;
}

/**
 * A scan's plan as its record keeps it: the planner's steps and totals, what the store was
 * taken to hold, the units put on the fetch queue, and what the chunks made after them need.
 */
export interface ScanPlanRecord {
  requests: number;
  seconds: number;
  steps: PlanStep[];
  stored: { tickers: number; through: string | null };
  units: number;
  chunkSize: number;
  fundamentals: boolean;
}

export interface ScanSummary {
  scored: number;
  failed: number;
  unaccounted: number;
  /** Up to 200 failures with reasons; the results hold all of them. */
  failures: { ticker: string; reason: string }[];
  unaccountedTickers: string[];
  cacheHits: number;
  /** Provider circuit breakers opened while the scan ran (a provider failing again and again). */
  breakerOpens?: number;
  /** Tickers scored from each provider's bars (a fallback chain's: who served each); absent on older scans. */
  byProvider?: Partial<Record<ProviderName, number>>;
  /** How the scan's stored histories were made current (absent on scans before the bars store). */
  history?: ScanHistoryCounts;
  /** RS raw score thresholds (null = level not reached): see scoring/relative-strength ratingFromThresholds. */
  rsThresholds: (number | null)[];
  benchmarkSource: "benchmark" | "universe-median";
  /** The period returns (63/126/189/252 days) RS was measured against. */
  benchmarkReturns: (number | null)[];
  market: { state: string; score: number; reasons: string[] };
  /**
   * The market direction's score as the scores used it (unrounded), null when breadth left it
   * undefined: what a screen needs to compute the composite again exactly (screens/). Absent on older scans.
   */
  marketScore?: number | null;
  durationMs: number;
}

/** Of the scan's tickers: histories fetched whole, those that asked only for what they lacked, the sessions providers sent, and tickers flagged suspect-gap. */
export interface ScanHistoryCounts {
  tickersFull: number;
  tickersIncremental: number;
  sessionsFetched: number;
  suspectGaps: number;
}

export type ChunkRole = "universe" | "benchmark";

export interface ChunkRecord {
  scanId: string;
  chunk: number;
  role: ChunkRole;
  tickers: string[];
}

/**
 * The sets a chunk's progress keeps, each added to idempotently: scored and failed tickers,
 * those served from the response cache, those whose stored history was fetched whole or only
 * the sessions it lacked, `sessions` as `TICKER=n` (sessions the provider sent), and those
 * flagged suspect-gap.
 */
export const CHUNK_SETS = [
  "scored",
  "failed",
  "cached",
  "full",
  "incremental",
  "sessions",
  "suspect",
] as const;
export type ChunkSet = (typeof CHUNK_SETS)[number];

/** What one score message adds to its chunk's sets. */
export type ChunkUpdate = Record<ChunkSet, readonly string[]>;

/** A chunk's progress: which of its tickers are accounted for, and how. */
export interface ChunkProgress extends Record<ChunkSet, ReadonlySet<string>> {
  scanId: string;
  chunk: number;
  role: ChunkRole;
  /** Tickers in the chunk. */
  size: number;
}

/** True when every ticker of the chunk is scored or failed. */
export function chunkComplete(p: Pick<ChunkProgress, "size" | "scored" | "failed">): boolean {
  let accounted = p.scored.size;
  for (const t of p.failed) if (!p.scored.has(t)) accounted++;
  return accounted >= p.size;
}

export interface ScoredResult {
  scanId: string;
  ticker: string;
  status: "scored";
  source: "cache" | "provider";
  /** The provider whose bars the series ends with: in a fallback chain, the one that served it. */
  provider?: ProviderName;
  /** The per-ticker metrics (scoring/ticker-metrics) in their stored form. */
  metrics: StoredMetrics;
  /** Breadth contribution (scoring/breadth-contribution.ts), summed by finalize. */
  breadth: Uint8Array;
  /** Earnings growth (C and A of CANSLIM), when the scan asked for it and the provider had it. */
  fundamentals?: Fundamentals;
  /** `suspect-gap`: a large overnight move that no corporate action explains (kept, refetched once). */
  flags?: string[];
}

export interface FailedResult {
  scanId: string;
  ticker: string;
  status: "failed";
  reason: string;
  message: string;
  attempts: number;
}

export type ResultRecord = ScoredResult | FailedResult;

/** One leaderboard row, as finalize ranks it. */
export interface LeaderboardRow {
  rank: number;
  ticker: string;
  score: number;
  confidence: number;
  rsRating: number;
  trendCount: number;
  close: number;
  changePct: number | null;
  macdStage: string;
}
