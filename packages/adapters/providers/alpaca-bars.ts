import type { FetchFailure } from "../../core/market-data.port.ts";
import { query, readTokenPages, sessionDateOf } from "./alpaca-wire.ts";
import { type FailureContext, failure, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import type { HistoryRequests } from "./history-requests.ts";
import { isRecord } from "./shape.ts";

/**
 * Alpaca's stock bars, `GET /v2/stocks/bars?symbols=A,B&timeframe=1Day&start&end&adjustment&feed
 * &limit&sort&page_token` → `{bars: {SYM: [{t, o, h, l, c, v, n, vw}]}, next_page_token,
 * currency?}`: sorted by symbol, then by time; `limit` (at most 10,000) counts bars across every
 * symbol of a page, so a page may hold one symbol's tail and the next one's head; a symbol
 * without bars (unknown, or not trading in the range) is absent. `t` is the session's 00:00 in
 * New York, in UTC. `adjustment=raw` gives prices and volumes as traded.
 */

/** Bars a page holds at most: Alpaca's largest `limit`. */
export const BARS_PER_PAGE = 10_000;
/** Pages one request's answer may take before it is taken for a loop (a request covers at most ~200 × 1,300 bars). */
const MAX_PAGES = 200;

/** What one bar request asks for, besides the symbols and the page. */
export interface BarsQuery {
  symbols: readonly string[];
  start: string;
  end: string | undefined;
  adjustment: "raw" | "split";
}

/** The path of a bars request (page token appended by the reader). */
export function barsPath(config: ResolvedProviderConfig, q: BarsQuery): string {
  return `${config.pathPrefix}/v2/stocks/bars?${query({
    symbols: q.symbols.join(","),
    timeframe: "1Day",
    start: q.start,
    end: q.end,
    adjustment: q.adjustment,
    feed: config.feed,
    limit: BARS_PER_PAGE,
    sort: "asc",
  })}`;
}

/** One bar as read: its Alpaca symbol, session date and fields as sent (checked by the collector). */
export type BarVisitor = (
  symbol: string,
  date: string,
  o: unknown,
  h: unknown,
  l: unknown,
  c: unknown,
  v: unknown,
) => void;

/**
 * Requests `path` and every page after it, each after the first behind the caller's gate
 * (`requests`), handing each bar to `visit`. Undefined when every page was read; otherwise the
 * failure. A symbol in the answer that was not asked for means the answer is not for this
 * request: refused.
 */
export async function readBarPages(
  ctx: FailureContext,
  requests: HistoryRequests,
  path: string,
  asked: ReadonlySet<string>,
  visit: BarVisitor,
): Promise<FetchFailure | undefined> {
  const limit = {
    pages: MAX_PAGES,
    message: `bars: more than ${MAX_PAGES} pages of next_page_token; stopped`,
  };
  return readTokenPages(ctx, requests, path, limit, (body) => {
    const bars = body.bars;
    // An empty answer is `{"bars": {}}`; some clients have seen `null` there.
    if (bars !== null && bars !== undefined && !isRecord(bars))
      return failure(ctx, "invalid-response", "bars: expected an object of symbols");
    for (const [symbol, list] of Object.entries(bars ?? {})) {
      if (!asked.has(symbol))
        return failure(ctx, "invalid-response", `bars for ${quote(symbol)}, which was not asked for`);
      if (!Array.isArray(list))
        return failure(ctx, "invalid-response", `bars of ${quote(symbol)}: expected an array`);
      for (let i = 0; i < list.length; i++) {
        const bar = list[i];
        const date = isRecord(bar) ? sessionDateOf(bar.t) : undefined;
        if (!isRecord(bar) || date === undefined)
          return failure(ctx, "invalid-response", `bars of ${quote(symbol)} [${i}]: not a bar with a time t`);
        visit(symbol, date, bar.o, bar.h, bar.l, bar.c, bar.v);
      }
    }
    return undefined;
  });
}
