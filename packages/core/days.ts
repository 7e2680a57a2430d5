import { ValidationError } from "./errors.ts";

/**
 * Calendar dates as day numbers (days since 1970-01-01) and back, by Howard
 * Hinnant's days_from_civil / civil_from_days: character codes and integer
 * arithmetic, no Date objects or RegExps — a scan converts millions of dates.
 * The one implementation the codec, the provider adapters, breadth, the
 * trading calendar and the market simulator's New York clock share: import
 * `dayNumber` from here rather than giving it another name.
 */

/** Day number of a (proleptic Gregorian) year, month 1–12 and day of month; no validation. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Year, month 1–12 and day of month of a day number. */
export function civilFromDays(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return {
    year: yoe + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: doy - Math.floor((153 * mp + 2) / 5) + 1,
  };
}

/*
 * Every series of a scan spans the same few hundred trading days, and the codec turns each of
 * them into a day number and back once per ticker: remembering the answers takes most of the
 * cost out of encoding and decoding. Bounded, so odd input cannot grow them without end.
 */
const MEMO_DAYS = 100_000;
const dayByIso = new Map<string, number>();
const isoByDay = new Map<number, string>();

/** Days since 1970-01-01 of an ISO `YYYY-MM-DD` calendar date; a ValidationError names anything else (2024-02-30 too). */
export function dayNumber(iso: string): number {
  const known = dayByIso.get(iso);
  if (known !== undefined) return known;
  if (!isCalendarDate(iso)) throw badDate(iso);
  const day = daysFromCivil(digits(iso, 0, 4), digits(iso, 5, 2), digits(iso, 8, 2));
  if (dayByIso.size < MEMO_DAYS) dayByIso.set(iso, day);
  return day;
}

/** True for an ISO `YYYY-MM-DD` string naming a real calendar day. */
export function isCalendarDate(iso: string): boolean {
  if (typeof iso !== "string" || iso.length !== 10 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45)
    return false;
  const y = digits(iso, 0, 4);
  const m = digits(iso, 5, 2);
  const d = digits(iso, 8, 2);
  return y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** The ISO `YYYY-MM-DD` date of a day number. */
export function isoFromDay(dayNumber: number): string {
  const known = isoByDay.get(dayNumber);
  if (known !== undefined) return known;
  const { year, month, day } = civilFromDays(dayNumber);
  const iso = `${String(year).padStart(4, "0")}-${month < 10 ? "0" : ""}${month}-${day < 10 ? "0" : ""}${day}`;
  if (isoByDay.size < MEMO_DAYS) isoByDay.set(dayNumber, iso);
  return iso;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function badDate(iso: string): ValidationError {
  return new ValidationError("date", [`${JSON.stringify(iso)} is not an ISO YYYY-MM-DD date`]);
}
