import { gridDates } from "./grid.ts";
import type { MarketModel } from "./market-model.ts";
import { dividendDays, dividendOn } from "./price-path.ts";

/**
 * Each symbol's cash dividends as of the clock's today, with the numbers the
 * providers report beside them (split-adjusted amounts, cumulative factors).
 * Computed from single closes (one per ex-date), not from whole histories, so
 * a market-wide query stays cheap; the amounts are those of the histories to
 * the last bit (the same closes, the same expressions).
 */
export interface DividendRecord {
  /** Grid index and ISO date of the ex-date. */
  readonly index: number;
  readonly date: string;
  /** Cash per share outstanding on the ex-date (raw: not adjusted for later splits). */
  readonly amount: number;
  /** The raw close of the session before the ex-date. */
  readonly previousClose: number;
  /** The amount per share of today (adjusted for splits up to today). */
  readonly splitAdjustedAmount: number;
  /**
   * The product, over this dividend and every later one up to today, of 1 − amount / the raw
   * close before its ex-date: what a price before this ex-date is multiplied by for dividends
   * (Polygon's `historical_adjustment_factor`).
   */
  readonly factor: number;
}

export class DividendBook {
  private readonly bySymbol = new Map<string, { from: number; records: readonly DividendRecord[] }>();

  constructor(private readonly model: MarketModel) {}

  /** The symbol's dividends with ex-dates from grid index `from` to today, ascending (none for an unknown symbol). */
  of(symbol: string, from = this.model.startIndex): readonly DividendRecord[] {
    const cached = this.bySymbol.get(symbol);
    if (cached && cached.from <= from)
      return cached.from === from ? cached.records : since(cached.records, from);
    const records = this.compute(symbol, from);
    this.bySymbol.set(symbol, { from, records });
    return records;
  }

  /** Forgets everything (the clock moved: factors are as of today). */
  clear(): void {
    this.bySymbol.clear();
  }

  private compute(symbol: string, from: number): DividendRecord[] {
    const { model } = this;
    const p = model.profile(symbol);
    if (!p || !model.isListed(p)) return [];
    const today = model.asOfIndex;
    const dates = gridDates();
    const found: Omit<DividendRecord, "factor">[] = [];
    for (const t of dividendDays(p, Math.max(from, model.firstIndexOf(p)), today)) {
      const previousClose = model.rawCloseAt(p, t - 1);
      const amount = dividendOn(p, t, previousClose);
      if (amount > 0)
        found.push({
          index: t,
          date: dates[t]!,
          amount,
          previousClose,
          splitAdjustedAmount: amount / model.multiplierAt(p, t),
        });
    }
    // Multiplied from today backwards, in the order a history's dividend factors are.
    const records: DividendRecord[] = new Array(found.length);
    let factor = 1;
    for (let k = found.length - 1; k >= 0; k--) {
      const d = found[k]!;
      factor *= 1 - d.amount / d.previousClose;
      records[k] = { ...d, factor };
    }
    return records;
  }
}

function since(records: readonly DividendRecord[], from: number): readonly DividendRecord[] {
  let k = 0;
  while (k < records.length && records[k]!.index < from) k++;
  return records.slice(k);
}
