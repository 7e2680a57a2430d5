import { ValidationError } from "../../core/errors.ts";
import { type CorporateAction, sortActions } from "../../core/history/actions.ts";
import { quantizePrice } from "../../core/history/bars-codec.ts";
import { isTradedBar, type RawBar } from "../../core/history/raw-history.ts";
import type { MarketActionsResult, MarketDayResult, ProviderName } from "../../core/market-data.port.ts";
import { fromProviderSymbol } from "../../core/symbols.ts";
import { isTradingDay } from "../../core/trading-calendar.ts";
import { isIsoDate } from "./bars.ts";
import { type FailureContext, failure } from "./classify.ts";

/**
 * What the whole-market methods of every adapter share (Polygon's grouped daily, FMP's
 * end-of-day bulk, their market-wide actions): provider spellings read as canonical symbols
 * with the rest counted, each row's bar put on its quanta exactly as a history's bars are
 * (history-window's RawBarCollector), and the trading calendar's word on an empty session.
 */

/** The failure context of a whole-market request: no one symbol, so `*`. */
export function marketContext(provider: ProviderName, apiKey: string | undefined): FailureContext {
  return { provider, symbol: "*", secrets: apiKey ? [apiKey] : [] };
}

/** Throws ValidationError for a date that is not `YYYY-MM-DD` (a caller's bug, not the provider's answer). */
export function requireDate(what: string, ...dates: string[]): void {
  const bad = dates.filter((date) => !isIsoDate(date));
  if (bad.length > 0)
    throw new ValidationError(
      what,
      bad.map((date) => `expected YYYY-MM-DD, got ${JSON.stringify(date)}`),
    );
}

/** Throws ValidationError for a range whose ends are not `YYYY-MM-DD` or that ends before it starts. */
export function requireRange(what: string, from: string, to: string): void {
  requireDate(what, from, to);
  if (to < from) throw new ValidationError(what, [`${to} is before ${from}`]);
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Every symbol's bar of one session, as the rows of a whole-market answer come. */
export class MarketDayBars {
  readonly bars = new Map<string, RawBar>();
  /** Rows whose symbol has no canonical form. */
  unmapped = 0;

  constructor(
    private readonly provider: ProviderName,
    readonly date: string,
  ) {}

  /**
   * One row: kept when its symbol is canonical and it holds a session's trades (four finite
   * positive prices, high ≥ low; a missing volume is 0), with prices on their quanta and whole
   * shares, the very bar a history of the symbol would hold. A later row of a symbol wins.
   */
  add(providerSymbol: string, open: unknown, high: unknown, low: unknown, close: unknown, volume: unknown) {
    const symbol = fromProviderSymbol(providerSymbol, this.provider);
    if (symbol === undefined) {
      this.unmapped++;
      return;
    }
    if (!finite(open) || !finite(high) || !finite(low) || !finite(close)) return;
    const shares = finite(volume) ? volume : 0;
    if (!isTradedBar({ open, high, low, close, volume: shares })) return;
    this.bars.set(symbol, {
      date: this.date,
      open: quantizePrice(open),
      high: quantizePrice(high),
      low: quantizePrice(low),
      close: quantizePrice(close),
      volume: Math.round(shares),
      provider: this.provider,
    });
  }

  /**
   * The session's bars. None on a day the calendar says the market traded is not a holiday but
   * an answer not there yet (a provider publishes after the close): `transient`, to be asked
   * again; on a day without trading it is the right answer.
   */
  result(ctx: FailureContext, bytes: number): MarketDayResult {
    if (this.bars.size === 0 && isTradingDay(this.date))
      return failure(
        ctx,
        "transient",
        `no bars for ${this.date}, a trading session: not published yet (or a partial outage)`,
      );
    return { ok: true, date: this.date, bars: this.bars, unmapped: this.unmapped, bytes };
  }
}

/** The whole market's actions in a range, by canonical symbol, as their rows come. */
export class MarketActions {
  private readonly bySymbol = new Map<string, Map<string, CorporateAction>>();
  /** Rows whose symbol has no canonical form. */
  unmapped = 0;

  constructor(
    private readonly provider: ProviderName,
    readonly from: string,
    readonly to: string,
  ) {}

  /** The canonical symbol of a row's ticker, or undefined (counted as unmapped). */
  symbolOf(providerSymbol: unknown): string | undefined {
    const symbol =
      typeof providerSymbol === "string" ? fromProviderSymbol(providerSymbol, this.provider) : undefined;
    if (symbol === undefined) this.unmapped++;
    return symbol;
  }

  /** An action of the range (one outside it is left out); a second report of one event replaces the first. */
  add(symbol: string, action: CorporateAction): void {
    if (action.exDate < this.from || action.exDate > this.to) return;
    let events = this.bySymbol.get(symbol);
    if (!events) {
      events = new Map();
      this.bySymbol.set(symbol, events);
    }
    events.set(`${action.type} ${action.exDate}`, action);
  }

  result(bytes: number): MarketActionsResult {
    const actions = new Map<string, CorporateAction[]>();
    for (const [symbol, events] of this.bySymbol) actions.set(symbol, sortActions([...events.values()]));
    return { ok: true, actions, unmapped: this.unmapped, bytes };
  }
}
