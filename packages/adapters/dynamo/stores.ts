import type { FinalizeStore, PlanProgress, ScoreStore, StartScanStore } from "../../core/pipeline/ports.ts";
import { SNAPSHOT_ITEM, snapshotFromItem } from "./items.ts";
import type { DynamoResultsRepository } from "./results-repository.ts";
import type { DynamoScansRepository } from "./scans-repository.ts";

/**
 * One store per port: each pipeline step gets the methods its port names,
 * from the repository of the table they touch.
 */

export function startScanStore(scans: DynamoScansRepository): StartScanStore {
  return {
    createScan: (record) => scans.create(record),
    putTickers: (scanId, tickers) => scans.putTickers(scanId, tickers),
    markEnqueued: (scanId, at) => scans.markEnqueued(scanId, at),
  };
}

export function scoreStore(scans: DynamoScansRepository, results: DynamoResultsRepository): ScoreStore {
  return {
    putResults: (records) => results.put(records),
    putBenchmark: (scanId, metrics) => scans.putBenchmark(scanId, metrics),
    recordChunkProgress: (scanId, chunk, update) => scans.recordChunkProgress(scanId, chunk, update),
  };
}

export function finalizeStore(scans: DynamoScansRepository, results: DynamoResultsRepository): FinalizeStore {
  return {
    getScan: (scanId) => scans.get(scanId),
    claimFinalize: (scanId, now, leaseMs) => scans.claimFinalize(scanId, now, leaseMs),
    results: (scanId) => results.ofScan(scanId, false),
    resultsOf: (scanId, tickers) => results.ofTickers(scanId, tickers),
    chunks: (scanId) => scans.chunks(scanId),
    tickers: (scanId) => scans.tickers(scanId),
    getBenchmark: (scanId) => scans.benchmark(scanId),
    completeScan: (input) => scans.complete(input),
    overdueScans: (now) => scans.overdue(now),
    async previousSnapshot(scan) {
      const recent = await scans.recent({ universe: scan.universe, limit: 10 });
      const previous = recent.find(
        (s) =>
          s.scanId !== scan.scanId &&
          s.createdAt < scan.createdAt &&
          (s.status === "COMPLETE" || s.status === "PARTIAL"),
      );
      if (!previous) return undefined;
      const snapshot = snapshotFromItem(await scans.item(previous.scanId, SNAPSHOT_ITEM, false));
      return snapshot ? { scanId: previous.scanId, snapshot } : undefined;
    },
  };
}

export function planProgress(scans: DynamoScansRepository): PlanProgress {
  return {
    getScan: (scanId) => scans.get(scanId),
    tickers: (scanId) => scans.tickers(scanId),
    markUnitStaged: (scanId, unit) => scans.markUnitStaged(scanId, unit),
  };
}
