import type { ScanChanges } from "../changes/changes.ts";
import type { ProviderName } from "../market-data.port.ts";
import type { ScanStatus } from "../pipeline/records.ts";
import type { StoredBreadth } from "../pipeline/stored-breadth.ts";

/**
 * Everything a scan's report shows, gathered from the stores (adapters) and
 * handed to the pure renderer (render-report.ts): no I/O happens while rendering.
 */
export interface ReportData {
  scan: ReportScan;
  /** Every scored ticker, best composite first (what `tickerfleet export` lists as scored). */
  rows: ReportRow[];
  /** The screens the rows were matched against, in the order of `ReportRow.screens`. */
  screens: { name: string; expression: string }[];
  /** The changes since the previous finished scan of the universe, when the scan kept them. */
  changes?: ScanChanges;
  /** Market breadth over the scan's window, as finalize stored it. */
  breadth?: StoredBreadth;
  /** Price charts of the top tickers (up to 20), best first. */
  charts: ReportPriceChart[];
  /** When the report was rendered (ISO 8601). */
  generatedAt: string;
}

export interface ReportScan {
  scanId: string;
  universe: string;
  /** The provider asked first, and the chain when it had more than one. */
  provider: ProviderName;
  providers?: ProviderName[];
  /** The plan's figures when the scan ran a request plan. */
  plan?: { requests: number; seconds: number };
  status: ScanStatus;
  /** The market session the scan is for. */
  session?: string;
  createdAt: string;
  finishedAt?: string;
  durationMs?: number;
  total: number;
  scored: number;
  failed: number;
  unaccounted: number;
  /** Provider requests the scan made, when they were counted; null when unknown. */
  providerRequests: number | null;
  /** The scan's cost in US dollars at list prices, when measured; null when unknown. */
  costUsd: number | null;
  byProvider?: Partial<Record<ProviderName, number>>;
  cacheHits?: number;
  market?: { state: string; score: number; reasons: string[] };
  /** Failed and unaccounted tickers with their reasons (the first 200). */
  failures: { ticker: string; reason: string }[];
}

/** One scored ticker as the leaderboard shows it. */
export interface ReportRow {
  rank: number;
  ticker: string;
  /** Composite score 0–100 (null when it had no inputs). */
  composite: number | null;
  rs: number | null;
  trend: number | null;
  close: number | null;
  changePct: number | null;
  volumeRatio: number | null;
  rsi14: number | null;
  pctFromHigh: number | null;
  macdStage: string | null;
  provider: string | null;
  /** Indexes into `ReportData.screens` of the screens this ticker passes. */
  screens: number[];
}

/** A top ticker's adjusted closes and averages over the scan's window (null before an average is defined). */
export interface ReportPriceChart {
  ticker: string;
  rank: number;
  dates: string[];
  close: number[];
  sma50: (number | null)[];
  sma150: (number | null)[];
  sma200: (number | null)[];
}
