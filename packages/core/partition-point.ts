/**
 * The first index in [0, length) for which `isBefore` is false, when it is
 * true for a prefix and false after it (a sorted array split at a value):
 * lower bound with `a[i] < x`, upper bound with `a[i] <= x`. `length` when
 * it is true throughout. O(log length) calls of `isBefore`.
 */
export function partitionPoint(length: number, isBefore: (index: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isBefore(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
