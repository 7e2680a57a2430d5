import { isCalendarDate } from "../../../core/days.ts";

/** Number spellings the providers use on the wire. */

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/** Rounds half away from zero to `digits` decimals (as a number). */
export function roundTo(x: number, digits: number): number {
  const f = POW10[digits]!;
  return (Math.sign(x) * Math.round(Math.abs(x) * f + 1e-9)) / f;
}

/** A price rounded the way quote vendors show it: cents from $1, four decimals below. */
export function roundQuote(x: number): number {
  return Math.abs(x) >= 1 ? roundTo(x, 2) : roundTo(x, 4);
}

/** Python's float repr for ordinary magnitudes: `165.0`, `166.61` (Alpha Vantage's newer strings). */
export function pythonFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** Spellings of cent prices from $1 to $5000, and of 1/10000 prices below $1, filled as met. */
const CENT_LIMIT = 500_000;
const centSpelling: (string | undefined)[] = [];
const subDollarSpelling: (string | undefined)[] = [];

/**
 * Yahoo's prices are single-precision floats widened to double: 74.06 is sent
 * as 74.05999755859375. Turning a widened float into its shortest double
 * spelling costs about 300 ns, which would dominate a two-year chart body, so
 * the spellings of traded prices (whole cents, or 1/10000 below $1) are
 * remembered in arrays indexed by that integer (a few MB at most); other
 * values (split- or dividend-adjusted) are spelled each time.
 */
export function float32Text(x: number): string {
  if (x >= 1) {
    const cents = x * 100;
    const k = Math.round(cents);
    if (k < CENT_LIMIT && Math.abs(cents - k) < 1e-7) {
      let text = centSpelling[k];
      if (text === undefined) {
        text = String(Math.fround(k / 100));
        centSpelling[k] = text;
      }
      return text;
    }
  } else if (x > 0) {
    const units = x * 10_000;
    const k = Math.round(units);
    if (Math.abs(units - k) < 1e-7) {
      let text = subDollarSpelling[k];
      if (text === undefined) {
        text = String(Math.fround(k / 10_000));
        subDollarSpelling[k] = text;
      }
      return text;
    }
  }
  return String(Math.fround(x));
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** FMP v3's `label`: "October 06, 23". */
export function fmpLabel(iso: string): string {
  return `${MONTHS[Number(iso.slice(5, 7)) - 1]} ${iso.slice(8, 10)}, ${iso.slice(2, 4)}`;
}

/** True for `YYYY-MM-DD` that is a real calendar date. */
export const isIsoDate = isCalendarDate;
