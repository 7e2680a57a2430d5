import { type CorporateAction, sortActions } from "../../core/history/actions.ts";
import type { RawHistory } from "../../core/history/raw-history.ts";
import type {
  HistoryOptions,
  MarketActionsResult,
  SymbolsHistoryResult,
} from "../../core/market-data.port.ts";
import { fromProviderSymbol, toProviderSymbol } from "../../core/symbols.ts";
import { actionsPath, PAYMENT_LAG_DAYS, readActionPages } from "./alpaca-actions.ts";
import { barsPath, readBarPages } from "./alpaca-bars.ts";
import { alpacaContext, daysAfter, endOf, PROVIDER } from "./alpaca-wire.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { HistoryRequests } from "./history-requests.ts";
import { RawBarCollector } from "./history-window.ts";
import { requireRange } from "./market-wide.ts";

/**
 * What Alpaca answers beyond one ticker: many symbols' raw bars per request, and the whole
 * market's splits and cash dividends for a range of ex-dates. Every request of a call after its
 * first waits at the caller's gate for its own token. Failures carry `symbol: "*"`.
 */

/**
 * Symbols one bars request names at most. Alpaca's v2 documentation states no cap (its v1 bars
 * API took 200); 200 keeps a request's URL near 1,200 characters, and a page of 10,000 bars
 * holds 50 sessions of each.
 */
export const SYMBOLS_PER_REQUEST = 200;
/** The longest request URL sent (origin, path and query, a page token included): proxies refuse much longer. */
export const MAX_URL_CHARS = 2000;
/** Room a page token takes in the URL: Alpaca's are ~60 characters of base64. */
const PAGE_TOKEN_ROOM = 120;

/**
 * Provider spellings in groups of at most SYMBOLS_PER_REQUEST whose bars request, page token
 * included, stays within MAX_URL_CHARS.
 */
export function symbolChunks(
  config: ResolvedProviderConfig,
  spelled: readonly string[],
  from: string,
  end: string | undefined,
): string[][] {
  const fixed =
    config.origin.length +
    barsPath(config, { symbols: [], start: from, end, adjustment: "raw" }).length +
    PAGE_TOKEN_ROOM;
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let length = fixed;
  for (const symbol of spelled) {
    const size = encodeURIComponent(symbol).length;
    // A comma before every symbol but the first.
    if (chunk.length > 0 && (chunk.length === SYMBOLS_PER_REQUEST || length + 1 + size > MAX_URL_CHARS)) {
      chunks.push(chunk);
      chunk = [];
      length = fixed;
    }
    length += (chunk.length > 0 ? 1 : 0) + size;
    chunk.push(symbol);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Raw bars of `symbols` (canonical) from `from` to `to` (inclusive), by canonical symbol; a
 * symbol without a bar in the range is absent. Throws ValidationError for a bad range or a
 * symbol that is not canonical (the caller's bug).
 */
export async function fetchAlpacaSymbolsHistory(
  config: ResolvedProviderConfig,
  symbols: readonly string[],
  from: string,
  to: string,
  options: HistoryOptions | undefined,
): Promise<SymbolsHistoryResult> {
  requireRange("Alpaca symbols history range", from, to);
  const canonicalOf = new Map<string, string>();
  for (const symbol of symbols) canonicalOf.set(toProviderSymbol(symbol, PROVIDER), symbol);
  const ctx = alpacaContext(config, "*");
  const requests = new HistoryRequests(config, ctx, options);
  const collectors = new Map<string, RawBarCollector>();
  const end = endOf(to);
  for (const chunk of symbolChunks(config, [...canonicalOf.keys()], from, end)) {
    const path = barsPath(config, { symbols: chunk, start: from, end, adjustment: "raw" });
    const read = await readBarPages(ctx, requests, path, new Set(chunk), (spelled, date, o, h, l, c, v) => {
      // Without an end (a range reaching today) the answer runs to the latest session.
      if (date < from || date > to) return;
      let collector = collectors.get(spelled);
      if (!collector) {
        collector = new RawBarCollector(PROVIDER);
        collectors.set(spelled, collector);
      }
      collector.add(date, o, h, l, c, v);
    });
    if (read) return read;
  }
  const bars = new Map<string, RawHistory>();
  for (const [spelled, collector] of collectors) {
    const canonical = canonicalOf.get(spelled)!;
    const history = collector.history(canonical);
    if (history.dates.length > 0) bars.set(canonical, history);
  }
  return { ok: true, bars, bytes: requests.bytes };
}

/**
 * The whole market's splits and cash dividends with ex-dates from `from` to `to` (inclusive), by
 * canonical symbol. Alpaca's range bounds when an action is booked, not its ex-date: the query
 * runs from `from` to PAYMENT_LAG_DAYS past `to`, and rows are kept by ex-date. Symbols without a
 * canonical form are counted in `unmapped`.
 */
export async function fetchAlpacaMarketActions(
  config: ResolvedProviderConfig,
  from: string,
  to: string,
  options: HistoryOptions | undefined,
): Promise<MarketActionsResult> {
  requireRange("Alpaca market actions range", from, to);
  const ctx = alpacaContext(config, "*");
  const requests = new HistoryRequests(config, ctx, options);
  const actions = new Map<string, CorporateAction[]>();
  const unmapped = new Set<string>();
  const path = actionsPath(config, { start: from, end: daysAfter(to, PAYMENT_LAG_DAYS) });
  const read = await readActionPages(ctx, requests, path, ({ symbol, action }) => {
    if (action.exDate < from || action.exDate > to) return;
    const canonical = fromProviderSymbol(symbol, PROVIDER);
    if (canonical === undefined) {
      unmapped.add(symbol);
      return;
    }
    const list = actions.get(canonical);
    if (list) list.push(action);
    else actions.set(canonical, [action]);
  });
  if (read) return read;
  for (const [symbol, list] of actions) actions.set(symbol, sortActions(list));
  return { ok: true, actions, unmapped: unmapped.size, bytes: requests.bytes };
}
