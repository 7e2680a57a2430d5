import type { MarketFactors } from "./factors.ts";
import { GRID_SIZE, gridDates, gridIndexOf } from "./grid.ts";
import { hash4, NORMAL12, normal } from "./prng.ts";
import { DIVIDEND_PERIOD, JUMP_PERIOD, type SymbolProfile, TREND_STEP } from "./symbol-profile.ts";

/**
 * Prices of one symbol. The log price is
 *
 *   logAnchor + X(t) - X(anchor),
 *   X(t) = beta·market(t) + loading·sector(t) + drift·t + trend(t) + vol·W(t) + jumps(t)
 *
 * where W is a standard Brownian motion on the grid built as a Brownian
 * bridge (Lévy's dyadic construction): W at any single index costs
 * log2(GRID_SIZE) draws, a whole window costs one draw per bar. The point
 * query (Polygon's grouped daily: every symbol on one date) and the window
 * fill (one symbol's history) evaluate the very same expressions, so they
 * agree to the last bit.
 *
 * Bars are built from the close path: an overnight gap carries part of the
 * day's move (most of it on earnings days), high and low extend beyond open
 * and close, volume is lognormal around the symbol's base with spikes on big
 * moves. Prices are rounded as traded (cents; 1/100 cent below $1).
 *
 * Raw bars (as traded) are a pure function of (seed, symbol, grid day): the
 * clock's today only decides which of them exist yet and how they are adjusted
 * (a series' multiplier and dividend factor are as of its last day). So are
 * dividends: one on grid day t depends on t and the raw close of t - 1 only.
 */

const STREAM_BRIDGE = 0x627264;
const STREAM_BRIDGE_END = 0x627265;
const STREAM_BAR_A = 0x6f706e;
const STREAM_BAR_B = 0x686967;

const LOG_MIN = Math.log(0.0005);
const LOG_MAX = Math.log(60_000);

export const ANCHOR_DATE = "2024-01-02";
export const ANCHOR_INDEX = gridIndexOf(ANCHOR_DATE)!;

/** Columns of a symbol's history, raw as traded; see the field docs for adjustments. */
export interface SimSeries {
  readonly profile: SymbolProfile;
  /** Grid index of bar 0. */
  readonly startIndex: number;
  readonly length: number;
  /** ISO dates, ascending. */
  readonly dates: readonly string[];
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** Shares traded, as traded. */
  readonly volume: Float64Array;
  /**
   * raw price = split-adjusted price × multiplier, adjusted as of the series' last day (2
   * before a 2:1 split, 0.1 before a 1:10; 1 before a split after the last day, which has not
   * happened yet).
   */
  readonly multiplier: Float64Array;
  /** Cash dividend per (then-outstanding) share on its ex-date, else 0. */
  readonly dividend: Float64Array;
  /**
   * adjusted close = close / multiplier × dividendFactor: the product over the ex-dates after
   * the bar, up to the series' last day, of 1 - D / the raw close before the ex-date (CRSP).
   */
  readonly dividendFactor: Float64Array;
}

/** Rounds to a tradable price: cents from $1, 1/100 cent below. */
export function roundPrice(x: number): number {
  if (x >= 1) return Math.round(x * 100) / 100;
  return Math.max(0.0001, Math.round(x * 10_000) / 10_000);
}

function endValue(seed: number, id: number): number {
  return Math.sqrt(GRID_SIZE) * normal(seed, id, STREAM_BRIDGE_END, 0);
}

function midpoint(seed: number, id: number, node: number, width: number, wl: number, wr: number): number {
  return (wl + wr) * 0.5 + Math.sqrt(width * 0.25) * normal(seed, id, STREAM_BRIDGE, node);
}

/** W(t) of the symbol's Brownian path. */
export function bridgeAt(seed: number, id: number, t: number): number {
  if (t <= 0) return 0;
  let l = 0;
  let r = GRID_SIZE;
  let wl = 0;
  let wr = endValue(seed, id);
  if (t >= r) return wr;
  let node = 1;
  for (;;) {
    const m = (l + r) >>> 1;
    const wm = midpoint(seed, id, node, r - l, wl, wr);
    if (t === m) return wm;
    if (t < m) {
      r = m;
      wr = wm;
      node = 2 * node;
    } else {
      l = m;
      wl = wm;
      node = 2 * node + 1;
    }
  }
}

/** out[i] = W(from + i) for from ≤ t ≤ to. */
export function fillBridge(seed: number, id: number, from: number, to: number, out: Float64Array): void {
  const wEnd = endValue(seed, id);
  if (from <= 0) out[0 - from] = 0;
  if (to >= GRID_SIZE) out[GRID_SIZE - from] = wEnd;
  const visit = (l: number, r: number, wl: number, wr: number, node: number): void => {
    if (r - l < 2 || l + 1 > to || r - 1 < from) return;
    const m = (l + r) >>> 1;
    const wm = midpoint(seed, id, node, r - l, wl, wr);
    if (m >= from && m <= to) out[m - from] = wm;
    visit(l, m, wl, wm, 2 * node);
    visit(m, r, wm, wr, 2 * node + 1);
  };
  visit(0, GRID_SIZE, 0, wEnd, 1);
}

function trendAt(p: SymbolProfile, t: number): number {
  const j = Math.floor(t / TREND_STEP);
  const k0 = p.trendKnots[j]!;
  const k1 = p.trendKnots[j + 1]!;
  return k0 + (k1 - k0) * ((t - j * TREND_STEP) / TREND_STEP);
}

function jumpsAt(p: SymbolProfile, t: number): number {
  if (t < p.jumpPhase) return 0;
  return p.jumpPrefix[Math.floor((t - p.jumpPhase) / JUMP_PERIOD)]!;
}

function isJumpDay(p: SymbolProfile, t: number): boolean {
  return t >= p.jumpPhase && (t - p.jumpPhase) % JUMP_PERIOD === 0;
}

/** X(t) given W(t). */
export function factorSum(p: SymbolProfile, f: MarketFactors, t: number, w: number): number {
  return (
    p.beta * f.market[t]! +
    p.sectorLoading * f.sectors[p.sector]![t]! +
    p.drift * t +
    trendAt(p, t) +
    p.dailyVol * w +
    jumpsAt(p, t)
  );
}

function logPrice(p: SymbolProfile, x: number): number {
  const lp = p.logAnchor + x - p.xAnchor;
  return Math.min(Math.max(lp, LOG_MIN), LOG_MAX);
}

/** Shares after every split of the grid per share on day t: the split's ratio before it, 1 from its ex-date. */
export function splitMultiplier(p: SymbolProfile, t: number): number {
  const s = p.split;
  if (!s || t >= s.index) return 1;
  return s.numerator / s.denominator;
}

/**
 * raw price on day t = price path × this: the price path is on the anchor's share basis, so
 * bars up to the anchor are the same whether or not a split follows it (x / 1 is x).
 */
function rawFactor(p: SymbolProfile, t: number): number {
  return splitMultiplier(p, t) / p.anchorMultiplier;
}

/** The raw close of grid day t (t ≥ 0), computed on its own: what a dividend's amount needs. */
export function rawCloseAt(seed: number, p: SymbolProfile, f: MarketFactors, t: number): number {
  const lp = logPrice(p, factorSum(p, f, t, bridgeAt(seed, p.id, t)));
  return roundPrice(Math.exp(lp) * rawFactor(p, t));
}

/**
 * The cash dividend (per share then outstanding) whose ex-date is grid day t, given the raw
 * close of t - 1, or 0: payers pay every DIVIDEND_PERIOD sessions from their phase, never on
 * their first trading day (an IPO) and never on a split's ex-date.
 */
export function dividendOn(p: SymbolProfile, t: number, previousRawClose: number): number {
  if (p.dividendYield <= 0 || (t - p.dividendPhase) % DIVIDEND_PERIOD !== 0) return 0;
  if ((p.ipoIndex !== undefined && t <= p.ipoIndex) || t === p.split?.index) return 0;
  const amount = Math.max(0.01, Math.round((p.dividendYield / 4) * previousRawClose * 100) / 100);
  return amount < 0.2 * previousRawClose ? amount : 0;
}

/** Grid days of a payer's ex-dates from `from` to `to` (inclusive), ascending; none for a non-payer. */
export function dividendDays(p: SymbolProfile, from: number, to: number): number[] {
  if (p.dividendYield <= 0) return [];
  const days: number[] = [];
  const offset = (((from - p.dividendPhase) % DIVIDEND_PERIOD) + DIVIDEND_PERIOD) % DIVIDEND_PERIOD;
  for (let t = offset === 0 ? from : from + DIVIDEND_PERIOD - offset; t <= to; t += DIVIDEND_PERIOD)
    days.push(t);
  return days;
}

/** A bar as traded, plus its split multiplier (splitMultiplier: relative to the end of the grid). */
export interface RawBar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  multiplier: number;
}

/** exp(a) for 0 ≤ |a| ≲ 0.3 by its Taylor series (error below a^6/720): intraday extensions are small. */
function expSmall(a: number): number {
  return 1 + a * (1 + a * 0.5 * (1 + (a / 3) * (1 + a * 0.25 * (1 + a * 0.2))));
}

/** Volume noise factors exp(0.35·z) at the 12-bit normal quantiles: a lookup instead of an exp per bar. */
const VOLUME_NOISE = NORMAL12.map((z) => Math.exp(0.35 * z));

/**
 * Builds the bar of grid day t from its log close `lp` and the previous
 * day's (`lpPrev`, whose exp is `prevClose`). Both the window fill and the
 * point query call this with identical inputs, so they agree exactly.
 */
function buildBar(
  seed: number,
  p: SymbolProfile,
  t: number,
  lp: number,
  prevClose: number,
  lpPrev: number,
  out: RawBar,
): number {
  // Four coarse normals from two hashes (12 bits each: plenty for intraday noise).
  const ha = hash4(seed, p.id, STREAM_BAR_A, t);
  const hb = hash4(seed, p.id, STREAM_BAR_B, t);
  const r = lp - lpPrev;
  const effVol = p.totalVol;
  const jump = isJumpDay(p, t);
  const gap = (jump ? 0.85 : 0.3) * r + 0.2 * effVol * NORMAL12[ha >>> 20]!;
  const close = Math.exp(lp);
  const open = prevClose * Math.exp(gap);
  const high = Math.max(open, close) * expSmall(0.45 * effVol * Math.abs(NORMAL12[ha & 0xfff]!));
  const low = Math.min(open, close) * expSmall(-0.45 * effVol * Math.abs(NORMAL12[hb >>> 20]!));
  const m = rawFactor(p, t);
  out.open = roundPrice(open * m);
  out.close = roundPrice(close * m);
  out.high = roundPrice(high * m);
  out.low = roundPrice(low * m);
  const spike = (1 + (1.5 * Math.abs(r)) / effVol) * (jump ? 2 : 1) * (t === p.ipoIndex ? 4 : 1);
  const volume = p.baseVolume * VOLUME_NOISE[hb & 0xfff]! * spike;
  out.volume = Math.max(1, Math.round(volume / m));
  out.multiplier = splitMultiplier(p, t);
  return close;
}

/** The anchor offset of a fresh profile (X at the anchor date). */
export function anchorOffset(seed: number, p: SymbolProfile, f: MarketFactors): number {
  return factorSum(p, f, ANCHOR_INDEX, bridgeAt(seed, p.id, ANCHOR_INDEX));
}

/** One bar on grid day t (t ≥ 1), computed on its own: what grouped daily needs. */
export function barAt(seed: number, p: SymbolProfile, f: MarketFactors, t: number, out: RawBar): RawBar {
  const lp = logPrice(p, factorSum(p, f, t, bridgeAt(seed, p.id, t)));
  const lpPrev = logPrice(p, factorSum(p, f, t - 1, bridgeAt(seed, p.id, t - 1)));
  buildBar(seed, p, t, lp, Math.exp(lpPrev), lpPrev, out);
  return out;
}

/** The symbol's bars on grid days first..last (first ≥ 1), with dividends and adjustment factors as of `last`. */
export function generateSeries(
  seed: number,
  p: SymbolProfile,
  f: MarketFactors,
  first: number,
  last: number,
): SimSeries {
  const n = last - first + 1;
  const from = first - 1;
  const w = new Float64Array(n + 1);
  fillBridge(seed, p.id, from, last, w);
  // One allocation for all columns: fewer backing stores for the GC to track.
  const columns = new Float64Array(n * 8);
  const column = (k: number) => columns.subarray(k * n, (k + 1) * n);
  const open = column(0);
  const high = column(1);
  const low = column(2);
  const close = column(3);
  const volume = column(4);
  const multiplier = column(5);
  const dividend = column(6);
  const dividendFactor = column(7);
  const bar: RawBar = { open: 0, high: 0, low: 0, close: 0, volume: 0, multiplier: 1 };
  let lpPrev = logPrice(p, factorSum(p, f, from, w[0]!));
  let prevClose = Math.exp(lpPrev);
  // The raw close before the first bar, spelled as rawCloseAt does: the first bar's dividend needs it.
  const closeBefore = roundPrice(prevClose * rawFactor(p, from));
  const lastMultiplier = splitMultiplier(p, last);
  for (let i = 0; i < n; i++) {
    const t = first + i;
    const lp = logPrice(p, factorSum(p, f, t, w[i + 1]!));
    prevClose = buildBar(seed, p, t, lp, prevClose, lpPrev, bar);
    open[i] = bar.open;
    high[i] = bar.high;
    low[i] = bar.low;
    close[i] = bar.close;
    volume[i] = bar.volume;
    multiplier[i] = bar.multiplier / lastMultiplier;
    lpPrev = lp;
  }
  for (const t of dividendDays(p, first, last)) {
    const i = t - first;
    dividend[i] = dividendOn(p, t, i === 0 ? closeBefore : close[i - 1]!);
  }
  dividendFactor[n - 1] = 1;
  for (let i = n - 1; i > 0; i--) {
    const d = dividend[i]!;
    dividendFactor[i - 1] = dividendFactor[i]! * (d > 0 ? 1 - d / close[i - 1]! : 1);
  }
  return {
    profile: p,
    startIndex: first,
    length: n,
    dates: gridDates().slice(first, last + 1),
    open,
    high,
    low,
    close,
    volume,
    multiplier,
    dividend,
    dividendFactor,
  };
}
