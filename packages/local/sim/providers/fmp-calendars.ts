import type { IncomingHttpHeaders } from "node:http";
import { dayNumber, isoFromDay } from "../../../core/days.ts";
import { toProviderSymbol } from "../../../core/symbols.ts";
import { gridDates } from "../grid.ts";
import { Lru } from "../lru.ts";
import type { MarketModel } from "../market-model.ts";
import { dividendRow, splitRow } from "./fmp-actions.ts";
import { errorMessage, JSON_TYPE, keyOf, listingAbroad, prettyArray } from "./fmp-wire.ts";
import { isIsoDate } from "./format.ts";
import {
  answerFrom,
  type ParsedRequest,
  type ProviderEnv,
  renderedAnswer,
  type SimAnswer,
} from "./provider.ts";

/**
 * FMP's market-wide calendars (stable API), as of the simulator's today, with the rows of the
 * per-symbol endpoints (fmp-actions.ts), every exchange's (the listings abroad of fmp-wire's
 * listingAbroad among them), newest first and by symbol, pretty-printed as FMP's JSON is:
 *
 * - `GET /stable/splits-calendar?from=&to=`: splits with ex-dates in the range, but never
 *   before `to` − 89 days: FMP reaches back 90 days from `to` and drops the front of a longer
 *   range without a word (measured by the FmpDotNet client's authors, 2026-08-28); `page=1`
 *   and later answer `[]`.
 * - `GET /stable/dividends-calendar?from=&to=&page=N`: dividends with ex-dates in the range,
 *   4000 rows an answer (a longer list loses its oldest rows), `page` (from 0) the next 4000;
 *   `limit` is accepted and ignored, as FMP's is.
 *
 * `to` defaults to today and `from` to `to` − 89 days. Nothing after today is reported.
 */

const LOOKBACK_DAYS = 89;
const PAGE_ROWS = 4000;

type Kind = "splits-calendar" | "dividends-calendar";
/** A row: its date and FMP symbol (for the order) and its fields. */
type Row = [date: string, spelled: string, fields: string[]];

export function fmpCalendars(env: ProviderEnv) {
  /** Whole sorted lists, so that the pages of one range are cut from one computation. */
  const lists = new Lru<string, readonly Row[]>(4);

  return function parse(url: URL, headers: IncomingHttpHeaders): ParsedRequest | SimAnswer | undefined {
    const kind: Kind | undefined =
      url.pathname === "/stable/splits-calendar"
        ? "splits-calendar"
        : url.pathname === "/stable/dividends-calendar"
          ? "dividends-calendar"
          : undefined;
    if (kind === undefined) return undefined;
    const given = { from: url.searchParams.get("from"), to: url.searchParams.get("to") };
    for (const [name, value] of Object.entries(given))
      if (value !== null && !isIsoDate(value))
        return errorMessage(
          400,
          `Invalid ${name} date ${JSON.stringify(value)}: use YYYY-MM-DD`,
          "bad-request",
        );
    const pageText = url.searchParams.get("page") ?? "0";
    const page = Number(pageText);
    if (!/^\d{1,6}$/.test(pageText))
      return errorMessage(400, `Invalid page ${JSON.stringify(pageText)}`, "bad-request");
    const to = given.to ?? env.model.asOf;
    const earliest = isoFromDay(dayNumber(to) - LOOKBACK_DAYS);
    const from = given.from ?? earliest;
    const range = kind === "splits-calendar" && from < earliest ? { from: earliest, to } : { from, to };

    const render = () => {
      const rows =
        from > to
          ? []
          : lists.getOrCreate(
              JSON.stringify([kind, range.from, range.to, env.model.asOf, env.config().fmp.unknownSymbols]),
              () =>
                kind === "splits-calendar"
                  ? splitRows(env.model, range.from, range.to)
                  : dividendRows(env.model, range.from, range.to),
            );
      const onPage =
        kind === "splits-calendar"
          ? page === 0
            ? rows
            : []
          : rows.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS);
      return renderedAnswer({ status: 200, contentType: JSON_TYPE, outcome: "ok" }, [
        prettyArray(onPage.map((row) => row[2])),
      ]);
    };
    return {
      key: keyOf(url, headers),
      symbol: null,
      respond: () => answerFrom(render(), env.requestId),
      renderKey: JSON.stringify([kind, range.from, range.to, page]),
      render,
    };
  };
}

function newestFirst(rows: Row[]): Row[] {
  return rows.sort((a, b) =>
    a[0] !== b[0] ? (a[0] < b[0] ? 1 : -1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
  );
}

/** Each row, and the same for the symbol's listing abroad when it has one. */
function withAbroad(rows: Row[], symbol: string, date: string, fields: (spelled: string) => string[]): void {
  const spelled = toProviderSymbol(symbol, "fmp");
  rows.push([date, spelled, fields(spelled)]);
  const abroad = listingAbroad(symbol, spelled);
  if (abroad !== undefined) rows.push([date, abroad, fields(abroad)]);
}

function splitRows(model: MarketModel, from: string, to: string): Row[] {
  const rows: Row[] = [];
  const dates = gridDates();
  for (const symbol of model.symbols()) {
    const p = model.profile(symbol)!;
    const s = p.split;
    if (!s || !model.isListed(p) || s.index > model.asOfIndex) continue;
    const date = dates[s.index]!;
    if (date < from || date > to) continue;
    withAbroad(rows, symbol, date, (spelled) => splitRow(spelled, date, s.numerator, s.denominator));
  }
  return newestFirst(rows);
}

function dividendRows(model: MarketModel, from: string, to: string): Row[] {
  const rows: Row[] = [];
  const first = model.indexOnOrAfter(from);
  for (const symbol of model.symbols()) {
    for (const d of model.dividends.of(symbol, first)) {
      if (d.date < from || d.date > to) continue;
      withAbroad(rows, symbol, d.date, (spelled) => dividendRow(spelled, d));
    }
  }
  return newestFirst(rows);
}
