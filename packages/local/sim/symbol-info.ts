import { gridDates } from "./grid.ts";
import type { MarketModel } from "./market-model.ts";
import { dividendDays, dividendOn } from "./price-path.ts";
import type { SplitEvent, SymbolProfile } from "./symbol-profile.ts";
import { DIVIDEND_PERIOD } from "./symbol-profile.ts";
import { SECTORS } from "./universe.ts";

/**
 * What the simulator tells tests about its symbols, as of the clock's today
 * (`GET /_sim/symbols/{symbol}`, `GET /_sim/symbols?...`): the ground truth a
 * test compares provider answers with, and the way it finds a symbol with a
 * split or a dividend to look at.
 */

export interface SimSplitInfo {
  /** Ex-date: the first session at the new share count. */
  date: string;
  /** Yahoo's and FMP's numerator:denominator (new shares : old), e.g. 2:1 forward, 1:10 reverse. */
  numerator: number;
  denominator: number;
}

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
  /** Splits up to today. */
  splits: SimSplitInfo[];
  /** Ex-dates and cash amounts (as paid, per then-outstanding share) within the history, up to today. */
  dividends: { date: string; amount: number }[];
  /**
   * What happens after today (no provider reports it yet): the split still to come, and the
   * next dividend if one falls within a dividend period.
   */
  upcoming: { splits: SimSplitInfo[]; dividends: { date: string; amount: number }[] };
}

export const SPLIT_FILTERS = ["2:1", "3:1", "3:2", "1:10", "forward", "reverse", "any"] as const;

/** Which symbols to find (all given conditions must hold); symbols not listed by today are never found. */
export interface SymbolFilter {
  /** A split up to today (or, with `upcoming`, within the next `upcoming` sessions) of this ratio or kind. */
  split?: (typeof SPLIT_FILTERS)[number];
  ipo?: boolean;
  etf?: boolean;
  /** A dividend payer (or not); with `upcoming`, one with an ex-date within the next `upcoming` sessions. */
  dividend?: boolean;
  /** Sessions after today that `split` and `dividend: true` look at instead of the past. */
  upcoming?: number;
  limit?: number;
}

export function symbolInfo(model: MarketModel, symbol: string): SimSymbolInfo | undefined {
  const p = model.profile(symbol);
  if (!p || !model.isListed(p)) return undefined;
  const dates = gridDates();
  const today = model.asOfIndex;
  const { listing, split } = p;
  const first = model.firstIndexOf(p);
  const splitInfo = (s: SplitEvent): SimSplitInfo => ({
    date: dates[s.index]!,
    numerator: s.numerator,
    denominator: s.denominator,
  });
  return {
    symbol,
    name: listing.name,
    exchange: listing.exchange,
    etf: listing.etf,
    sp500: listing.sp500,
    sector: SECTORS[p.sector]!,
    beta: p.beta,
    dailyVol: p.dailyVol,
    firstDate: dates[first]!,
    ...(p.ipoIndex !== undefined ? { ipoDate: dates[first]! } : {}),
    splits: split && split.index <= today ? [splitInfo(split)] : [],
    dividends: model.dividends.of(symbol).map((d) => ({ date: d.date, amount: d.amount })),
    upcoming: {
      splits: split && split.index > today ? [splitInfo(split)] : [],
      dividends: dividendsBetween(model, p, today + 1, today + DIVIDEND_PERIOD).map((t) => ({
        date: dates[t]!,
        amount: dividendOn(p, t, model.rawCloseAt(p, t - 1)),
      })),
    },
  };
}

/** Symbols matching a filter, in directory order (profiles and a few single closes only: cheap). */
export function findSymbols(model: MarketModel, filter: SymbolFilter): string[] {
  const found: string[] = [];
  const limit = filter.limit ?? Number.POSITIVE_INFINITY;
  const today = model.asOfIndex;
  const ahead = filter.upcoming;
  for (const symbol of model.symbols()) {
    if (found.length >= limit) break;
    const p = model.profile(symbol)!;
    if (!model.isListed(p)) continue;
    if (filter.etf !== undefined && p.listing.etf !== filter.etf) continue;
    if (filter.ipo !== undefined && (p.ipoIndex !== undefined) !== filter.ipo) continue;
    if (filter.split !== undefined) {
      const s = p.split;
      if (!s || !matchesSplit(s, filter.split)) continue;
      if (ahead === undefined ? s.index > today : s.index <= today || s.index > today + ahead) continue;
    }
    if (filter.dividend !== undefined) {
      if (ahead !== undefined && filter.dividend) {
        if (dividendsBetween(model, p, today + 1, today + ahead).length === 0) continue;
      } else if (p.dividendYield > 0 !== filter.dividend) continue;
    }
    found.push(symbol);
  }
  return found;
}

function matchesSplit(s: SplitEvent, wanted: SymbolFilter["split"]): boolean {
  if (wanted === "any") return true;
  if (wanted === "forward") return s.numerator > s.denominator;
  if (wanted === "reverse") return s.numerator < s.denominator;
  return `${s.numerator}:${s.denominator}` === wanted;
}

/** Grid days from `from` to `to` on which the symbol pays a dividend (a pure function of the day). */
function dividendsBetween(model: MarketModel, p: SymbolProfile, from: number, to: number): number[] {
  return dividendDays(p, Math.max(from, model.firstIndexOf(p)), Math.min(to, gridDates().length - 1)).filter(
    (t) => dividendOn(p, t, model.rawCloseAt(p, t - 1)) > 0,
  );
}
