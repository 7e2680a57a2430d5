import { partitionPoint } from "../partition-point.ts";
import { SHARD_BOUNDS } from "./shard-bounds.ts";

/**
 * The bars store keeps about ten tickers per shard, adjacent in symbol order:
 * a scan's chunk of ten sorted tickers touches one or two shards, so a fetcher
 * reads and writes a few items for ten tickers, and a whole-market day writes
 * each shard once. A shard is named by its first symbol (`AAPL`), which is what
 * a person sees in the console.
 */
export function shardOf(symbol: string): string {
  // The last bound at or before the symbol; symbols before the first bound share the first shard.
  const at = partitionPoint(SHARD_BOUNDS.length, (i) => SHARD_BOUNDS[i]! <= symbol) - 1;
  return SHARD_BOUNDS[Math.max(0, at)]!;
}

/** Symbols grouped by shard, each group in the given order. */
export function byShard(symbols: Iterable<string>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const symbol of symbols) {
    const shard = shardOf(symbol);
    const group = groups.get(shard);
    if (group) group.push(symbol);
    else groups.set(shard, [symbol]);
  }
  return groups;
}
