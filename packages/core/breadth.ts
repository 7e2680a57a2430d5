/**
 * Market breadth over a scan's universe, built so that the scorer does the
 * per-ticker work and finalize only adds up small byte vectors.
 *
 * ## Per-ticker contribution ({@link breadthContribution})
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
 *
 * ## Across the universe ({@link BreadthAccumulator})
 * Per date: issues (tickers with a non-zero byte), advances, declines,
 * unchanged, net advances and the advance/decline line (cumulative net
 * advances from the first date of the window), the number and % of issues
 * above their 50- and 200-day SMA among those with the SMA defined, new
 * highs and lows, and:
 * - McClellan oscillator = EMA19 − EMA39 of net advances, i.e. exponential
 *   smoothing with 0.10 and 0.05 (the McClellan "10% and 5% trends";
 *   2/(19+1) = 0.10, 2/(39+1) = 0.05). Each EMA is seeded with the simple
 *   average of its first 19 / 39 values (StockCharts' convention), so the
 *   oscillator is defined from the 39th date of the window.
 * - Ratio-adjusted oscillator: the same on RANA = (adv − dec) / (adv + dec) × 1000
 *   (0 on a day with neither), which does not grow with the universe's size.
 * - Summation index: the cumulative sum of the oscillator from its first
 *   defined date (and the same for the ratio-adjusted one). It starts at 0 at
 *   the window's start, so its level is relative to the window, not comparable
 *   with published values that accumulate over decades; its direction is.
 */
import { dayNumber, isoFromDay } from "./days.ts";
import { ValidationError } from "./errors.ts";
import { ema, rollingHighest, rollingLowest, sma } from "./indicators.ts";
import { type AdjustedHighLow, adjustedHighLow } from "./scoring/adjusted-prices.ts";
import { scratchColumns } from "./scratch.ts";
import type { Series } from "./series.ts";

export const BREADTH_FORMAT_VERSION = 1;
export const BREADTH_HEADER_BYTES = 5;
/** Default breadth window, in trading days. */
export const DEFAULT_BREADTH_WINDOW = 200;
/** Prior bars a new 52-week high or low is measured against (252 bars a year, today excluded). */
export const NEW_HIGH_LOOKBACK = 251;

const MOVE_ADVANCE = 1;
const MOVE_DECLINE = 2;
const MOVE_UNCHANGED = 3;
const SMA_ABOVE = 1;
const SMA_AT_OR_BELOW = 2;
const NEW_HIGH_BIT = 64;
const NEW_LOW_BIT = 128;

// ---------------------------------------------------------------- weekdays

/** Days since 1970-01-01 of an ISO `YYYY-MM-DD` date (see days.ts). */
export const epochDay = dayNumber;

/**
 * Weekday number of an ISO date (0 = Monday 1970-01-05), or -1 for a Saturday
 * or Sunday. Dates before 1970-01-05 throw a ValidationError.
 */
export function weekdayIndex(iso: string): number {
  const d = epochDay(iso) - 4;
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

// ---------------------------------------------------------- contribution

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

function readStart(contribution: Uint8Array): number {
  return new DataView(contribution.buffer, contribution.byteOffset, contribution.byteLength).getUint32(
    1,
    true,
  );
}

function checkHeader(contribution: Uint8Array): void {
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

// ------------------------------------------------------------ accumulator

/** Market breadth per date, columnar; every column has `dates.length` entries. */
export interface BreadthSeries {
  /** ISO dates, ascending: the weekdays on which at least one ticker counted. */
  dates: string[];
  /** Tickers counted that day (non-zero byte). */
  issues: Int32Array;
  advances: Int32Array;
  declines: Int32Array;
  unchanged: Int32Array;
  /** advances − declines. */
  netAdvances: Int32Array;
  /** Cumulative net advances from the first date of the window. */
  advanceDeclineLine: Int32Array;
  aboveSma50: Int32Array;
  /** Issues with an SMA50 that day (the denominator of pctAboveSma50). */
  sma50Defined: Int32Array;
  /** 100 · aboveSma50 / sma50Defined; NaN when none defined. */
  pctAboveSma50: Float64Array;
  aboveSma200: Int32Array;
  sma200Defined: Int32Array;
  pctAboveSma200: Float64Array;
  newHighs: Int32Array;
  newLows: Int32Array;
  /** EMA19 − EMA39 of net advances (NaN for the first 38 dates). */
  mcClellanOscillator: Float64Array;
  /** Cumulative McClellan oscillator from its first defined date. */
  summationIndex: Float64Array;
  /** EMA19 − EMA39 of RANA = (adv − dec) / (adv + dec) × 1000. */
  ratioAdjustedOscillator: Float64Array;
  /** Cumulative ratio-adjusted oscillator. */
  ratioAdjustedSummationIndex: Float64Array;
}

export interface BreadthAccumulatorOptions {
  /** Dates kept in the result: the last `window` dates on which any ticker counted. @default 200 */
  window?: number;
}

// Counters per slot, interleaved in one Int32Array.
const ISSUES = 0;
const ADVANCES = 1;
const DECLINES = 2;
const UNCHANGED = 3;
const ABOVE50 = 4;
const DEFINED50 = 5;
const ABOVE200 = 6;
const DEFINED200 = 7;
const NEW_HIGHS = 8;
const NEW_LOWS = 9;
const COUNTERS = 10;
/** Widest span of weekdays the accumulator holds (~40 years). */
const MAX_SPAN_WEEKDAYS = 10_400;

/**
 * Adds up breadth contributions (in any order) into per-date counts; `result()`
 * derives the breadth series. Memory is 40 bytes per weekday spanned.
 */
export class BreadthAccumulator {
  readonly #window: number;
  #base = 0;
  #capacity = 0;
  #counts = new Int32Array(0);
  #minSlot = Number.POSITIVE_INFINITY;
  #maxSlot = Number.NEGATIVE_INFINITY;
  #contributions = 0;

  constructor(options: BreadthAccumulatorOptions = {}) {
    const window = options.window ?? DEFAULT_BREADTH_WINDOW;
    if (!Number.isInteger(window) || window < 1) {
      throw new RangeError(`BreadthAccumulator: window must be an integer >= 1, got ${String(window)}`);
    }
    this.#window = window;
  }

  /** Contributions added so far. */
  get contributions(): number {
    return this.#contributions;
  }

  /** Adds one ticker's contribution. Throws a ValidationError for a malformed one (and adds nothing). */
  add(contribution: Uint8Array): void {
    checkHeader(contribution);
    const slots = contribution.length - BREADTH_HEADER_BYTES;
    for (let k = 0; k < slots; k++) {
      const byte = contribution[BREADTH_HEADER_BYTES + k]!;
      if (((byte >> 2) & 3) === 3 || ((byte >> 4) & 3) === 3) {
        throw new ValidationError("breadth contribution", [
          `slot ${k} has an invalid SMA state (byte ${byte})`,
        ]);
      }
    }
    if (slots === 0) {
      this.#contributions++;
      return;
    }
    const start = readStart(contribution);
    this.#ensure(start, start + slots - 1);
    this.#contributions++;
    const counts = this.#counts;
    const offset = start - this.#base;
    for (let k = 0; k < slots; k++) {
      const byte = contribution[BREADTH_HEADER_BYTES + k]!;
      if (byte === 0) continue;
      const o = (offset + k) * COUNTERS;
      counts[o + ISSUES]!++;
      const move = byte & 3;
      if (move === MOVE_ADVANCE) counts[o + ADVANCES]!++;
      else if (move === MOVE_DECLINE) counts[o + DECLINES]!++;
      else if (move === MOVE_UNCHANGED) counts[o + UNCHANGED]!++;
      const s50 = (byte >> 2) & 3;
      if (s50 !== 0) {
        counts[o + DEFINED50]!++;
        if (s50 === SMA_ABOVE) counts[o + ABOVE50]!++;
      }
      const s200 = (byte >> 4) & 3;
      if (s200 !== 0) {
        counts[o + DEFINED200]!++;
        if (s200 === SMA_ABOVE) counts[o + ABOVE200]!++;
      }
      if (byte & NEW_HIGH_BIT) counts[o + NEW_HIGHS]!++;
      if (byte & NEW_LOW_BIT) counts[o + NEW_LOWS]!++;
    }
    if (start < this.#minSlot) this.#minSlot = start;
    if (start + slots - 1 > this.#maxSlot) this.#maxSlot = start + slots - 1;
  }

  /** The breadth series over the last `window` dates with any counted ticker. */
  result(): BreadthSeries {
    const selected: number[] = [];
    for (let slot = this.#maxSlot; slot >= this.#minSlot && selected.length < this.#window; slot--) {
      if (this.#counts[(slot - this.#base) * COUNTERS + ISSUES]! > 0) selected.push(slot);
    }
    selected.reverse();
    const m = selected.length;
    const column = (counter: number) => {
      const out = new Int32Array(m);
      for (let i = 0; i < m; i++) out[i] = this.#counts[(selected[i]! - this.#base) * COUNTERS + counter]!;
      return out;
    };
    const advances = column(ADVANCES);
    const declines = column(DECLINES);
    const aboveSma50 = column(ABOVE50);
    const sma50Defined = column(DEFINED50);
    const aboveSma200 = column(ABOVE200);
    const sma200Defined = column(DEFINED200);
    const netAdvances = new Int32Array(m);
    const advanceDeclineLine = new Int32Array(m);
    const rana = new Float64Array(m);
    let line = 0;
    for (let i = 0; i < m; i++) {
      const a = advances[i]!;
      const d = declines[i]!;
      netAdvances[i] = a - d;
      line += a - d;
      advanceDeclineLine[i] = line;
      rana[i] = a + d > 0 ? ((a - d) / (a + d)) * 1000 : 0;
    }
    const mcClellanOscillator = mcClellan(netAdvances);
    const ratioAdjustedOscillator = mcClellan(rana);
    return {
      dates: selected.map(isoFromWeekdayIndex),
      issues: column(ISSUES),
      advances,
      declines,
      unchanged: column(UNCHANGED),
      netAdvances,
      advanceDeclineLine,
      aboveSma50,
      sma50Defined,
      pctAboveSma50: percent(aboveSma50, sma50Defined),
      aboveSma200,
      sma200Defined,
      pctAboveSma200: percent(aboveSma200, sma200Defined),
      newHighs: column(NEW_HIGHS),
      newLows: column(NEW_LOWS),
      mcClellanOscillator,
      summationIndex: cumulative(mcClellanOscillator),
      ratioAdjustedOscillator,
      ratioAdjustedSummationIndex: cumulative(ratioAdjustedOscillator),
    };
  }

  /** Makes slots `from..to` addressable, re-basing and growing the counts if needed. */
  #ensure(from: number, to: number): void {
    if (this.#capacity > 0 && from >= this.#base && to < this.#base + this.#capacity) return;
    const lo = this.#capacity > 0 ? Math.min(from, this.#minSlot) : from;
    const hi = this.#capacity > 0 ? Math.max(to, this.#maxSlot) : to;
    if (hi - lo > MAX_SPAN_WEEKDAYS) {
      // 40 bytes a weekday: a stray far-off date must not allocate megabytes.
      throw new ValidationError("breadth contribution", [
        `dates from ${isoFromWeekdayIndex(lo)} to ${isoFromWeekdayIndex(hi)} span more than ${MAX_SPAN_WEEKDAYS} weekdays`,
      ]);
    }
    // Leave room on both sides: other tickers' windows start a little earlier or later.
    const margin = Math.max(64, (hi - lo + 1) >> 1);
    const base = lo - margin;
    const capacity = hi - lo + 1 + 2 * margin;
    const counts = new Int32Array(capacity * COUNTERS);
    if (this.#capacity > 0) {
      const used = this.#counts.subarray(
        (this.#minSlot - this.#base) * COUNTERS,
        (this.#maxSlot - this.#base + 1) * COUNTERS,
      );
      counts.set(used, (this.#minSlot - base) * COUNTERS);
    }
    this.#base = base;
    this.#capacity = capacity;
    this.#counts = counts;
  }
}

function percent(part: Int32Array, whole: Int32Array): Float64Array {
  const out = new Float64Array(part.length);
  for (let i = 0; i < part.length; i++) out[i] = whole[i]! > 0 ? (100 * part[i]!) / whole[i]! : Number.NaN;
  return out;
}

/** EMA19 − EMA39 (smoothing 0.10 and 0.05), each seeded with its SMA. */
function mcClellan(values: ArrayLike<number>): Float64Array {
  const fast = ema(values, 19);
  const slow = ema(values, 39);
  for (let i = 0; i < fast.length; i++) fast[i] = fast[i]! - slow[i]!;
  return fast;
}

/** Running sum from the first defined value; NaN before it. */
function cumulative(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) out[i] = Number.NaN;
    else {
      sum += v;
      out[i] = sum;
    }
  }
  return out;
}

// ------------------------------------------------------- market direction

export type MarketState = "confirmed-uptrend" | "uptrend-under-pressure" | "correction";

export interface MarketDirection {
  state: MarketState;
  /** 0..1: the weighted breadth signals below (0.5 = neutral, when undefined). */
  score: number;
  /** One line per signal, in words, for the scan report. */
  reasons: string[];
  /** False when breadth is too short to judge (no % above SMA50 on the last date); CANSLIM then leaves M out. */
  defined: boolean;
  /** The breadth date judged, or null. */
  asOf: string | null;
}

export interface MarketDirectionOptions {
  /** Dates back over which trends (of % above SMA50, of the A/D line) are measured. @default 10 */
  lookback?: number;
}

/**
 * A breadth-based stand-in for CANSLIM's M (market direction), judged on the
 * last date of the breadth series. Five signals, each 0..1, weighted:
 *
 * | signal | value | weight |
 * | --- | --- | --- |
 * | participation | % of issues above their SMA50 / 100 | 0.30 |
 * | its trend | 0.5 + (change of that % over `lookback` dates) / 20 points, clamped (±10 points → 1 / 0) | 0.20 |
 * | momentum | ratio-adjusted McClellan oscillator > 0 → 1, < 0 → 0, = 0 → 0.5 | 0.20 |
 * | A/D line | rising over `lookback` dates → 1, falling → 0, flat → 0.5 | 0.15 |
 * | long-term | % above SMA200 / 100 | 0.15 |
 *
 * Undefined signals are left out and the weights renormalised. State:
 * `confirmed-uptrend` when score ≥ 0.6 and at least half the issues are above
 * their SMA50; `correction` when score < 0.4; otherwise
 * `uptrend-under-pressure`. Without % above SMA50 on the last date the
 * result is `defined: false`, neutral (0.5, under pressure).
 *
 * This is not O'Neil's follow-through / distribution-day count (that needs an
 * index's price and volume); it reads the same question — is the broad
 * market advancing — from the universe's own breadth.
 */
export function marketDirection(
  breadth: BreadthSeries,
  options: MarketDirectionOptions = {},
): MarketDirection {
  const lookback = options.lookback ?? 10;
  const last = breadth.dates.length - 1;
  const level50 = last >= 0 ? breadth.pctAboveSma50[last]! : Number.NaN;
  if (Number.isNaN(level50)) {
    return {
      state: "uptrend-under-pressure",
      score: 0.5,
      reasons: [
        last < 0
          ? "no breadth data"
          : `not enough history on ${breadth.dates[last]}: no issue has a 50-day SMA yet`,
      ],
      defined: false,
      asOf: last >= 0 ? breadth.dates[last]! : null,
    };
  }
  const back = last - lookback;
  const level50Before = back >= 0 ? breadth.pctAboveSma50[back]! : Number.NaN;
  const trend50 = level50 - level50Before;
  const oscillator = breadth.ratioAdjustedOscillator[last]!;
  const adChange =
    back >= 0 ? breadth.advanceDeclineLine[last]! - breadth.advanceDeclineLine[back]! : Number.NaN;
  const level200 = breadth.pctAboveSma200[last]!;

  const signals: { value: number; weight: number; reason: string }[] = [];
  signals.push({
    value: level50 / 100,
    weight: 0.3,
    reason: `${fmt(level50)}% of issues above their 50-day SMA`,
  });
  if (!Number.isNaN(trend50)) {
    signals.push({
      value: clamp01(0.5 + trend50 / 20),
      weight: 0.2,
      reason: `% above the 50-day SMA ${trend50 >= 0 ? "up" : "down"} ${fmt(Math.abs(trend50))} points over ${lookback} days`,
    });
  }
  if (!Number.isNaN(oscillator)) {
    signals.push({
      value: oscillator > 0 ? 1 : oscillator < 0 ? 0 : 0.5,
      weight: 0.2,
      reason: `ratio-adjusted McClellan oscillator ${oscillator >= 0 ? "+" : ""}${fmt(oscillator)}`,
    });
  }
  if (!Number.isNaN(adChange)) {
    signals.push({
      value: adChange > 0 ? 1 : adChange < 0 ? 0 : 0.5,
      weight: 0.15,
      reason: `advance/decline line ${adChange > 0 ? "rising" : adChange < 0 ? "falling" : "flat"} (${adChange >= 0 ? "+" : ""}${adChange} over ${lookback} days)`,
    });
  }
  if (!Number.isNaN(level200)) {
    signals.push({
      value: level200 / 100,
      weight: 0.15,
      reason: `${fmt(level200)}% above their 200-day SMA`,
    });
  }
  let weighted = 0;
  let weights = 0;
  for (const s of signals) {
    weighted += s.value * s.weight;
    weights += s.weight;
  }
  const score = weighted / weights;
  const state: MarketState =
    score >= 0.6 && level50 >= 50
      ? "confirmed-uptrend"
      : score < 0.4
        ? "correction"
        : "uptrend-under-pressure";
  return { state, score, reasons: signals.map((s) => s.reason), defined: true, asOf: breadth.dates[last]! };
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}

function fmt(x: number): string {
  return (Math.round(x * 10) / 10).toFixed(1);
}
