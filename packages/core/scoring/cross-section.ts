/**
 * Finalize's cross-sectional step over a whole scan: RS raw scores against
 * the benchmark (or, without one, the universe's median stock), RS ratings
 * and their thresholds, and each ticker's final score, in input order.
 * Market direction comes from breadth (market-direction.ts) and is passed in.
 */

import type { Fundamentals } from "./canslim.ts";
import type { MarketDirection } from "./market-direction.ts";
import {
  medianBenchmarkReturns,
  RS_PERIODS,
  returnsFromFields,
  rsRatings,
  rsRawScore,
} from "./relative-strength.ts";
import { finalizeTicker, type TickerMetrics, type TickerScore } from "./ticker-metrics.ts";

export interface UniverseEntry {
  metrics: TickerMetrics;
  fundamentals?: Fundamentals;
}

export interface FinalizeUniverseOptions {
  /**
   * The benchmark's period returns (e.g. SPY's `periodReturns(adjClose)`),
   * indexed like RS_PERIODS. When null/omitted, or when its 63-day return is
   * missing, the universe's median period returns are used instead.
   * @default null
   */
  benchmarkReturns?: ArrayLike<number> | null;
  /** Market direction from the scan's breadth; null leaves M out of every score. */
  market: MarketDirection | null;
}

export interface UniverseScores {
  /** One per entry, in input order. */
  scores: TickerScore[];
  /** RS rating thresholds of this scan (store them with the scan; see ratingFromThresholds). */
  thresholds: Float64Array;
  /** What the RS raw scores were measured against. */
  benchmark: { source: "benchmark" | "universe-median"; returns: Float64Array };
  /** The RS confidence (Σ weights of the periods used) per entry, in input order; 0 = no RS raw. */
  rsConfidence: Float64Array;
}

export function finalizeUniverse(
  entries: readonly UniverseEntry[],
  options: FinalizeUniverseOptions,
): UniverseScores {
  const given = options.benchmarkReturns;
  const useGiven = given != null && given.length >= RS_PERIODS.length && Number.isFinite(given[0]);
  const benchmark = useGiven
    ? { source: "benchmark" as const, returns: Float64Array.from(given) }
    : {
        source: "universe-median" as const,
        returns: medianBenchmarkReturns(entries.map((e) => e.metrics)),
      };
  const n = entries.length;
  const raw = new Float64Array(n);
  const rsConfidence = new Float64Array(n);
  const returns = new Float64Array(RS_PERIODS.length);
  for (let i = 0; i < n; i++) {
    const rs = rsRawScore(returnsFromFields(entries[i]!.metrics, returns), benchmark.returns);
    raw[i] = rs.raw;
    rsConfidence[i] = rs.confidence;
  }
  const { ratings, thresholds } = rsRatings(raw);
  const scores = entries.map((entry, i) =>
    finalizeTicker(entry.metrics, {
      rsRating: ratings[i]!,
      rsRaw: raw[i]!,
      market: options.market,
      fundamentals: entry.fundamentals,
    }),
  );
  return { scores, thresholds, benchmark, rsConfidence };
}
