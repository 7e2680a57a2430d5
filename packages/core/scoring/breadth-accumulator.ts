/**
 * Market breadth across a scan's universe: adds up the tickers' contributions
 * (breadth-contribution.ts) in any order into per-date counts and derives the
 * breadth series.
 *
 * Per date: issues (tickers with a non-zero byte), advances, declines,
 * unchanged, net advances and the advance/decline line (cumulative net
 * advances from the first date of the window), the number and % of issues
 * above their 50- and 200-day SMA among those with the SMA defined, new
 * highs and lows, and the McClellan oscillator and summation index of net
 * advances and of RANA (breadth-oscillators.ts).
 */
import { ValidationError } from "../errors.ts";
import {
  BREADTH_HEADER_BYTES,
  checkHeader,
  DEFAULT_BREADTH_WINDOW,
  isoFromWeekdayIndex,
  MOVE_ADVANCE,
  MOVE_DECLINE,
  MOVE_UNCHANGED,
  NEW_HIGH_BIT,
  NEW_LOW_BIT,
  readStart,
  SMA_ABOVE,
} from "./breadth-contribution.ts";
import { cumulative, mcClellan } from "./breadth-oscillators.ts";

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
