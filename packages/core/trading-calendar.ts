import { civilFromDays, dayNumber, daysFromCivil, isoFromDay } from "./days.ts";
import { ValidationError } from "./errors.ts";

/**
 * The NYSE trading calendar: weekdays minus US market holidays. Pure and
 * synchronous; dates are ISO `YYYY-MM-DD` strings, interpreted as calendar
 * days in New York (no time zone arithmetic is needed for whole days).
 *
 * Regular holidays: New Year's Day, Martin Luther King Jr. Day, Washington's
 * Birthday, Good Friday, Memorial Day, Juneteenth (from 2022), Independence
 * Day, Labor Day, Thanksgiving, Christmas. A holiday on a Saturday is observed
 * the Friday before and one on a Sunday the Monday after, except New Year's
 * Day on a Saturday, which NYSE does not observe (the Friday before ends the
 * previous year). Unscheduled closures since 2012 (Hurricane Sandy, national
 * days of mourning) are listed explicitly because real data has no bars there.
 */

/** NYSE closures outside the regular rules, since 2012. */
const SPECIAL_CLOSURES: ReadonlySet<string> = new Set([
  "2012-10-29", // Hurricane Sandy
  "2012-10-30", // Hurricane Sandy
  "2018-12-05", // National day of mourning, George H. W. Bush
  "2025-01-09", // National day of mourning, Jimmy Carter
]);

/** 0 = Sunday ... 6 = Saturday. 1970-01-01 was a Thursday. */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The n-th (1-based) given weekday of a month. */
function nthWeekday(year: number, month: number, wantedWeekday: number, n: number): number {
  const first = daysFromCivil(year, month, 1);
  const offset = (wantedWeekday - weekday(first) + 7) % 7;
  return first + offset + (n - 1) * 7;
}

function lastWeekday(year: number, month: number, wantedWeekday: number): number {
  const last = daysFromCivil(year, month + 1, 1) - 1;
  return last - ((weekday(last) - wantedWeekday + 7) % 7);
}

/** Easter Sunday (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(year, month, day);
}

/** A fixed-date holiday moved to Friday (Saturday) or Monday (Sunday). */
function observed(day: number): number {
  const wd = weekday(day);
  if (wd === 6) return day - 1;
  if (wd === 0) return day + 1;
  return day;
}

const holidayCache = new Map<number, ReadonlySet<number>>();

/** The regular NYSE holidays (observed dates) that fall in `year`. */
function holidaysOf(year: number): ReadonlySet<number> {
  let set = holidayCache.get(year);
  if (set) return set;
  const days: number[] = [];
  const newYear = daysFromCivil(year, 1, 1);
  // Saturday New Year's Day is not observed on the preceding Friday (Dec 31).
  if (weekday(newYear) !== 6) days.push(observed(newYear));
  days.push(nthWeekday(year, 1, 1, 3)); // Martin Luther King Jr. Day
  days.push(nthWeekday(year, 2, 1, 3)); // Washington's Birthday
  days.push(easterSunday(year) - 2); // Good Friday
  days.push(lastWeekday(year, 5, 1)); // Memorial Day
  if (year >= 2022) days.push(observed(daysFromCivil(year, 6, 19))); // Juneteenth
  days.push(observed(daysFromCivil(year, 7, 4))); // Independence Day
  days.push(nthWeekday(year, 9, 1, 1)); // Labor Day
  days.push(nthWeekday(year, 11, 4, 4)); // Thanksgiving
  days.push(observed(daysFromCivil(year, 12, 25))); // Christmas
  set = new Set(days);
  holidayCache.set(year, set);
  return set;
}

function isTradingDayNumber(day: number): boolean {
  const wd = weekday(day);
  if (wd === 0 || wd === 6) return false;
  const { year } = civilFromDays(day);
  if (holidaysOf(year).has(day)) return false;
  return !SPECIAL_CLOSURES.has(isoFromDay(day));
}

/** True when NYSE has a regular session on this date. */
export function isTradingDay(iso: string): boolean {
  return isTradingDayNumber(dayNumber(iso));
}

/** Every trading day from `fromIso` to `toIso`, both inclusive, ascending; empty when from > to. */
export function tradingDaysBetween(fromIso: string, toIso: string): string[] {
  const from = dayNumber(fromIso);
  const to = dayNumber(toIso);
  const days: string[] = [];
  for (let d = from; d <= to; d++) if (isTradingDayNumber(d)) days.push(isoFromDay(d));
  return days;
}

/** The last trading day strictly before `iso`. */
export function previousTradingDay(iso: string): string {
  let d = dayNumber(iso) - 1;
  while (!isTradingDayNumber(d)) d--;
  return isoFromDay(d);
}

/** `iso` itself when it is a trading day, else the last trading day before it. */
export function lastTradingDayOnOrBefore(iso: string): string {
  let d = dayNumber(iso);
  while (!isTradingDayNumber(d)) d--;
  return isoFromDay(d);
}

/**
 * Moves `n` trading days from `iso` (which need not be a trading day):
 * `addTradingDays(d, 1)` is the first trading day after `d`,
 * `addTradingDays(d, -1)` is `previousTradingDay(d)`, and `n = 0` gives
 * `lastTradingDayOnOrBefore(d)`.
 */
export function addTradingDays(iso: string, n: number): string {
  if (!Number.isInteger(n)) throw new ValidationError("trading day count", [`expected an integer, got ${n}`]);
  let d = dayNumber(iso);
  if (n === 0) return lastTradingDayOnOrBefore(iso);
  const step = n > 0 ? 1 : -1;
  let remaining = Math.abs(n);
  while (remaining > 0) {
    d += step;
    if (isTradingDayNumber(d)) remaining--;
  }
  return isoFromDay(d);
}
