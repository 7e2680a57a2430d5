import { computeTickerMetrics } from "../scoring/ticker-metrics.ts";
import { decodeSeries } from "../series-codec.ts";
import type { FinalizeMessage, ScoreMessage } from "./messages.ts";
import type { MessageSender, ScanCoordinator, ScoreStore } from "./ports.ts";
import { type ChunkSet, chunkComplete, type ResultRecord } from "./records.ts";
import { type StoredMetrics, toStoredMetrics } from "./stored-metrics.ts";

export interface ScoreDeps {
  store: ScoreStore;
  coordinator: ScanCoordinator;
  finalizeQueue: MessageSender<FinalizeMessage>;
}

export interface ScoreReport {
  scored: number;
  failed: number;
  chunkComplete: boolean;
  /** This call accounted for the scan's last chunk and asked finalize to run. */
  finalizeRequested: boolean;
}

/**
 * The scorer's work for one score message (part of a chunk): metrics per
 * ticker, results written (BatchWriteItem), then the chunk's progress. Every
 * step is idempotent, so a message delivered twice counts each ticker once:
 * results are keyed by (scan, ticker), progress adds tickers to sets, and the
 * chunk joins the scan's set of done chunks. Whoever completes the last chunk
 * asks finalize to run; finalize itself runs once (a conditional claim).
 */
export async function scoreChunk(message: ScoreMessage, deps: ScoreDeps): Promise<ScoreReport> {
  const { scanId, chunk } = message;
  const results: ResultRecord[] = [];
  const sets: { [K in ChunkSet]: string[] } = {
    scored: [],
    failed: [],
    cached: [],
    full: [],
    incremental: [],
    sessions: [],
    suspect: [],
  };
  let benchmark: StoredMetrics | undefined;
  for (const outcome of message.outcomes) {
    if (outcome.kind === "failed") {
      results.push({
        scanId,
        ticker: outcome.s,
        status: "failed",
        reason: outcome.reason,
        message: outcome.message,
        attempts: outcome.attempts,
      });
      continue;
    }
    if (outcome.source === "cache") sets.cached.push(outcome.s);
    if (outcome.history) {
      sets[outcome.history.mode].push(outcome.s);
      sets.sessions.push(`${outcome.s}=${outcome.history.sessions}`);
    }
    if (outcome.flags?.includes("suspect-gap")) sets.suspect.push(outcome.s);
    let computed: ReturnType<typeof computeTickerMetrics>;
    try {
      computed = computeTickerMetrics(decodeSeries(outcome.data));
    } catch (error) {
      results.push({
        scanId,
        ticker: outcome.s,
        status: "failed",
        reason: "invalid-data",
        message: (error as Error).message,
        attempts: 0,
      });
      continue;
    }
    if ("insufficient" in computed) {
      results.push({
        scanId,
        ticker: outcome.s,
        status: "failed",
        reason: "insufficient-history",
        message: computed.insufficient,
        attempts: 0,
      });
      continue;
    }
    if (message.role === "benchmark") benchmark = toStoredMetrics(computed);
    results.push({
      scanId,
      ticker: outcome.s,
      status: "scored",
      source: outcome.source,
      ...(outcome.provider ? { provider: outcome.provider } : {}),
      metrics: toStoredMetrics(computed),
      breadth: computed.breadth,
      ...(outcome.fundamentals ? { fundamentals: outcome.fundamentals } : {}),
      ...(outcome.flags?.length ? { flags: [...outcome.flags] } : {}),
    });
  }

  if (message.role === "benchmark") {
    // The benchmark is a reference, not a member of the ranked universe.
    if (benchmark) await deps.store.putBenchmark(scanId, benchmark);
  } else {
    await deps.store.putResults(results);
  }

  for (const r of results) sets[r.status].push(r.ticker);
  const { scored, failed } = sets;
  const progress = await deps.store.recordChunkProgress(
    scanId,
    { index: chunk, size: message.chunkSize, role: message.role ?? "universe" },
    sets,
  );
  const report: ScoreReport = {
    scored: scored.length,
    failed: failed.length,
    chunkComplete: false,
    finalizeRequested: false,
  };
  if (!chunkComplete(progress)) return report;
  report.chunkComplete = true;
  const done = await deps.coordinator.markChunkDone(scanId, chunk);
  if (done >= message.chunkCount) {
    await deps.finalizeQueue.send([{ body: { v: 1, kind: "finalize", scanId } }]);
    report.finalizeRequested = true;
  }
  return report;
}
