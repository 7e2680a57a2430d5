/**
 * One ticker's market-breadth contribution, built so that the scorer does the
 * per-ticker work and finalize only adds up small byte vectors
 * (breadth-accumulator.ts).
 *
 * Days are indexed by **weekday number**: the count of Mondays–Fridays since
 * Monday 1970-01-05 (that day is 0; Sat/Sun have none). Tickers with
 * different calendars (holidays, halts, late listings) line up without a
 * market calendar: each writes only the weekdays it has bars for.
 *
 * Layout (format version 1), little-endian:
 *
 *     byte 0        format version (1)
 *     bytes 1..4    uint32, weekday number of the first slot
 *     byte 5 + k    one slot per weekday from there to the ticker's last bar
 *
 * A slot byte, bits from least significant:
 *
 *     bits 0–1  move vs the previous bar's adjusted close: 0 none, 1 advance, 2 decline, 3 unchanged
 *     bits 2–3  adjusted close vs SMA50:  0 SMA undefined, 1 above (>), 2 at or below
 *     bits 4–5  adjusted close vs SMA200: same
 *     bit 6     new 52-week high: adjusted high ≥ the highest adjusted high of the prior 251 bars
 *     bit 7     new 52-week low:  adjusted low ≤ the lowest adjusted low of the prior 251 bars
 *
 * A weekday without a bar (holiday, halt, before listing) is 0, and so is a
 * ticker's very first bar (nothing to compare yet); finalize counts a ticker
 * on a day only when its byte is non-zero. New highs and lows need 251 prior
 * bars (a full year): a listing younger than that makes none. Everything uses
 * adjusted prices (highs and lows scaled by adjClose / close), so a split is
 * not a decline or a new low. The contribution covers the ticker's last
 * `window` bars: 200 bars span about 208 weekdays, ≈ 213 bytes. Full coverage
 * needs `window + 251` bars of history (SMA200 and new highs from the first
 * day of the window); with less, early days report those fields undefined.
 */
import { dayNumber, isoFromDay } from "../days.ts";
import { ValidationError } from "../errors.ts";
import { rollingHighest, rollingLowest, sma } from "../indicators.ts";
import { scratchColumns } from "../scratch.ts";
import type { Series } from "../series.ts";
import { type AdjustedHighLow, adjustedHighLow } from "./adjusted-prices.ts";

export const BREADTH_FORMAT_VERSION = 1;
export const BREADTH_HEADER_BYTES = 5;
/** Default breadth window, in trading days. */
export const DEFAULT_BREADTH_WINDOW = 200;
/** Prior bars a new 52-week high or low is measured against (252 bars a year, today excluded). */
export const NEW_HIGH_LOOKBACK = 251;

// A slot byte's fields (layout in the module doc), read back by the accumulator.
export const MOVE_ADVANCE = 1;
export const MOVE_DECLINE = 2;
export const MOVE_UNCHANGED = 3;
export const SMA_ABOVE = 1;
const SMA_AT_OR_BELOW = 2;
export const NEW_HIGH_BIT = 64;
export const NEW_LOW_BIT = 128;

/**
 * Weekday number of an ISO date (0 = Monday 1970-01-05), or -1 for a Saturday
 * or Sunday. Dates before 1970-01-05 throw a ValidationError.
 */
export function weekdayIndex(iso: string): number {
  const d = dayNumber(iso) - 4;
  if (d < 0) throw new ValidationError("date", [`${iso} is before 1970-01-05, the first weekday number`]);
  const week = Math.floor(d / 7);
  const dow = d - week * 7;
  return dow >= 5 ? -1 : week * 5 + dow;
}

/** The ISO date of a weekday number. */
export function isoFromWeekdayIndex(index: number): string {
  const week = Math.floor(index / 5);
  const day = 4 + week * 7 + (index - week * 5);
  return isoFromDay(day);
}

/** Scratch columns for contributions. */
const scratchFor = scratchColumns(["high", "low", "sma50", "sma200", "priorHigh", "priorLow"], ["slots"]);

/**
 * One ticker's breadth contribution over its last `window` bars (layout in
 * the module doc). Dates must be ascending weekdays; a weekend bar is ignored.
 * Throws a ValidationError for unparseable or non-ascending dates or dates
 * before 1970-01-05, and (from the indicators) for non-finite prices.
 */
export function breadthContribution(
  series: Series,
  window = DEFAULT_BREADTH_WINDOW,
  /** The series' adjusted highs and lows, when the caller has them already. */
  adjusted?: AdjustedHighLow,
): Uint8Array {
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError(`breadthContribution: window must be an integer >= 1, got ${String(window)}`);
  }
  const n = series.dates.length;
  const from = Math.max(0, n - window);
  const scratch = scratchFor(n);
  const slots = scratch.slots;
  let start = -1;
  let end = -1;
  for (let i = from; i < n; i++) {
    const slot = weekdayIndex(series.dates[i]!);
    slots[i - from] = slot;
    if (slot < 0) continue;
    if (start < 0) start = slot;
    if (slot <= end) {
      throw new ValidationError(`series ${series.symbol}`, [
        `dates must be strictly ascending: ${series.dates[i]} follows ${isoFromWeekdayIndex(end)}`,
      ]);
    }
    end = slot;
  }
  if (start < 0) return header(0, 0);
  if (start > 0xffffffff)
    throw new ValidationError(`series ${series.symbol}`, ["date beyond the supported range"]);

  const adj = series.adjClose;
  const { high, low } = adjusted ?? adjustedHighLow(series, scratch);
  const sma50 = sma(adj, 50, scratch.sma50.subarray(0, n));
  const sma200 = sma(adj, 200, scratch.sma200.subarray(0, n));
  // priorHigh[i − 1] is the highest of bars i − 251 … i − 1.
  const priorHigh = rollingHighest(high, NEW_HIGH_LOOKBACK, scratch.priorHigh.subarray(0, n));
  const priorLow = rollingLowest(low, NEW_HIGH_LOOKBACK, scratch.priorLow.subarray(0, n));

  const out = header(start, end - start + 1);
  for (let i = from; i < n; i++) {
    const slot = slots[i - from]!;
    if (slot < 0) continue;
    const c = adj[i]!;
    let byte = 0;
    if (i >= 1) {
      const prev = adj[i - 1]!;
      byte = c > prev ? MOVE_ADVANCE : c < prev ? MOVE_DECLINE : MOVE_UNCHANGED;
    }
    const s50 = sma50[i]!;
    if (!Number.isNaN(s50)) byte |= (c > s50 ? SMA_ABOVE : SMA_AT_OR_BELOW) << 2;
    const s200 = sma200[i]!;
    if (!Number.isNaN(s200)) byte |= (c > s200 ? SMA_ABOVE : SMA_AT_OR_BELOW) << 4;
    if (i >= NEW_HIGH_LOOKBACK) {
      if (high[i]! >= priorHigh[i - 1]!) byte |= NEW_HIGH_BIT;
      if (low[i]! <= priorLow[i - 1]!) byte |= NEW_LOW_BIT;
    }
    out[BREADTH_HEADER_BYTES + slot - start] = byte;
  }
  return out;
}

function header(start: number, slots: number): Uint8Array {
  const out = new Uint8Array(BREADTH_HEADER_BYTES + slots);
  out[0] = BREADTH_FORMAT_VERSION;
  new DataView(out.buffer).setUint32(1, start, true);
  return out;
}

/** One slot byte, decoded (for tests, debugging and the CLI). */
export interface BreadthDay {
  move: "none" | "advance" | "decline" | "unchanged";
  sma50: "undefined" | "above" | "at-or-below";
  sma200: "undefined" | "above" | "at-or-below";
  newHigh: boolean;
  newLow: boolean;
}

export function decodeBreadthDay(byte: number): BreadthDay {
  const moves = ["none", "advance", "decline", "unchanged"] as const;
  const smas = ["undefined", "above", "at-or-below", "undefined"] as const;
  return {
    move: moves[byte & 3]!,
    sma50: smas[(byte >> 2) & 3]!,
    sma200: smas[(byte >> 4) & 3]!,
    newHigh: (byte & NEW_HIGH_BIT) !== 0,
    newLow: (byte & NEW_LOW_BIT) !== 0,
  };
}

/** The weekday number of a contribution's first slot and its ISO date. */
export function contributionStart(contribution: Uint8Array): { weekday: number; date: string } {
  checkHeader(contribution);
  const weekday = readStart(contribution);
  return { weekday, date: isoFromWeekdayIndex(weekday) };
}

/** The weekday number of a contribution's first slot (its header must have been checked). */
export function readStart(contribution: Uint8Array): number {
  return new DataView(contribution.buffer, contribution.byteOffset, contribution.byteLength).getUint32(
    1,
    true,
  );
}

/** Throws a ValidationError unless `contribution` has a header of this format version. */
export function checkHeader(contribution: Uint8Array): void {
  if (!(contribution instanceof Uint8Array) || contribution.length < BREADTH_HEADER_BYTES) {
    throw new ValidationError("breadth contribution", [
      `expected a Uint8Array of at least ${BREADTH_HEADER_BYTES} bytes`,
    ]);
  }
  if (contribution[0] !== BREADTH_FORMAT_VERSION) {
    throw new ValidationError("breadth contribution", [
      `format version ${contribution[0]} is not ${BREADTH_FORMAT_VERSION}`,
    ]);
  }
}
