import type { ProviderName } from "../market-data.port.ts";
import type { FetchMessage } from "./messages.ts";
import type { ChunkRecord } from "./records.ts";

/**
 * Splits a scan's tickers into chunks of `size` (one fetch message each), in symbol order, plus
 * one last chunk holding only the benchmark, which the scorer keeps apart from the ranked
 * universe. In symbol order because the bars store keeps about ten adjacent symbols a shard
 * (history/shards.ts): a `us-all` chunk of ten is then one shard, read once and written once,
 * where a chunk in the listings' file order spans two to four. Deterministic: the same request
 * always gives the same chunks, so a repeated start re-sends exactly what the first one would.
 */
export function planChunks(
  scanId: string,
  tickers: readonly string[],
  benchmark: string,
  size: number,
): ChunkRecord[] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const sorted = [...tickers].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const chunks: ChunkRecord[] = [];
  for (let i = 0; i < sorted.length; i += size) {
    chunks.push({ scanId, chunk: chunks.length, role: "universe", tickers: sorted.slice(i, i + size) });
  }
  chunks.push({ scanId, chunk: chunks.length, role: "benchmark", tickers: [benchmark] });
  return chunks;
}

/** What every chunk's fetch message of a scan says alike. */
export interface ChunkScan {
  scanId: string;
  provider: ProviderName;
  /** The fallback chain, `provider` first (absent or of one: no fallback). */
  providers?: readonly ProviderName[];
  days: number;
  session?: string;
  fundamentals: boolean;
}

/** A chunk's first fetch message (scan-start's, or assemble's after a plan), with its tickers' plan supply if any. */
export function chunkFetchMessage(
  scan: ChunkScan,
  chunk: ChunkRecord,
  chunkCount: number,
  supply?: string,
): FetchMessage {
  return {
    v: 1,
    kind: "fetch",
    scanId: scan.scanId,
    chunk: chunk.chunk,
    role: chunk.role,
    chunkSize: chunk.tickers.length,
    chunkCount,
    provider: scan.provider,
    ...(scan.providers && scan.providers.length > 1 ? { chain: [...scan.providers] } : {}),
    days: scan.days,
    ...(scan.session ? { session: scan.session } : {}),
    tickers: chunk.tickers.map((s) => ({ s, attempts: 0 })),
    // The benchmark is a reference for RS, not a ranked company: its earnings are not needed.
    ...(scan.fundamentals && chunk.role === "universe" ? { fundamentals: true } : {}),
    ...(supply ? { supply } : {}),
  };
}
