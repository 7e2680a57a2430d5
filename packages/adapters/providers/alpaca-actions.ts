import type { CorporateAction } from "../../core/history/actions.ts";
import { quantizePrice } from "../../core/history/bars-codec.ts";
import type { FetchFailure } from "../../core/market-data.port.ts";
import { PROVIDER, query, readTokenPages } from "./alpaca-wire.ts";
import { isIsoDate } from "./bars.ts";
import { type FailureContext, failure, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import type { HistoryRequests } from "./history-requests.ts";
import { isRecord, type JsonRecord, typeName } from "./shape.ts";

/**
 * Alpaca's corporate actions, `GET /v1/corporate-actions?symbols&types&start&end&limit&sort
 * &page_token` → `{corporate_actions: {forward_splits: [...], reverse_splits: [...],
 * cash_dividends: [...], ...}, next_page_token}`; a type without rows is absent.
 *
 * - `start` and `end` (dates, inclusive, default today) bound each action's `process_date`, the
 *   day Alpaca books it: a split's ex-date, a cash dividend's payable date (weeks after its
 *   ex-date). Asking for ex-dates from D on means `start` D; the end reaches past the last
 *   ex-date wanted by how long payment can lag it.
 * - `limit` (1–1,000, default 100) counts actions across every type and symbol of a page.
 * - Splits: `old_rate` shares become `new_rate` shares on `ex_date` (2-for-1: 1 → 2; 1-for-10:
 *   10 → 1). Cash dividends: `rate` per share outstanding on `ex_date`, as paid; `special` and
 *   `foreign` ones adjust prices all the same.
 */

/** Actions a page holds at most: Alpaca's largest `limit`. */
export const ACTIONS_PER_PAGE = 1000;
/** Pages before an answer is taken for a loop: the whole market's year is ~30 pages. */
const MAX_PAGES = 500;
/** How long after its ex-date a cash dividend may be paid, and so booked: the end of a query reaches this far. */
export const PAYMENT_LAG_DAYS = 90;

const TYPES = "forward_split,reverse_split,cash_dividend";

/** The path of a corporate-actions request (page token appended by the reader). */
export function actionsPath(
  config: ResolvedProviderConfig,
  q: { symbols?: readonly string[]; start: string; end: string },
): string {
  return `${config.pathPrefix}/v1/corporate-actions?${query({
    symbols: q.symbols?.join(","),
    types: TYPES,
    start: q.start,
    end: q.end,
    limit: ACTIONS_PER_PAGE,
    sort: "asc",
  })}`;
}

/** One action as read, with the Alpaca symbol it is for. */
export interface SymbolAction {
  symbol: string;
  action: CorporateAction;
}

/**
 * Requests `path` and every page after it, each after the first behind the caller's gate,
 * handing each split and cash dividend to `visit`. Undefined when every page was read;
 * otherwise the failure.
 */
export async function readActionPages(
  ctx: FailureContext,
  requests: HistoryRequests,
  path: string,
  visit: (read: SymbolAction) => void,
): Promise<FetchFailure | undefined> {
  const limit = { pages: MAX_PAGES, message: `corporate actions: more than ${MAX_PAGES} pages; stopped` };
  return readTokenPages(ctx, requests, path, limit, (body) => {
    const groups = body.corporate_actions;
    if (groups !== null && groups !== undefined && !isRecord(groups))
      return failure(ctx, "invalid-response", `corporate_actions is ${typeName(groups)}, expected an object`);
    for (const [type, readRow] of ROW_READERS) {
      const rows = groups?.[type];
      if (rows === undefined || rows === null) continue;
      if (!Array.isArray(rows))
        return failure(
          ctx,
          "invalid-response",
          `corporate actions: ${type} is ${typeName(rows)}, expected an array`,
        );
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        const got = isRecord(row) ? readRow(row) : `is ${typeName(row)}, expected an object`;
        if (typeof got === "string") return failure(ctx, "invalid-response", `${type}[${i}] ${got}`);
        if (got) visit(got);
      }
    }
    return undefined;
  });
}

const positive = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;
const shown = (v: unknown) => quote(JSON.stringify(v) ?? "undefined");

/** A split row; undefined for one that changes nothing; a string saying what is wrong. */
function splitOf(row: JsonRecord): SymbolAction | undefined | string {
  const { symbol, ex_date: exDate, old_rate: from, new_rate: to } = row;
  if (typeof symbol !== "string") return `has symbol ${shown(symbol)}`;
  if (!isIsoDate(exDate)) return `(${symbol}) has ex_date ${shown(exDate)}`;
  if (!positive(from) || !positive(to))
    return `(${symbol}) old_rate ${shown(from)} and new_rate ${shown(to)} are not positive share counts`;
  if (from === to) return undefined;
  return { symbol, action: { type: "split", exDate, from, to, provider: PROVIDER } };
}

/** A cash dividend row; undefined for a zero amount (nothing paid); a string saying what is wrong. */
function dividendOf(row: JsonRecord): SymbolAction | undefined | string {
  const { symbol, ex_date: exDate, rate: amount } = row;
  if (typeof symbol !== "string") return `has symbol ${shown(symbol)}`;
  if (!isIsoDate(exDate)) return `(${symbol}) has ex_date ${shown(exDate)}`;
  if (amount === 0) return undefined;
  if (!positive(amount)) return `(${symbol}) rate ${shown(amount)} is not a positive amount`;
  return { symbol, action: { type: "dividend", exDate, amount: quantizePrice(amount), provider: PROVIDER } };
}

const ROW_READERS: readonly [string, (row: JsonRecord) => SymbolAction | undefined | string][] = [
  ["forward_splits", splitOf],
  ["reverse_splits", splitOf],
  ["cash_dividends", dividendOf],
];
