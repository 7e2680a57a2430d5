import { ValidationError } from "../errors.ts";
import { planChunks } from "./chunks.ts";
import type { FetchMessage } from "./messages.ts";
import type { MessageSender, StartScanStore } from "./ports.ts";
import type { ScanRecord } from "./records.ts";
import type { ScanRequest } from "./scan-request.ts";

export interface StartScanDeps {
  store: StartScanStore;
  fetchQueue: MessageSender<FetchMessage>;
  chunkSize: number;
  /** How long the scan may run before the sweep finalizes it PARTIAL (see scanDeadlineSeconds). */
  deadlineSeconds: number;
  /** The market session the scan is for (ISO date): its bars are what the fetchers make current. */
  session: string;
  now?: () => Date;
}

/**
 * How long a scan may run before the sweep finalizes it PARTIAL: twice what its provider's
 * limit needs for its tickers and the benchmark, plus ten minutes, and never less than
 * `floorSeconds` (the topology's).
 */
export function scanDeadlineSeconds(
  request: Pick<ScanRequest, "tickers">,
  limit: { ratePerSecond: number; floorSeconds: number },
): number {
  const requests = request.tickers.length + 1;
  return Math.max(limit.floorSeconds, Math.ceil((2 * requests) / limit.ratePerSecond) + 600);
}

export interface StartScanResult {
  scanId: string;
  status: ScanRecord["status"];
  total: number;
  chunks: number;
  /** True when a scan with this id had already been started and fully enqueued: nothing was sent. */
  alreadyStarted: boolean;
}

/**
 * Records a validated scan and puts its chunks on the fetch queue.
 *
 * Idempotent by scan id: the scan record is written only if absent; chunk
 * records are written before any message is sent, and `enqueuedAt` only after
 * every message is accepted. A start that finds a fully enqueued scan sends
 * nothing; one that finds a scan whose start died half-way re-sends every
 * chunk (the pipeline counts each ticker once however often it arrives).
 */
export async function startScan(request: ScanRequest, deps: StartScanDeps): Promise<StartScanResult> {
  const now = deps.now?.() ?? new Date();
  const chunks = planChunks(request.scanId, request.tickers, request.benchmark, deps.chunkSize);
  const record: ScanRecord = {
    scanId: request.scanId,
    universe: request.universe,
    provider: request.provider,
    days: request.days,
    benchmark: request.benchmark,
    trigger: request.trigger,
    total: request.tickers.length,
    chunkCount: chunks.length,
    status: "RUNNING",
    createdAt: now.toISOString(),
    session: deps.session,
    deadlineAt: new Date(now.getTime() + deps.deadlineSeconds * 1000).toISOString(),
  };
  const created = await deps.store.createScan(record);
  if (!created.created) {
    const existing = created.existing;
    const differs = (["universe", "provider", "days", "benchmark", "total", "chunkCount"] as const).filter(
      (field) => existing[field] !== record[field],
    );
    if (differs.length > 0) {
      throw new ValidationError("scan request", [
        `scanId: "${request.scanId}" already names a scan with a different ${differs.join(", ")}; choose another scanId`,
      ]);
    }
    if (existing.enqueuedAt || existing.status !== "RUNNING") {
      return {
        scanId: existing.scanId,
        status: existing.status,
        total: existing.total,
        chunks: existing.chunkCount,
        alreadyStarted: true,
      };
    }
  }
  await deps.store.putTickers(request.scanId, request.tickers);
  await deps.fetchQueue.send(
    chunks.map((c) => ({
      body: {
        v: 1,
        kind: "fetch",
        scanId: request.scanId,
        chunk: c.chunk,
        role: c.role,
        chunkSize: c.tickers.length,
        chunkCount: chunks.length,
        provider: request.provider,
        days: request.days,
        session: deps.session,
        tickers: c.tickers.map((s) => ({ s, attempts: 0 })),
        // The benchmark is a reference for RS, not a ranked company: its earnings are not needed.
        ...(request.fundamentals && c.role === "universe" ? { fundamentals: true } : {}),
      },
    })),
  );
  await deps.store.markEnqueued(request.scanId, (deps.now?.() ?? new Date()).toISOString());
  return {
    scanId: request.scanId,
    status: "RUNNING",
    total: record.total,
    chunks: chunks.length,
    alreadyStarted: false,
  };
}
