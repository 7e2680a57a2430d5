import type { IncomingHttpHeaders } from "node:http";
import { addTradingDays } from "../../../core/trading-calendar.ts";
import type { DividendRecord } from "../dividend-book.ts";
import { gridDates } from "../grid.ts";
import { errorMessage, JSON_TYPE, keyOf, prettyArray, symbolOf } from "./fmp-wire.ts";
import { type ParsedRequest, type ProviderEnv, renderedAnswer, type SimAnswer } from "./provider.ts";

/**
 * FMP's corporate actions per symbol (stable API), as of the simulator's
 * today, newest first, pretty-printed as FMP's other stable answers:
 *
 * - `GET /stable/splits?symbol=AAPL[&limit=N]` → `[{symbol, date, numerator, denominator,
 *   splitType}]`: `numerator` new shares for `denominator` old ones (4:1 forward is 4 and 1,
 *   a 1-for-10 reverse split 1 and 10); splitType "stock-split" (FMP's documented value) or,
 *   for a reverse split, "reverse-split".
 * - `GET /stable/dividends?symbol=AAPL[&limit=N]` → `[{symbol, date, recordDate, paymentDate,
 *   declarationDate, adjDividend, dividend, yield, frequency}]`: `date` the ex-date, `dividend`
 *   per share outstanding then, `adjDividend` per share of today (split-adjusted), `yield` the
 *   annual yield in percent at the close before the ex-date, `frequency` "Quarterly".
 *
 * `limit` defaults to (and is capped at) FMP's 1000 records. Unknown symbol: `[]`.
 */

const MAX_RECORDS = 1000;

/** `/stable/splits` and `/stable/dividends`, or undefined for another path. */
export function fmpActions(
  env: ProviderEnv,
  url: URL,
  headers: IncomingHttpHeaders,
): ParsedRequest | SimAnswer | undefined {
  const kind =
    url.pathname === "/stable/splits"
      ? "splits"
      : url.pathname === "/stable/dividends"
        ? "dividends"
        : undefined;
  if (kind === undefined) return undefined;
  const requested = url.searchParams.get("symbol");
  if (!requested) return errorMessage(400, "Invalid or missing query parameter: symbol", "bad-request");
  const limitText = url.searchParams.get("limit");
  const limit = limitText === null ? MAX_RECORDS : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1)
    return errorMessage(400, `Invalid limit ${JSON.stringify(limitText)}`, "bad-request");
  const { spelled, symbol } = symbolOf(env, requested);
  const key = keyOf(url, headers);
  const respond = (): SimAnswer => {
    const rows = symbol === null ? [] : (kind === "splits" ? splitRows : dividendRows)(env, symbol, spelled);
    return {
      status: 200,
      body: prettyArray(rows.slice(0, Math.min(limit, MAX_RECORDS))),
      contentType: JSON_TYPE,
      outcome: symbol === null ? "not-found" : "ok",
    };
  };
  if (symbol === null) return { key, symbol, respond };
  return {
    key,
    symbol,
    respond,
    renderKey: JSON.stringify([kind, spelled, limit]),
    render() {
      const answer = respond();
      return renderedAnswer(answer, [answer.body]);
    },
  };
}

function splitRows(env: ProviderEnv, symbol: string, spelled: string): string[][] {
  const { model } = env;
  const p = model.profile(symbol);
  const s = p?.split;
  if (!p || !s || !model.isListed(p) || s.index > model.asOfIndex) return [];
  return [splitRow(spelled, gridDates()[s.index]!, s.numerator, s.denominator)];
}

function dividendRows(env: ProviderEnv, symbol: string, spelled: string): string[][] {
  return [...env.model.dividends.of(symbol)].reverse().map((d) => dividendRow(spelled, d));
}

/** One split as FMP's `/stable/splits` and `/stable/splits-calendar` spell it. */
export function splitRow(spelled: string, date: string, numerator: number, denominator: number): string[] {
  return [
    `"symbol": ${JSON.stringify(spelled)}`,
    `"date": "${date}"`,
    `"numerator": ${numerator}`,
    `"denominator": ${denominator}`,
    `"splitType": "${numerator > denominator ? "stock-split" : "reverse-split"}"`,
  ];
}

/** One dividend as FMP's `/stable/dividends` and `/stable/dividends-calendar` spell it. */
export function dividendRow(spelled: string, d: DividendRecord): string[] {
  return [
    `"symbol": ${JSON.stringify(spelled)}`,
    `"date": "${d.date}"`,
    `"recordDate": "${d.date}"`,
    `"paymentDate": "${addTradingDays(d.date, 10)}"`,
    `"declarationDate": "${addTradingDays(d.date, -10)}"`,
    `"adjDividend": ${d.splitAdjustedAmount}`,
    `"dividend": ${d.amount}`,
    `"yield": ${((d.amount * 4) / d.previousClose) * 100}`,
    `"frequency": "Quarterly"`,
  ];
}
