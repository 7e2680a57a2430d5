import type { DynamoScanStore } from "../adapters/dynamo/scan-store.ts";
import type { ScanRecord } from "../core/pipeline/records.ts";

export interface ScanProgress {
  scan: ScanRecord | undefined;
  total: number;
  scored: number;
  failed: number;
}

/** A scan's record and how many of its universe's tickers are scored or failed so far (from the chunk records). */
export async function readProgress(store: DynamoScanStore, scanId: string): Promise<ScanProgress> {
  const [scan, chunks] = await Promise.all([store.getScan(scanId), store.chunks(scanId)]);
  let scored = 0;
  let failed = 0;
  let total = 0;
  for (const chunk of chunks) {
    if (chunk.role !== "universe") continue;
    total += chunk.size;
    scored += chunk.scored.size;
    for (const t of chunk.failed) if (!chunk.scored.has(t)) failed++;
  }
  return { scan, total: scan?.total ?? total, scored, failed };
}

export function isFinished(scan: ScanRecord | undefined): boolean {
  return scan?.status === "COMPLETE" || scan?.status === "PARTIAL";
}
