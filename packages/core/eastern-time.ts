import { dayNumber, daysFromCivil } from "./days.ts";

/**
 * New York wall-clock times as epoch values, for the timestamps providers put
 * on daily bars: Yahoo stamps a day with its 09:30 open (epoch seconds),
 * Polygon with 00:00 (epoch milliseconds), both in America/New_York. US
 * daylight time runs from the second Sunday of March to the first Sunday of
 * November (rules since 2007); the switch happens at 02:00, long before any
 * time used here, so whole dates decide it.
 */

const MS_PER_DAY = 86_400_000;

function sundayOnOrAfter(year: number, month: number, day: number): number {
  // Day 0, 1970-01-01, was a Thursday: weekday 4 counting from Sunday.
  const weekday = (((daysFromCivil(year, month, day) + 4) % 7) + 7) % 7;
  return day + ((7 - weekday) % 7);
}

const offsetCache = new Map<string, number>();

/** Hours behind UTC in New York on that date: 4 (EDT) or 5 (EST). */
export function easternOffsetHours(iso: string): number {
  let cached = offsetCache.get(iso);
  if (cached !== undefined) return cached;
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const day = Number(iso.slice(8, 10));
  const dstStart = sundayOnOrAfter(year, 3, 8); // second Sunday of March
  const dstEnd = sundayOnOrAfter(year, 11, 1); // first Sunday of November
  const afterStart = month > 3 || (month === 3 && day >= dstStart);
  const beforeEnd = month < 11 || (month === 11 && day < dstEnd);
  cached = afterStart && beforeEnd ? 4 : 5;
  offsetCache.set(iso, cached);
  return cached;
}

/** Epoch milliseconds of `hh:mm` New York time on that date. */
export function easternEpochMs(iso: string, hours: number, minutes = 0): number {
  return dayNumber(iso) * MS_PER_DAY + ((hours + easternOffsetHours(iso)) * 60 + minutes) * 60_000;
}

/** The ISO date in New York of an epoch-milliseconds instant. */
export function easternDateOf(epochMs: number): string {
  // Try the EST reading first; if that date is in daylight time, use EDT.
  const est = new Date(epochMs - 5 * 3_600_000).toISOString().slice(0, 10);
  if (easternOffsetHours(est) === 5) return est;
  return new Date(epochMs - 4 * 3_600_000).toISOString().slice(0, 10);
}
