import { scanChanges, snapshotOf } from "../changes/changes.ts";
import { type ChangeSettings, defaultChangeSettings } from "../changes/settings.ts";
import type { ProviderName } from "../market-data.port.ts";
import { BreadthAccumulator } from "../scoring/breadth-accumulator.ts";
import type { Fundamentals } from "../scoring/canslim.ts";
import { finalizeUniverse } from "../scoring/cross-section.ts";
import { marketDirection } from "../scoring/market-direction.ts";
import { leaderboard } from "../scoring/ranks.ts";
import { RS_PERIODS, returnsFromFields } from "../scoring/relative-strength.ts";
import type { TickerMetrics } from "../scoring/ticker-metrics.ts";
import { screenValues } from "../screens/fields.ts";
import type { NotifyMessage } from "./messages.ts";
import type { FinalizeStore, MessageSender } from "./ports.ts";
import type { LeaderboardRow, ResultRecord, ScanRecord, ScanSummary } from "./records.ts";
import { toStoredBreadth } from "./stored-breadth.ts";
import { fromStoredMetrics } from "./stored-metrics.ts";

export interface FinalizeDeps {
  store: FinalizeStore;
  now?: () => Date;
  /** How long a claim lasts before another finalize may take over (≥ the function's timeout). */
  leaseMs: number;
  /** Leaderboard rows kept. @default 100 */
  leaderboardSize?: number;
  /** The screens whose members' changes are kept, and the top N whose moves are. @default every preset, 20 */
  changes?: ChangeSettings;
  /** Where a finished scan goes next (its report and alerts); finalize does not wait for them. */
  notifyQueue?: MessageSender<NotifyMessage>;
  /** Told when the notify message could not be sent (the scan stays finished). */
  onNotifyError?: (scanId: string, error: unknown) => void;
}

export type FinalizeOutcome =
  | {
      scanId: string;
      finalized: true;
      status: "COMPLETE" | "PARTIAL";
      scored: number;
      failed: number;
      unaccounted: number;
    }
  | { scanId: string; finalized: false; reason: string };

const MAX_LISTED = 200;

/**
 * Finishes a scan once: claims it (RUNNING → FINALIZING, or a FINALIZING scan
 * whose lease ran out), reads every result, ranks the universe (RS ratings
 * against the benchmark, or the universe median without one), sums breadth,
 * judges market direction, scores every ticker, and writes the leaderboard,
 * the breadth series and the final status: COMPLETE when every ticker was
 * scored, PARTIAL otherwise, naming the failed (with reasons) and the
 * unaccounted (past the deadline). A second call finds nothing to claim.
 */
export async function finalizeScan(scanId: string, deps: FinalizeDeps): Promise<FinalizeOutcome> {
  const now = deps.now?.() ?? new Date();
  const claimed = await deps.store.claimFinalize(scanId, now, deps.leaseMs);
  if (!claimed) {
    const scan = await deps.store.getScan(scanId);
    return { scanId, finalized: false, reason: scan ? `scan is ${scan.status}` : "no such scan" };
  }
  const entries: { metrics: TickerMetrics; fundamentals?: Fundamentals }[] = [];
  const breadth = new BreadthAccumulator();
  const failures: { ticker: string; reason: string }[] = [];
  const accounted = new Set<string>();
  // The small reads run while the results stream in: finalize is on the scan's critical path.
  const others = Promise.all([
    deps.store.chunks(scanId),
    deps.store.tickers(scanId),
    deps.store.getBenchmark(scanId),
  ]);
  // Settled here too, so a failing small read cannot go unhandled while the results are read.
  others.catch(() => undefined);
  const byProvider: Partial<Record<ProviderName, number>> = {};
  const take = (result: ResultRecord) => {
    if (accounted.has(result.ticker)) return;
    accounted.add(result.ticker);
    if (result.status === "failed") {
      failures.push({ ticker: result.ticker, reason: `${result.reason}: ${result.message}` });
      return;
    }
    if (result.provider) byProvider[result.provider] = (byProvider[result.provider] ?? 0) + 1;
    const metrics = fromStoredMetrics(result.ticker, result.metrics, result.breadth);
    entries.push(result.fundamentals ? { metrics, fundamentals: result.fundamentals } : { metrics });
    if (result.breadth.length > 0) breadth.add(result.breadth);
  };
  for await (const result of deps.store.results(scanId)) take(result);
  const [chunks, tickers, benchmark] = await others;
  // The bulk read is eventually consistent: a result its chunk accounted for (the chunk's progress
  // is read consistently) that the read did not return yet is read again, consistently.
  const missed = new Set<string>();
  for (const chunk of chunks) {
    if (chunk.role !== "universe") continue;
    for (const t of chunk.scored) if (!accounted.has(t)) missed.add(t);
    for (const t of chunk.failed) if (!accounted.has(t)) missed.add(t);
  }
  if (missed.size > 0) for (const result of await deps.store.resultsOf(scanId, [...missed])) take(result);
  let cacheHits = 0;
  const history = { tickersFull: 0, tickersIncremental: 0, sessionsFetched: 0, suspectGaps: 0 };
  for (const chunk of chunks) {
    if (chunk.role !== "universe") continue;
    cacheHits += chunk.cached.size;
    // A message delivered again may have found the history already whole: counted once, as whole.
    history.tickersFull += chunk.full.size;
    for (const t of chunk.incremental) if (!chunk.full.has(t)) history.tickersIncremental++;
    history.suspectGaps += chunk.suspect.size;
    const sessions = new Map<string, number>();
    for (const entry of chunk.sessions) {
      const at = entry.lastIndexOf("=");
      const n = Number(entry.slice(at + 1)) || 0;
      sessions.set(entry.slice(0, at), Math.max(n, sessions.get(entry.slice(0, at)) ?? 0));
    }
    for (const n of sessions.values()) history.sessionsFetched += n;
  }
  const unaccounted = tickers.filter((ticker) => !accounted.has(ticker));
  for (const ticker of unaccounted)
    failures.push({ ticker, reason: "unaccounted: not scored or failed before the scan's deadline" });

  const benchmarkReturns = benchmark
    ? returnsFromFields(benchmark, new Float64Array(RS_PERIODS.length))
    : null;
  const series = breadth.result();
  const market = marketDirection(series);
  const universe = finalizeUniverse(entries, { benchmarkReturns, market: market.defined ? market : null });

  const ranked = leaderboard(
    universe.scores.map((s, i) => ({ ...s, metrics: entries[i]!.metrics })),
    deps.leaderboardSize ?? 100,
  );
  const settings = deps.changes ?? defaultChangeSettings();
  const snapshot = snapshotOf(
    universe.scores.map((s, i) => ({ ticker: s.symbol, values: screenValues(entries[i]!.metrics, s) })),
    settings.screens,
    settings.topN,
    market.state,
  );
  const scoredNow = new Set(universe.scores.map((s) => s.symbol));
  const changes = scanChanges(await deps.store.previousSnapshot(claimed), snapshot, (t) => scoredNow.has(t));
  const rows: LeaderboardRow[] = ranked.map((s, i) => ({
    rank: i + 1,
    ticker: s.symbol,
    score: s.score === null ? 0 : Number(s.score.toFixed(2)),
    confidence: Number(s.confidence.toFixed(3)),
    rsRating: s.rsRating,
    trendCount: s.trend.count,
    close: s.metrics.close,
    changePct: s.metrics.changePct === null ? null : Number(s.metrics.changePct.toFixed(3)),
    macdStage: s.macdStage,
  }));

  const scanFailed = failures.length - unaccounted.length;
  const status = failures.length === 0 ? "COMPLETE" : "PARTIAL";
  const finishedAt = (deps.now?.() ?? new Date()).toISOString();
  const summary: ScanSummary = {
    scored: entries.length,
    failed: scanFailed,
    unaccounted: unaccounted.length,
    failures: failures.slice(0, MAX_LISTED),
    unaccountedTickers: unaccounted.slice(0, MAX_LISTED),
    cacheHits,
    byProvider,
    breakerOpens: claimed.breakerOpens ?? 0,
    history,
    rsThresholds: Array.from(universe.thresholds, (t) => (Number.isFinite(t) ? t : null)),
    benchmarkSource: universe.benchmark.source,
    benchmarkReturns: Array.from(universe.benchmark.returns, (r) => (Number.isFinite(r) ? r : null)),
    market: { state: market.state, score: Number(market.score.toFixed(3)), reasons: market.reasons },
    marketScore: market.defined ? market.score : null,
    durationMs: Date.parse(finishedAt) - Date.parse(claimed.createdAt),
  };
  const written = await deps.store.completeScan({
    scanId,
    status,
    finishedAt,
    summary,
    leaderboard: rows,
    breadth: toStoredBreadth(series),
    snapshot,
    changes,
    leaseUntil: claimed.leaseUntil!,
  });
  if (!written) return { scanId, finalized: false, reason: "lost the finalize lease to another run" };
  // Only the finalize that finished the scan gets here: one notify message a scan. A failure to
  // send it is told, not thrown: the scan is finished, and its alerts never fail it.
  if (deps.notifyQueue) {
    await deps.notifyQueue
      .send([{ body: { v: 1, kind: "notify", scanId } }])
      .catch((error: unknown) => deps.onNotifyError?.(scanId, error));
  }
  return {
    scanId,
    finalized: true,
    status,
    scored: entries.length,
    failed: scanFailed,
    unaccounted: unaccounted.length,
  };
}

/** The sweep: finalizes every scan whose deadline passed, PARTIAL with what is unaccounted. */
export async function sweepOverdue(deps: FinalizeDeps): Promise<FinalizeOutcome[]> {
  const now = deps.now?.() ?? new Date();
  const overdue: ScanRecord[] = await deps.store.overdueScans(now);
  const outcomes: FinalizeOutcome[] = [];
  for (const scan of overdue) outcomes.push(await finalizeScan(scan.scanId, deps));
  return outcomes;
}
