import { partitionPoint } from "../../core/partition-point.ts";
import { tradingDaysBetween } from "../../core/trading-calendar.ts";

/**
 * The simulated market's time axis: a fixed run of NYSE trading days from
 * GRID_EPOCH. Prices are functions of (seed, symbol, grid index), so a bar for
 * a given date is the same whatever `asOf` the simulator runs with; `asOf`
 * only decides where history ends (and, relative to it, where the recent IPOs
 * and splits fall).
 *
 * GRID_SIZE is a power of two because the idiosyncratic price paths are
 * Brownian bridges built by dyadic midpoint refinement over [0, GRID_SIZE].
 */
export const GRID_EPOCH = "2012-01-03";
export const GRID_SIZE = 8192;

let dates: readonly string[] | undefined;
let indexByDate: ReadonlyMap<string, number> | undefined;

/** The GRID_SIZE + 1 trading days of the grid, ascending (2012-01-03 ... about 2044). */
export function gridDates(): readonly string[] {
  if (!dates) {
    const all = tradingDaysBetween(GRID_EPOCH, "2046-12-31");
    dates = all.slice(0, GRID_SIZE + 1);
    indexByDate = new Map(dates.map((d, i) => [d, i]));
  }
  return dates;
}

/** Grid index of a trading day, or undefined for a non-trading day or a date off the grid. */
export function gridIndexOf(iso: string): number | undefined {
  gridDates();
  return indexByDate!.get(iso);
}

/** Index of the first grid day on or after `iso` (GRID_SIZE + 1 when past the end). */
export function firstIndexOnOrAfter(iso: string): number {
  const all = gridDates();
  return partitionPoint(all.length, (i) => all[i]! < iso);
}

/** Index of the last grid day on or before `iso` (-1 when before the epoch). */
export function lastIndexOnOrBefore(iso: string): number {
  const all = gridDates();
  return partitionPoint(all.length, (i) => all[i]! <= iso) - 1;
}
