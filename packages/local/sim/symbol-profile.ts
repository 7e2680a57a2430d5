import { GRID_SIZE } from "./grid.ts";
import { hashString, normal, uniform } from "./prng.ts";
import { SECTORS, type SimListing } from "./universe.ts";

/**
 * A symbol's personality: how it moves with the market and its sector, how
 * noisy and how trendy it is, its price level, volume, dividends, and whether
 * it is a recent IPO or splits. Drawn from (seed, symbol); the IPO and split
 * dates are placed relative to the anchor (the simulator's starting `asOf`),
 * never to the clock's moving today, so that history never changes when the
 * clock moves: past splits and IPOs fall inside the history served at the
 * anchor, and a few "upcoming" splits fall in the first sessions after it, for
 * tests that move the clock across them.
 */
export interface SplitEvent {
  /** Grid index of the first bar at the new share count (the ex-date). */
  readonly index: number;
  /** Yahoo's numerator:denominator, e.g. 2:1 forward, 1:10 reverse. */
  readonly numerator: number;
  readonly denominator: number;
}

export interface SymbolProfile {
  readonly listing: SimListing;
  /** Stable 32-bit id of the symbol, the key of all its random draws. */
  readonly id: number;
  readonly sector: number;
  readonly beta: number;
  readonly sectorLoading: number;
  /** Constant log drift per day. */
  readonly drift: number;
  /** Idiosyncratic daily log volatility. */
  readonly dailyVol: number;
  /** Typical total daily volatility (idiosyncratic and market), which sizes intraday ranges and volume spikes. */
  readonly totalVol: number;
  /** Trend: knot values every TREND_STEP days (a random walk of AR(1) slopes). */
  readonly trendKnots: Float64Array;
  /** Earnings-style jumps every JUMP_PERIOD days from jumpPhase; cumulative sums. */
  readonly jumpPhase: number;
  readonly jumpPrefix: Float64Array;
  /** log price = logAnchor + X(t) - xAnchor, so the price at the anchor date is exp(logAnchor). */
  readonly logAnchor: number;
  xAnchor: number;
  readonly baseVolume: number;
  /** Average shares per trade, for Polygon's transaction count. */
  readonly tradeSize: number;
  /** Annual dividend yield; 0 for non-payers. Paid quarterly from dividendPhase. */
  readonly dividendYield: number;
  readonly dividendPhase: number;
  /** First grid index with a bar (IPO), or undefined for a symbol listed before the history starts. */
  readonly ipoIndex: number | undefined;
  readonly split: SplitEvent | undefined;
  /**
   * The split multiplier at the anchor: 1 for a split before it, the split's
   * ratio for an upcoming one. Raw prices are the price path × (the split
   * multiplier of the day ÷ this), so bars up to the anchor are the same as
   * they would be without an upcoming split.
   */
  readonly anchorMultiplier: number;
}

export const TREND_STEP = 64;
export const JUMP_PERIOD = 63;
export const DIVIDEND_PERIOD = 63;
/** Upcoming splits fall within this many sessions after the anchor. */
const UPCOMING_SPLIT_SESSIONS = 10;

const STREAM_PROFILE = 0x70726f;
const STREAM_TREND = 0x74726e;
const STREAM_JUMP = 0x6a6d70;

/** Broad-market funds: they are the market factor, nearly without noise of their own. */
const MARKET_FUNDS = new Set(["SPY", "IVV", "VOO", "SPLG", "VTI", "ITOT", "SCHB", "SCHX"]);
/** A few well-known funds with hand-set sizes, so benchmarks look familiar. */
const FAMOUS_FUNDS: Readonly<Record<string, { anchor: number; volume: number; beta: number; vol: number }>> =
  {
    SPY: { anchor: 472, volume: 75e6, beta: 1, vol: 0.0004 },
    IVV: { anchor: 474, volume: 5e6, beta: 1, vol: 0.0004 },
    VOO: { anchor: 434, volume: 5e6, beta: 1, vol: 0.0004 },
    QQQ: { anchor: 402, volume: 45e6, beta: 1.15, vol: 0.003 },
    IWM: { anchor: 198, volume: 30e6, beta: 1.15, vol: 0.004 },
    DIA: { anchor: 376, volume: 3e6, beta: 0.9, vol: 0.002 },
  };

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export interface ProfileContext {
  seed: number;
  /** Grid index of the anchor: the simulator's starting asOf. */
  anchorIndex: number;
  /** Grid index of the first bar of the served history. */
  startIndex: number;
}

/** Special share classes (warrants, rights, units) never split or pay dividends. */
function isDerivativeListing(symbol: string): boolean {
  return /\.[WRU]$/.test(symbol);
}

export function createProfile(listing: SimListing, ctx: ProfileContext): SymbolProfile {
  const { seed } = ctx;
  const id = hashString(listing.symbol);
  const u = (k: number) => uniform(seed, id, STREAM_PROFILE, k);
  const z = (k: number) => normal(seed, id, STREAM_PROFILE, k);
  const famous = FAMOUS_FUNDS[listing.symbol];
  const marketFund = MARKET_FUNDS.has(listing.symbol);
  const derivative = isDerivativeListing(listing.symbol);
  const special = famous !== undefined || marketFund;

  const sector =
    listing.gicsSector ??
    (listing.symbol === "QQQ" ? 0 : Math.min(SECTORS.length - 1, Math.floor(u(1) * SECTORS.length)));

  // Recent IPOs and splits, never for the benchmark funds.
  const historyLength = ctx.anchorIndex - ctx.startIndex + 1;
  let ipoIndex: number | undefined;
  let split: SplitEvent | undefined;
  const splittable = !special && !derivative && listing.etf === false;
  if (!special && !listing.sp500 && u(2) < 0.015) {
    ipoIndex = Math.max(1, ctx.anchorIndex - (15 + Math.floor(u(3) * 480)));
  } else if (splittable && u(4) < 0.016 && historyLength > 80) {
    // Reverse splits are a small-cap affair: index members get forward splits.
    const kind = listing.sp500 ? u(5) * 0.75 : u(5);
    const [numerator, denominator] = kind < 0.45 ? [2, 1] : kind < 0.75 ? [3, 1] : [1, 10];
    split = {
      index: ctx.anchorIndex - (20 + Math.floor(u(6) * (historyLength - 60))),
      numerator,
      denominator,
    };
  }

  let beta: number;
  let sectorLoading: number;
  let drift: number;
  let dailyVol: number;
  let trendVol: number;
  let jumpVol: number;
  let anchor: number;
  let baseVolume: number;
  let dividendYield = 0;
  if (famous || marketFund) {
    beta = famous?.beta ?? 1;
    sectorLoading = listing.symbol === "QQQ" ? 0.6 : 0;
    drift = 0;
    dailyVol = famous?.vol ?? 0.0004;
    trendVol = 0;
    jumpVol = 0;
    anchor = famous?.anchor ?? 50 + 200 * u(7);
    baseVolume = famous?.volume ?? 2e6;
    dividendYield = listing.symbol === "QQQ" ? 0.006 : 0.013;
  } else if (listing.etf) {
    beta = 0.6 + 0.6 * u(8);
    sectorLoading = 0.5 * u(9);
    drift = 0.00005 * z(10);
    dailyVol = 0.002 + 0.006 * u(11);
    trendVol = 0.0001;
    jumpVol = 0;
    anchor = clamp(Math.exp(Math.log(45) + 0.6 * z(12)), 5, 600);
    baseVolume = clamp(Math.exp(Math.log(3e5) + 1.5 * z(13)), 1e3, 5e7);
    if (u(14) < 0.6) dividendYield = 0.01 + 0.02 * u(15);
  } else {
    const large = listing.sp500;
    beta = large ? 0.6 + 0.9 * u(8) : 0.4 + 1.2 * u(8);
    sectorLoading = 0.6 + 0.8 * u(9);
    dailyVol = large
      ? clamp(Math.exp(Math.log(0.013) + 0.3 * z(11)), 0.006, 0.04)
      : clamp(Math.exp(Math.log(0.02) + 0.4 * z(11)), 0.008, 0.07);
    if (derivative) dailyVol = Math.min(0.1, dailyVol * 2);
    // Half the variance back as drift, so the median stock does not sink by
    // volatility drag alone; the rest is a per-symbol tilt (long-run winners and losers).
    drift = 0.5 * dailyVol * dailyVol + 0.0003 * z(10);
    trendVol = 0.0006 * (0.5 + u(16));
    jumpVol = 2.5 * dailyVol;
    anchor = large
      ? clamp(Math.exp(Math.log(110) + 0.8 * z(12)), 8, 3000)
      : clamp(Math.exp(Math.log(18) + 1.2 * z(12)), 0.5, 1500);
    if (derivative) anchor = clamp(anchor / 20, 0.02, 12);
    // A split before the anchor happened to a stock priced for it (its bars were drawn so from the start).
    if (split && split.numerator > split.denominator)
      anchor = clamp(Math.exp(Math.log(150) + 0.5 * z(17)), 40, 600);
    if (split && split.numerator < split.denominator)
      anchor = clamp(Math.exp(Math.log(6) + 0.4 * z(17)), 1.5, 20);
    baseVolume = large
      ? clamp(Math.exp(Math.log(3e6) + 0.8 * z(13)), 2e5, 1e8)
      : clamp(Math.exp(Math.log(2.5e5) + 1.3 * z(13)), 500, 5e7);
    if (!derivative && u(14) < (large ? 0.7 : 0.3)) dividendYield = 0.005 + 0.035 * u(15);
  }

  // A few stocks without a split so far split soon after the anchor (draws of their own, so
  // that no other draw changes): their bars up to the anchor stay as they were.
  let anchorMultiplier = 1;
  if (splittable && ipoIndex === undefined && split === undefined && u(21) < UPCOMING_SPLIT_SHARE) {
    const index = ctx.anchorIndex + 1 + Math.floor(u(22) * UPCOMING_SPLIT_SESSIONS);
    if (index <= GRID_SIZE) {
      split = { index, ...upcomingRatio(listing.sp500, anchor, u(23)) };
      anchorMultiplier = split.numerator / split.denominator;
    }
  }

  // Trend knots: AR(1) slopes (persistent for a few quarters), integrated; enough for any
  // day of the grid, so that the clock can move anywhere (earlier knots never change).
  const knotCount = Math.floor(GRID_SIZE / TREND_STEP) + 2;
  const trendKnots = new Float64Array(knotCount);
  let slope = 0;
  for (let j = 1; j < knotCount; j++) {
    slope = 0.7 * slope + Math.sqrt(1 - 0.49) * trendVol * normal(seed, id, STREAM_TREND, j);
    trendKnots[j] = trendKnots[j - 1]! + TREND_STEP * slope;
  }

  const jumpPhase = Math.floor(u(18) * JUMP_PERIOD);
  const jumpCount = Math.max(1, Math.floor((GRID_SIZE - jumpPhase) / JUMP_PERIOD) + 1);
  const jumpPrefix = new Float64Array(jumpCount);
  let sum = 0;
  for (let k = 0; k < jumpCount; k++) {
    sum += jumpVol * normal(seed, id, STREAM_JUMP, k);
    jumpPrefix[k] = sum;
  }

  return {
    listing,
    id,
    sector,
    beta,
    sectorLoading,
    drift,
    dailyVol,
    totalVol: Math.sqrt(dailyVol * dailyVol + (beta * 0.01) ** 2),
    trendKnots,
    jumpPhase,
    jumpPrefix,
    logAnchor: Math.log(anchor),
    xAnchor: 0, // set by the price path once the profile exists
    baseVolume,
    tradeSize: 60 + 140 * u(19),
    dividendYield,
    dividendPhase: Math.floor(u(20) * DIVIDEND_PERIOD),
    ipoIndex,
    split,
    anchorMultiplier,
  };
}

/** Share of eligible stocks (listed before the history, no split yet) that split soon after the anchor. */
const UPCOMING_SPLIT_SHARE = 0.005;

/**
 * The ratio of an upcoming split: index members and stocks of a high price level (the
 * profile's anchor price) split forward (2:1, 3:1, 3:2), cheap small caps reverse (1:10); in
 * between, a coin decides.
 */
function upcomingRatio(sp500: boolean, anchorPrice: number, draw: number): Omit<SplitEvent, "index"> {
  const forward = sp500 || anchorPrice >= 30 || (anchorPrice >= 5 && draw < 0.5);
  if (!forward) return { numerator: 1, denominator: 10 };
  const kind = sp500 || anchorPrice >= 30 ? draw : draw * 2;
  return kind < 0.5
    ? { numerator: 2, denominator: 1 }
    : kind < 0.75
      ? { numerator: 3, denominator: 1 }
      : { numerator: 3, denominator: 2 };
}
