import { easternEpochMs, easternOffsetHours } from "../../../core/eastern-time.ts";
import { partitionPoint } from "../../../core/partition-point.ts";
import { gridDates } from "../grid.ts";
import { Lru } from "../lru.ts";

/**
 * Yahoo's clock: a daily bar is stamped with its day's 09:30 New York open,
 * in epoch seconds. Stamps of the grid's days are computed once, and the
 * comma-joined column of a run of days is kept, since every symbol asked for
 * the same days carries the same one.
 */

/** The 09:30 New York stamp of a date, epoch seconds. */
export function timestampOf(iso: string): number {
  return easternEpochMs(iso, 9, 30) / 1000;
}

const timestampByIndex: number[] = [];
const timestampTextByIndex: string[] = [];

/** The stamp of a grid day. */
export function timestampAt(gridIndex: number): number {
  let t = timestampByIndex[gridIndex];
  if (t === undefined) {
    t = timestampOf(gridDates()[gridIndex]!);
    timestampByIndex[gridIndex] = t;
    timestampTextByIndex[gridIndex] = String(t);
  }
  return t;
}

function timestampTextAt(gridIndex: number): string {
  timestampAt(gridIndex);
  return timestampTextByIndex[gridIndex]!;
}

/** Timestamp columns (`t0,t1,...`) by first grid index and length. */
const timestampColumns = new Lru<string, string>(16);

/** The stamps of `count` grid days from `firstGridIndex`, comma-separated. */
export function timestampColumn(firstGridIndex: number, count: number): string {
  return timestampColumns.getOrCreate(`${firstGridIndex}+${count}`, () => {
    const texts: string[] = [];
    for (let k = 0; k < count; k++) texts.push(timestampTextAt(firstGridIndex + k));
    return texts.join(",");
  });
}

/** The first grid index (below `limit`) whose 09:30 stamp is at or after `epochSeconds`. */
export function firstDayStampedAtOrAfter(epochSeconds: number, limit: number): number {
  return partitionPoint(limit, (i) => timestampAt(i) < epochSeconds);
}

/** One of a chart's `currentTradingPeriod`s (pre, regular, post) on a date, New York time. */
export function tradingPeriod(
  iso: string,
  startHour: number,
  startMinute: number,
  endHour: number,
  endMinute: number,
) {
  const offset = easternOffsetHours(iso);
  return {
    timezone: offset === 4 ? "EDT" : "EST",
    start: easternEpochMs(iso, startHour, startMinute) / 1000,
    end: easternEpochMs(iso, endHour, endMinute) / 1000,
    gmtoffset: -offset * 3600,
  };
}
