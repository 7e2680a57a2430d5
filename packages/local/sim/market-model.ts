import { ValidationError } from "../../core/errors.ts";
import { lastTradingDayOnOrBefore } from "../../core/trading-calendar.ts";
import { type ClockMove, type ClockState, clockTarget } from "./clock.ts";
import { DividendBook } from "./dividend-book.ts";
import { type MarketFactors, marketFactors } from "./factors.ts";
import { firstIndexOnOrAfter, GRID_EPOCH, GRID_SIZE, gridDates, gridIndexOf } from "./grid.ts";
import { Lru } from "./lru.ts";
import {
  anchorOffset,
  barAt,
  generateSeries,
  type RawBar,
  rawCloseAt,
  type SimSeries,
  splitMultiplier,
} from "./price-path.ts";
import { createProfile, type SymbolProfile } from "./symbol-profile.ts";
import { type SimListing, simulatedListings } from "./universe.ts";

export interface MarketModelOptions {
  seed: number;
  /**
   * The anchor: the first today of the clock, and the day the profiles place recent IPOs and
   * splits relative to (ISO; a non-trading day means the trading day before it).
   */
  asOf: string;
  /** Years of history before the anchor. */
  historyYears: number;
  /** How many symbols' generated histories to keep (each about 100 KB). */
  cacheSymbols: number;
}

/**
 * The simulated market as of its clock's today: which symbols exist, their
 * profiles, their histories up to today (generated on demand, kept in an LRU)
 * and single bars. Profiles and raw bars depend on the anchor, never on
 * today, so moving the clock changes only which bars exist and how they are
 * adjusted: a split or dividend after today has not happened yet.
 */
export class MarketModel {
  readonly seed: number;
  /** The anchor (the starting asOf), ISO, and its grid index. */
  readonly anchor: string;
  readonly anchorIndex: number;
  /** Grid index of the first bar of the served history (the anchor's: moving the clock keeps it). */
  readonly startIndex: number;
  readonly factors: MarketFactors;
  private readonly listings: ReadonlyMap<string, SimListing>;
  /** Profiles of every symbol touched (about 1.5 KB each, all 13k fit in 20 MB): grouped daily reads them all. */
  private readonly profiles = new Map<string, SymbolProfile>();
  private readonly series: Lru<string, SimSeries>;
  private todayIndex: number;
  /** Dividends as of today, per symbol (emptied when the clock moves). */
  readonly dividends: DividendBook;

  constructor(options: MarketModelOptions) {
    if (!Number.isInteger(options.seed))
      throw new ValidationError("simulator seed", [`expected an integer, got ${options.seed}`]);
    this.seed = options.seed >>> 0;
    const anchor = lastTradingDayOnOrBefore(options.asOf);
    const dates = gridDates();
    const anchorIndex = gridIndexOf(anchor);
    const earliest = dates[260]!;
    if (anchorIndex === undefined || anchorIndex < 260) {
      throw new ValidationError("simulator asOf", [
        `${options.asOf} is outside the simulated calendar (${earliest} to ${dates[GRID_SIZE]})`,
      ]);
    }
    if (!(options.historyYears > 0 && options.historyYears <= 10)) {
      throw new ValidationError("simulator historyYears", [
        `expected 0 < years ≤ 10, got ${options.historyYears}`,
      ]);
    }
    this.anchor = anchor;
    this.anchorIndex = anchorIndex;
    this.todayIndex = anchorIndex;
    const start = new Date(`${anchor}T00:00:00Z`);
    start.setUTCMonth(start.getUTCMonth() - Math.round(options.historyYears * 12));
    let startIso = start.toISOString().slice(0, 10);
    if (startIso < GRID_EPOCH) startIso = GRID_EPOCH;
    this.startIndex = Math.max(1, firstIndexOnOrAfter(startIso));
    this.factors = marketFactors(this.seed);
    this.listings = simulatedListings();
    this.series = new Lru(Math.max(1, options.cacheSymbols));
    this.dividends = new DividendBook(this);
  }

  /** Today: the last trading day with data, ISO. */
  get asOf(): string {
    return gridDates()[this.todayIndex]!;
  }

  /** Grid index of today. */
  get asOfIndex(): number {
    return this.todayIndex;
  }

  clock(): ClockState {
    return { asOf: this.asOf, anchor: this.anchor };
  }

  /**
   * Moves today (validated: throws ValidationError naming the problem). Histories generated
   * for the old today are dropped: their adjustments were as of it.
   */
  moveClock(move: ClockMove): ClockState {
    const target = clockTarget(move, { today: this.todayIndex, first: this.startIndex, last: GRID_SIZE });
    if (target !== this.todayIndex) {
      this.todayIndex = target;
      this.series.clear();
      this.dividends.clear();
    }
    return this.clock();
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
      p = createProfile(listing, {
        seed: this.seed,
        anchorIndex: this.anchorIndex,
        startIndex: this.startIndex,
      });
      p.xAnchor = anchorOffset(this.seed, p, this.factors);
      this.profiles.set(symbol, p);
    }
    return p;
  }

  /** Grid index of the symbol's first bar. */
  firstIndexOf(p: SymbolProfile): number {
    return p.ipoIndex !== undefined ? Math.max(p.ipoIndex, this.startIndex) : this.startIndex;
  }

  /** Whether the symbol trades by today (a recent IPO does not, before its first day). */
  isListed(p: SymbolProfile): boolean {
    return this.firstIndexOf(p) <= this.todayIndex;
  }

  /**
   * The symbol's history up to today, starting at or before grid index
   * `fromIndex` (default: the whole served history), or undefined for an
   * unknown symbol or one not listed yet. Raw bars are pure functions of
   * (seed, symbol, day), so a shorter window holds exactly the same bars as
   * the whole history: asking only for what a request needs keeps generation
   * cheap (a two-year chart generates two years, not five).
   */
  history(symbol: string, fromIndex = this.startIndex): SimSeries | undefined {
    const p = this.profile(symbol);
    if (!p || !this.isListed(p)) return undefined;
    const first = Math.min(this.todayIndex, Math.max(this.firstIndexOf(p), fromIndex));
    const cached = this.series.get(symbol);
    if (cached && cached.startIndex <= first) return cached;
    const s = generateSeries(this.seed, p, this.factors, first, this.todayIndex);
    this.series.set(symbol, s);
    return s;
  }

  /** Grid index of the first trading day on or after `iso`, within the served history up to today. */
  indexOnOrAfter(iso: string): number {
    return Math.min(this.todayIndex, Math.max(this.startIndex, firstIndexOnOrAfter(iso)));
  }

  /** raw price = split-adjusted price (as of today) × this, for grid day t ≤ today. */
  multiplierAt(p: SymbolProfile, t: number): number {
    return splitMultiplier(p, t) / splitMultiplier(p, this.todayIndex);
  }

  /** The raw close of grid day t, computed on its own. */
  rawCloseAt(p: SymbolProfile, t: number): number {
    return rawCloseAt(this.seed, p, this.factors, t);
  }

  /**
   * Every symbol's bar on one trading day up to today (raw, as traded, with its multiplier as
   * of today), without generating whole histories; `visit` gets a reused bar object.
   */
  forEachBarOn(iso: string, visit: (symbol: string, bar: Readonly<RawBar>, p: SymbolProfile) => void): void {
    const t = gridIndexOf(iso);
    if (t === undefined || t > this.todayIndex || t < this.startIndex) return;
    const bar: RawBar = { open: 0, high: 0, low: 0, close: 0, volume: 0, multiplier: 1 };
    for (const symbol of this.listings.keys()) {
      const p = this.profile(symbol)!;
      if (t < this.firstIndexOf(p)) continue;
      barAt(this.seed, p, this.factors, t, bar);
      bar.multiplier /= splitMultiplier(p, this.todayIndex);
      visit(symbol, bar, p);
    }
  }
}
