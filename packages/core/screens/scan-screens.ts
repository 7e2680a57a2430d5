import type { ScanSummary, ScoredResult } from "../pipeline/records.ts";
import { fromStoredMetrics } from "../pipeline/stored-metrics.ts";
import { finalizeUniverse } from "../scoring/cross-section.ts";
import type { MarketDirection } from "../scoring/market-direction.ts";
import { byComposite, type ScreenValues, screenValues } from "./fields.ts";
import type { Screen } from "./screen.ts";

/** A scored ticker of a scan with its screen fields and the screens it passes. */
export interface ScreenedTicker {
  ticker: string;
  values: ScreenValues;
  /** Names of the screens it matches, in the order given. */
  matches: string[];
}

/**
 * A finished scan's scored tickers, scored again as finalize scored them (RS ratings, trend
 * template, composite: finalizeUniverse over the same stored metrics, benchmark returns and
 * market score), with their screen fields, and which of `screens` each passes. Sorted by
 * composite score, best first (ties by symbol).
 */
export function screenScan(
  results: readonly ScoredResult[],
  summary: Pick<ScanSummary, "benchmarkSource" | "benchmarkReturns" | "market" | "marketScore">,
  screens: readonly Screen[],
): ScreenedTicker[] {
  const entries = results.map((r) => ({
    metrics: fromStoredMetrics(r.ticker, r.metrics, r.breadth),
    ...(r.fundamentals ? { fundamentals: r.fundamentals } : {}),
  }));
  const benchmarkReturns =
    summary.benchmarkSource === "benchmark" ? summary.benchmarkReturns.map((r) => r ?? Number.NaN) : null;
  // Older scans kept the market score rounded; theirs is used as it is.
  const score = summary.marketScore !== undefined ? summary.marketScore : summary.market.score;
  const market = score === null ? null : ({ defined: true, score } as MarketDirection);
  const universe = finalizeUniverse(entries, { benchmarkReturns, market });
  const screened = universe.scores.map((s, i) => {
    const values = screenValues(entries[i]!.metrics, s);
    return {
      ticker: s.symbol,
      values,
      matches: screens.filter((sc) => sc.matches(values)).map((sc) => sc.name),
    };
  });
  return screened.sort(byComposite);
}
