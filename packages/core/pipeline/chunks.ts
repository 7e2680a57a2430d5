import type { ChunkRecord } from "./records.ts";

/**
 * Splits a scan's tickers into chunks of `size` (one fetch message each), plus
 * one last chunk holding only the benchmark, which the scorer keeps apart from
 * the ranked universe. Deterministic: the same request always gives the same
 * chunks, so a repeated start re-sends exactly what the first one would have.
 */
export function planChunks(
  scanId: string,
  tickers: readonly string[],
  benchmark: string,
  size: number,
): ChunkRecord[] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const chunks: ChunkRecord[] = [];
  for (let i = 0; i < tickers.length; i += size) {
    chunks.push({ scanId, chunk: chunks.length, role: "universe", tickers: tickers.slice(i, i + size) });
  }
  chunks.push({ scanId, chunk: chunks.length, role: "benchmark", tickers: [benchmark] });
  return chunks;
}
