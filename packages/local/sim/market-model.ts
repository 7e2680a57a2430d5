import { ValidationError } from "../../core/errors.ts";
import { lastTradingDayOnOrBefore } from "../../core/trading-calendar.ts";
import { type MarketFactors, marketFactors } from "./factors.ts";
import { firstIndexOnOrAfter, GRID_EPOCH, GRID_SIZE, gridDates, gridIndexOf } from "./grid.ts";
import { Lru } from "./lru.ts";
import { anchorOffset, barAt, generateSeries, type RawBar, type SimSeries } from "./price-path.ts";
import { createProfile, type SymbolProfile } from "./symbol-profile.ts";
import { SECTORS, type SimListing, simulatedListings } from "./universe.ts";

export interface MarketModelOptions {
  seed: number;
  /** Last trading day with data (ISO); a non-trading day means the trading day before it. */
  asOf: string;
  /** Years of history before asOf. */
  historyYears: number;
  /** How many symbols' generated histories to keep (each about 100 KB). */
  cacheSymbols: number;
}

/** What the simulator tells about a symbol, for tests and for `GET /_sim/symbols/{symbol}`. */
export interface SimSymbolInfo {
  symbol: string;
  name: string;
  exchange: string;
  etf: boolean;
  sp500: boolean;
  sector: string;
  beta: number;
  dailyVol: number;
  /** First date with a bar. */
  firstDate: string;
  /** Set for recent IPOs (the first bar is the IPO). */
  ipoDate?: string;
  splits: { date: string; numerator: number; denominator: number }[];
  /** Ex-dates and cash amounts (as paid, per then-outstanding share) within the history. */
  dividends: { date: string; amount: number }[];
}

/** Which symbols to find (all given conditions must hold). */
export interface SymbolFilter {
  split?: "2:1" | "3:1" | "1:10" | "any";
  ipo?: boolean;
  etf?: boolean;
  dividend?: boolean;
  limit?: number;
}

/**
 * The simulated market as of one date: which symbols exist, their profiles,
 * their histories (generated on demand, kept in an LRU) and single bars.
 */
export class MarketModel {
  readonly seed: number;
  readonly asOf: string;
  readonly asOfIndex: number;
  /** Grid index of the first bar of the served history. */
  readonly startIndex: number;
  private readonly factors: MarketFactors;
  private readonly listings: ReadonlyMap<string, SimListing>;
  /** Profiles of every symbol touched (about 1.5 KB each, all 13k fit in 20 MB): grouped daily reads them all. */
  private readonly profiles = new Map<string, SymbolProfile>();
  private readonly series: Lru<string, SimSeries>;

  constructor(options: MarketModelOptions) {
    if (!Number.isInteger(options.seed))
      throw new ValidationError("simulator seed", [`expected an integer, got ${options.seed}`]);
    this.seed = options.seed >>> 0;
    const asOf = lastTradingDayOnOrBefore(options.asOf);
    const dates = gridDates();
    const asOfIndex = gridIndexOf(asOf);
    const earliest = dates[260]!;
    if (asOfIndex === undefined || asOfIndex < 260) {
      throw new ValidationError("simulator asOf", [
        `${options.asOf} is outside the simulated calendar (${earliest} to ${dates[GRID_SIZE]})`,
      ]);
    }
    if (!(options.historyYears > 0 && options.historyYears <= 10)) {
      throw new ValidationError("simulator historyYears", [
        `expected 0 < years ≤ 10, got ${options.historyYears}`,
      ]);
    }
    this.asOf = asOf;
    this.asOfIndex = asOfIndex;
    const start = new Date(`${asOf}T00:00:00Z`);
    start.setUTCMonth(start.getUTCMonth() - Math.round(options.historyYears * 12));
    let startIso = start.toISOString().slice(0, 10);
    if (startIso < GRID_EPOCH) startIso = GRID_EPOCH;
    this.startIndex = Math.max(1, firstIndexOnOrAfter(startIso));
    this.factors = marketFactors(this.seed);
    this.listings = simulatedListings();
    this.series = new Lru(Math.max(1, options.cacheSymbols));
  }

  /** Every simulated symbol, canonical form, directory order. */
  symbols(): IterableIterator<string> {
    return this.listings.keys();
  }

  has(symbol: string): boolean {
    return this.listings.has(symbol);
  }

  profile(symbol: string): SymbolProfile | undefined {
    const listing = this.listings.get(symbol);
    if (!listing) return undefined;
    let p = this.profiles.get(symbol);
    if (!p) {
      p = createProfile(listing, { seed: this.seed, asOfIndex: this.asOfIndex, startIndex: this.startIndex });
      p.xAnchor = anchorOffset(this.seed, p, this.factors);
      this.profiles.set(symbol, p);
    }
    return p;
  }

  /** Grid index of the symbol's first bar. */
  firstIndexOf(p: SymbolProfile): number {
    return p.ipoIndex !== undefined ? Math.max(p.ipoIndex, this.startIndex) : this.startIndex;
  }

  /**
   * The symbol's history up to asOf, starting at or before grid index
   * `fromIndex` (default: the whole served history), or undefined for an
   * unknown symbol. Bars are pure functions of (seed, symbol, day), so a
   * shorter window holds exactly the same bars as the whole history: asking
   * only for what a request needs keeps generation cheap (a two-year chart
   * generates two years, not five).
   */
  history(symbol: string, fromIndex = this.startIndex): SimSeries | undefined {
    const p = this.profile(symbol);
    if (!p) return undefined;
    const first = Math.min(this.asOfIndex, Math.max(this.firstIndexOf(p), fromIndex));
    const cached = this.series.get(symbol);
    if (cached && cached.startIndex <= first) return cached;
    const s = generateSeries(this.seed, p, this.factors, first, this.asOfIndex);
    this.series.set(symbol, s);
    return s;
  }

  /** Grid index of the first trading day on or after `iso`, within the served history. */
  indexOnOrAfter(iso: string): number {
    return Math.min(this.asOfIndex, Math.max(this.startIndex, firstIndexOnOrAfter(iso)));
  }

  /**
   * Every symbol's bar on one trading day (raw, as traded), without
   * generating whole histories; `visit` gets a reused bar object.
   */
  forEachBarOn(iso: string, visit: (symbol: string, bar: Readonly<RawBar>, p: SymbolProfile) => void): void {
    const t = gridIndexOf(iso);
    if (t === undefined || t > this.asOfIndex || t < this.startIndex) return;
    const bar: RawBar = { open: 0, high: 0, low: 0, close: 0, volume: 0, multiplier: 1 };
    for (const symbol of this.listings.keys()) {
      const p = this.profile(symbol)!;
      if (t < this.firstIndexOf(p)) continue;
      visit(symbol, barAt(this.seed, p, this.factors, t, bar), p);
    }
  }

  info(symbol: string): SimSymbolInfo | undefined {
    const p = this.profile(symbol);
    const s = this.history(symbol, 0);
    if (!p || !s) return undefined;
    const dates = gridDates();
    const dividends: SimSymbolInfo["dividends"] = [];
    for (let i = 0; i < s.length; i++)
      if (s.dividend[i]! > 0) dividends.push({ date: s.dates[i]!, amount: s.dividend[i]! });
    const { listing } = p;
    return {
      symbol,
      name: listing.name,
      exchange: listing.exchange,
      etf: listing.etf,
      sp500: listing.sp500,
      sector: SECTORS[p.sector]!,
      beta: p.beta,
      dailyVol: p.dailyVol,
      firstDate: s.dates[0]!,
      ...(p.ipoIndex !== undefined ? { ipoDate: s.dates[0]! } : {}),
      splits: p.split
        ? [{ date: dates[p.split.index]!, numerator: p.split.numerator, denominator: p.split.denominator }]
        : [],
      dividends,
    };
  }

  /** Symbols matching a filter, in directory order (profiles only: cheap). */
  findSymbols(filter: SymbolFilter): string[] {
    const found: string[] = [];
    const limit = filter.limit ?? Number.POSITIVE_INFINITY;
    for (const symbol of this.listings.keys()) {
      if (found.length >= limit) break;
      const p = this.profile(symbol)!;
      if (filter.etf !== undefined && p.listing.etf !== filter.etf) continue;
      if (filter.ipo !== undefined && (p.ipoIndex !== undefined) !== filter.ipo) continue;
      if (filter.dividend !== undefined && p.dividendYield > 0 !== filter.dividend) continue;
      if (filter.split !== undefined) {
        if (!p.split) continue;
        const ratio = `${p.split.numerator}:${p.split.denominator}`;
        if (filter.split !== "any" && ratio !== filter.split) continue;
      }
      found.push(symbol);
    }
    return found;
  }
}
