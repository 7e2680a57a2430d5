import type { IncomingHttpHeaders } from "node:http";
import { toProviderSymbol } from "../../../core/symbols.ts";
import { gridIndexOf } from "../grid.ts";
import type { MarketModel } from "../market-model.ts";
import { errorMessage, keyOf, listingAbroad } from "./fmp-wire.ts";
import { isIsoDate, pythonFloat, roundQuote } from "./format.ts";
import {
  answerFrom,
  type ParsedRequest,
  type ProviderEnv,
  renderedAnswer,
  type SimAnswer,
} from "./provider.ts";

/**
 * FMP's end-of-day bulk, `GET /stable/eod-bulk?date=YYYY-MM-DD`, as of the simulator's today:
 * every symbol's session that day, worldwide, as CSV with FMP's columns, strings quoted and
 * every row ended by a newline, ordered by symbol:
 *
 *   "symbol","date","open","low","high","close","adjClose","volume"
 *   "AAPL","2026-08-13",231.5,229.02,233.7,232.11,231.7,48113520
 *
 * open, low, high, close and volume as traded that day (the file of one date: a later split
 * does not touch it; FMP does not document this, the adapter is written to the same reading);
 * `adjClose` the close adjusted for splits and dividends as of today. Symbols in FMP's
 * spelling (`BRK-B`), with the listings abroad of some (`BRK-B.TO`: fmp-wire's listingAbroad).
 * A symbol not listed yet has no row; a day without trading, or after today, answers the header
 * alone. Prices spelled as FMP's own examples (`1.0`: Python's floats).
 */

const CSV_TYPE = "text/csv; charset=utf-8";
const HEADER = '"symbol","date","open","low","high","close","adjClose","volume"\n';

export function fmpBulk(
  env: ProviderEnv,
  url: URL,
  headers: IncomingHttpHeaders,
): ParsedRequest | SimAnswer | undefined {
  if (url.pathname !== "/stable/eod-bulk") return undefined;
  const date = url.searchParams.get("date");
  if (!date)
    return errorMessage(400, "Query Error: Invalid or missing query parameter - date", "bad-request");
  if (!isIsoDate(date))
    return errorMessage(400, `Invalid date ${JSON.stringify(date)}: use YYYY-MM-DD`, "bad-request");
  const render = () =>
    renderedAnswer({ status: 200, contentType: CSV_TYPE, outcome: "ok" }, [bulkCsv(env.model, date)]);
  return {
    key: keyOf(url, headers),
    symbol: null,
    respond: () => answerFrom(render(), env.requestId),
    renderKey: JSON.stringify(["eod-bulk", date]),
    render,
  };
}

function bulkCsv(model: MarketModel, date: string): string {
  const t = gridIndexOf(date);
  const rows: [string, string][] = [];
  if (t !== undefined) {
    model.forEachBarOn(date, (symbol, bar) => {
      // The dividends after the session, up to today: the first one's factor is all of theirs.
      const dividendFactor = model.dividends.of(symbol, t + 1)[0]?.factor ?? 1;
      const adjClose = roundQuote((bar.close / bar.multiplier) * dividendFactor);
      const values = `${pythonFloat(bar.open)},${pythonFloat(bar.low)},${pythonFloat(bar.high)},${pythonFloat(bar.close)},${pythonFloat(adjClose)},${bar.volume}`;
      const spelled = toProviderSymbol(symbol, "fmp");
      rows.push([spelled, values]);
      const abroad = listingAbroad(symbol, spelled);
      if (abroad !== undefined) rows.push([abroad, values]);
    });
  }
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let csv = HEADER;
  for (const [spelled, values] of rows) csv += `"${spelled}","${date}",${values}\n`;
  return csv;
}
