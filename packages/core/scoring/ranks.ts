/**
 * Leaderboard order: composite score, highest first; ties broken by RS raw
 * score, highest first; then by symbol, so the order is total and the same
 * on every run. Tickers without a score (null) or RS raw (null/NaN) sort
 * after those with one.
 */

export interface Rankable {
  symbol: string;
  score: number | null;
  rsRaw: number | null;
}

/** Comparator for `Array.prototype.sort`: negative when `a` ranks above `b`. */
export function compareForLeaderboard(a: Rankable, b: Rankable): number {
  return (
    compareDescending(a.score, b.score) ||
    compareDescending(a.rsRaw, b.rsRaw) ||
    (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0)
  );
}

/** The items in leaderboard order (a new array), the first `limit` of them when given. */
export function leaderboard<T extends Rankable>(items: readonly T[], limit?: number): T[] {
  const sorted = [...items].sort(compareForLeaderboard);
  return limit === undefined ? sorted : sorted.slice(0, Math.max(0, limit));
}

/** 1-based leaderboard positions, in input order (ties in score and RS raw are split by symbol). */
export function leaderboardRanks(items: readonly Rankable[]): Uint32Array {
  const order = items.map((_, i) => i).sort((i, j) => compareForLeaderboard(items[i]!, items[j]!));
  const ranks = new Uint32Array(items.length);
  order.forEach((index, position) => {
    ranks[index] = position + 1;
  });
  return ranks;
}

/** Higher first; null and NaN last. */
function compareDescending(a: number | null, b: number | null): number {
  const aMissing = a === null || Number.isNaN(a);
  const bMissing = b === null || Number.isNaN(b);
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  return a > b ? -1 : a < b ? 1 : 0;
}
