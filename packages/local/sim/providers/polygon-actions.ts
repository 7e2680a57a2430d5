import { createHash } from "node:crypto";
import { fromProviderSymbol, toProviderSymbol } from "../../../core/symbols.ts";
import { addTradingDays } from "../../../core/trading-calendar.ts";
import { gridDates } from "../grid.ts";
import type { MarketModel } from "../market-model.ts";
import { isIsoDate } from "./format.ts";
import { decodeCursor, encodeCursor, errorAnswer, JSON_TYPE } from "./polygon-wire.ts";
import {
  answerFrom,
  type ParsedRequest,
  type ProviderEnv,
  type RenderedAnswer,
  renderedAnswer,
  type SimAnswer,
} from "./provider.ts";

/**
 * Massive's (Polygon's) corporate actions, as of the simulator's today:
 *
 * - `GET /stocks/v1/splits` → `{request_id, results: [{adjustment_type, execution_date,
 *   historical_adjustment_factor, id, split_from, split_to, ticker}], status: "OK", next_url?}`.
 *   `split_from` old shares become `split_to` new ones (2-for-1: 1 → 2; 1-for-10: 10 → 1);
 *   `adjustment_type` forward_split or reverse_split; `historical_adjustment_factor` multiplies
 *   an unadjusted price before the execution date (the splits from this one up to today).
 *   Filters: `ticker`, `ticker.any_of|gt|gte|lt|lte`, `execution_date`,
 *   `execution_date.gt|gte|lt|lte`, `adjustment_type`, `adjustment_type.any_of`. Default
 *   sort `execution_date.desc`.
 * - `GET /stocks/v1/dividends` → `{request_id, results: [{cash_amount, currency,
 *   declaration_date, distribution_type, ex_dividend_date, frequency,
 *   historical_adjustment_factor, id, pay_date, record_date, split_adjusted_cash_amount,
 *   ticker}], status: "OK", next_url?}`. `cash_amount` per share outstanding on the ex-date
 *   (not adjusted for later splits: Massive's are not); `historical_adjustment_factor`
 *   multiplies a price before the ex-date (the dividends from this one up to today, CRSP:
 *   1 − cash / the previous raw close each). Filters: `ticker…` as above,
 *   `ex_dividend_date`, `ex_dividend_date.gt|gte|lt|lte`, `frequency`,
 *   `frequency.gt|gte|lt|lte`, `distribution_type`, `distribution_type.any_of`. Default sort
 *   `ticker.asc`.
 *
 * Without a ticker filter they answer for the whole market. `limit` (default 100, at most
 * 5000) and `sort` (comma-separated `column.asc|desc`) as Massive documents them; when more
 * match, `next_url` is this endpoint with an opaque `cursor` (and, as Massive's, without the
 * API key: the client adds it). Numbers are full doubles (Massive rounds its factors to six
 * decimals). Nothing after today is reported.
 */

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 5000;
const OPERATORS = ["gt", "gte", "lt", "lte"] as const;

type Row = Record<string, string | number>;

interface ActionEndpoint {
  path: string;
  /** The date column: what `{date}`, `{date}.gte`... filter on. */
  dateField: string;
  /** Columns a query may filter on, and whether they are numbers. */
  filters: Record<string, "string" | "date" | "integer">;
  defaultSort: string;
  /** Rows for these symbols (canonical), with ex-dates on or after grid index `from`. */
  rows(model: MarketModel, symbols: Iterable<string>, from: number, seed: number): Row[];
}

const SPLITS: ActionEndpoint = {
  path: "/stocks/v1/splits",
  dateField: "execution_date",
  filters: { ticker: "string", execution_date: "date", adjustment_type: "string" },
  defaultSort: "execution_date.desc",
  rows(model, symbols, from, seed) {
    const rows: Row[] = [];
    for (const symbol of symbols) {
      const p = model.profile(symbol);
      const s = p?.split;
      if (!p || !s || !model.isListed(p) || s.index > model.asOfIndex || s.index < from) continue;
      const date = gridDates()[s.index]!;
      rows.push({
        adjustment_type: s.numerator > s.denominator ? "forward_split" : "reverse_split",
        execution_date: date,
        // The one split of a symbol: the factor of the splits from it up to today is its own.
        historical_adjustment_factor: s.denominator / s.numerator,
        id: eventId(seed, "split", symbol, date),
        split_from: s.denominator,
        split_to: s.numerator,
        ticker: toProviderSymbol(symbol, "polygon"),
      });
    }
    return rows;
  },
};

const DIVIDENDS: ActionEndpoint = {
  path: "/stocks/v1/dividends",
  dateField: "ex_dividend_date",
  filters: { ticker: "string", ex_dividend_date: "date", frequency: "integer", distribution_type: "string" },
  defaultSort: "ticker.asc",
  rows(model, symbols, from, seed) {
    const rows: Row[] = [];
    for (const symbol of symbols) {
      const ticker = toProviderSymbol(symbol, "polygon");
      for (const d of model.dividends.of(symbol, from)) {
        rows.push({
          cash_amount: d.amount,
          currency: "USD",
          declaration_date: addTradingDays(d.date, -10),
          distribution_type: "recurring",
          ex_dividend_date: d.date,
          frequency: 4,
          historical_adjustment_factor: d.factor,
          id: eventId(seed, "dividend", symbol, d.date),
          pay_date: addTradingDays(d.date, 10),
          // Settlement is T+1 since 2024: the record date is the ex-date.
          record_date: d.date,
          split_adjusted_cash_amount: d.splitAdjustedAmount,
          ticker,
        });
      }
    }
    return rows;
  },
};

/** `/stocks/v1/splits` and `/stocks/v1/dividends`, or undefined for another path. */
export function polygonActions(
  env: ProviderEnv,
  url: URL,
  key: string | undefined,
): ParsedRequest | SimAnswer | undefined {
  const endpoint =
    url.pathname === SPLITS.path ? SPLITS : url.pathname === DIVIDENDS.path ? DIVIDENDS : undefined;
  if (!endpoint) return undefined;
  const query = readQuery(env, url, endpoint);
  if ("status" in query) return query;
  const { params, offset, limit, sort, symbol } = query;
  const render = (): RenderedAnswer => {
    const rows = matchingRows(env.model, endpoint, params);
    rows.sort(compareBy(sort, endpoint.dateField));
    const page = rows.slice(offset, offset + limit);
    let nextUrl = "";
    if (offset + limit < rows.length) {
      const next: Record<string, string> = Object.fromEntries(params);
      next.offset = String(offset + limit);
      nextUrl = `,"next_url":${JSON.stringify(`${env.baseUrl}${endpoint.path}?cursor=${encodeCursor(next)}`)}`;
    }
    return renderedAnswer({ status: 200, contentType: JSON_TYPE, outcome: "ok" }, [
      '{"request_id":"',
      `","results":[${page.map((row) => JSON.stringify(row)).join(",")}],"status":"OK"${nextUrl}}`,
    ]);
  };
  return {
    key,
    symbol,
    respond: () => answerFrom(render(), env.requestId),
    renderKey: JSON.stringify([endpoint.path, [...params].sort(), offset]),
    render,
  };
}

interface ActionQuery {
  /** The query that selects the rows (filters, limit, sort), from the cursor when there is one. */
  params: URLSearchParams;
  offset: number;
  limit: number;
  sort: [string, 1 | -1][];
  /** The canonical symbol of a single-ticker query, for the request log. */
  symbol: string | null;
}

function readQuery(env: ProviderEnv, url: URL, endpoint: ActionEndpoint): ActionQuery | SimAnswer {
  const bad = (error: string) => errorAnswer(env, 400, error, "bad-request");
  const cursorText = url.searchParams.get("cursor");
  const cursor = cursorText === null ? undefined : decodeCursor(cursorText);
  if (cursorText !== null && !cursor?.has("offset")) return bad("Invalid cursor");
  const params = new URLSearchParams(cursor ?? url.searchParams);
  const offset = Number(params.get("offset") ?? 0);
  params.delete("offset");
  params.delete("cursor");
  params.delete("apiKey");
  if (!(Number.isInteger(offset) && offset >= 0)) return bad("Invalid cursor");
  const limitText = params.get("limit");
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT))
    return bad(`limit must be an integer from 1 to ${MAX_LIMIT}, got ${limitText}`);
  for (const [name, value] of params) {
    const [field, op] = name.split(".", 2) as [string, string | undefined];
    const type = endpoint.filters[field];
    if (
      type === undefined ||
      (op !== undefined && op !== "any_of" && !(OPERATORS as readonly string[]).includes(op))
    )
      continue;
    const values = op === "any_of" ? value.split(",") : [value];
    if (type === "date" && !values.every(isIsoDate))
      return bad(`${name}: value must be formatted 'yyyy-mm-dd', got ${value}`);
    if (type === "integer" && !values.every((v) => /^-?\d+$/.test(v)))
      return bad(`${name}: value must be an integer, got ${value}`);
  }
  const sort: [string, 1 | -1][] = [];
  for (const part of (params.get("sort") ?? endpoint.defaultSort).split(",")) {
    const [column, direction = "asc"] = part.trim().split(".", 2) as [string, string | undefined];
    if (!(column in endpoint.filters) || (direction !== "asc" && direction !== "desc"))
      return bad(
        `sort: expected column.asc or column.desc with column one of ${Object.keys(endpoint.filters).join(", ")}, got ${part}`,
      );
    sort.push([column, direction === "asc" ? 1 : -1]);
  }
  const ticker = params.get("ticker");
  const canonical = ticker === null ? undefined : fromProviderSymbol(ticker, "polygon");
  return {
    params,
    offset,
    limit,
    sort,
    symbol: canonical !== undefined && env.model.has(canonical) ? canonical : null,
  };
}

/** Every row the query's filters select, in no particular order. */
function matchingRows(model: MarketModel, endpoint: ActionEndpoint, params: URLSearchParams): Row[] {
  const tests: ((row: Row) => boolean)[] = [];
  for (const [name, value] of params) {
    const [field, op] = name.split(".", 2) as [string, string | undefined];
    const type = endpoint.filters[field];
    if (type === undefined) continue;
    const cast = (v: string): string | number => (type === "integer" ? Number(v) : v);
    if (op === undefined) tests.push((row) => row[field] === cast(value));
    else if (op === "any_of") {
      const allowed = new Set(value.split(",").map(cast));
      tests.push((row) => allowed.has(row[field]!));
    } else if (op === "gt") tests.push((row) => row[field]! > cast(value));
    else if (op === "gte") tests.push((row) => row[field]! >= cast(value));
    else if (op === "lt") tests.push((row) => row[field]! < cast(value));
    else if (op === "lte") tests.push((row) => row[field]! <= cast(value));
  }
  const rows = endpoint.rows(
    model,
    candidateSymbols(model, params),
    earliestIndex(model, endpoint, params),
    model.seed,
  );
  return rows.filter((row) => tests.every((test) => test(row)));
}

/** The symbols a ticker filter names (Massive's spelling), or every symbol of the market. */
function candidateSymbols(model: MarketModel, params: URLSearchParams): Iterable<string> {
  const named = params.get("ticker") ?? params.get("ticker.any_of");
  if (named === null) return model.symbols();
  return named
    .split(",")
    .map((ticker) => fromProviderSymbol(ticker, "polygon"))
    .filter((s): s is string => s !== undefined && model.has(s));
}

/** The first grid day a date filter lets through (so that a recent range computes little). */
function earliestIndex(model: MarketModel, endpoint: ActionEndpoint, params: URLSearchParams): number {
  const bounds = [
    params.get(endpoint.dateField),
    params.get(`${endpoint.dateField}.gte`),
    params.get(`${endpoint.dateField}.gt`),
  ]
    .filter((v): v is string => v !== null)
    .sort();
  return bounds.length === 0 ? model.startIndex : model.indexOnOrAfter(bounds.at(-1)!);
}

/** The query's sort columns, then ticker and date ascending, so that pages never overlap. */
function compareBy(sort: [string, 1 | -1][], dateField: string): (a: Row, b: Row) => number {
  const columns: [string, 1 | -1][] = [...sort, ["ticker", 1], [dateField, 1]];
  return (a, b) => {
    for (const [column, direction] of columns) {
      const x = a[column]!;
      const y = b[column]!;
      if (x !== y) return (x < y ? -1 : 1) * direction;
    }
    return 0;
  };
}

/** Massive's ids are "E" and 64 hex digits; these are a hash of the event. */
function eventId(seed: number, kind: string, symbol: string, date: string): string {
  return `E${createHash("sha256").update(`${seed}|${kind}|${symbol}|${date}`).digest("hex")}`;
}
