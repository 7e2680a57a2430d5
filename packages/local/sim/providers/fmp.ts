import type { IncomingHttpHeaders } from "node:http";
import type { SimSeries } from "../price-path.ts";
import { fmpActions } from "./fmp-actions.ts";
import { fmpBulk } from "./fmp-bulk.ts";
import { fmpCalendars } from "./fmp-calendars.ts";
import { incomeStatements } from "./fmp-income.ts";
import { errorMessage, JSON_TYPE, keyOf, prettyArray, symbolOf } from "./fmp-wire.ts";
import { fmpLabel, isIsoDate, roundQuote, roundTo } from "./format.ts";
import {
  gatewayErrorAnswer,
  type ParsedRequest,
  type ProviderEnv,
  renderedAnswer,
  type SimAnswer,
  type SimProvider,
} from "./provider.ts";

/**
 * Financial Modeling Prep. Stable API:
 * `GET /stable/historical-price-eod/full?symbol=AAPL&from=&to=` → a flat
 * array, newest first, of `{symbol, date, open, high, low, close, volume,
 * change, changePercent, vwap}` (split-adjusted; change = close − open,
 * changePercent in percent, vwap = (high + low + close) / 3, as FMP's own
 * examples compute), and `/stable/historical-price-eod/dividend-adjusted`
 * → `{symbol, date, adjOpen, adjHigh, adjLow, adjClose, volume}` (split- and
 * dividend-adjusted), `/stable/historical-price-eod/non-split-adjusted` → the
 * same fields as traded (raw prices and volume, despite their adj names).
 * Splits and dividends per symbol: fmp-actions.ts; the whole market's, by date range:
 * fmp-calendars.ts; every symbol's session of one date as CSV (`/stable/eod-bulk`):
 * fmp-bulk.ts. Legacy v3:
 * `GET /api/v3/historical-price-full/{symbol}` → `{symbol, historical[]}`.
 * Bodies are pretty-printed with two spaces (FMP's 429 body is 150 bytes,
 * which is exactly that). Key: `apikey` query parameter (or header).
 * Unknown symbol: `[]` (stable), `{}` (v3). Missing/invalid key: 401
 * "Invalid API KEY". Over the limit: 429 (configurably 200) "Limit Reach".
 */

const MAX_ROWS = 5000;
const INVALID_KEY =
  "Invalid API KEY. Feel free to create a Free API Key or visit https://site.financialmodelingprep.com/faqs?search=why-is-my-api-key-invalid for more information.";
const LIMIT_REACH =
  "Limit Reach . Please upgrade your plan or visit our documentation for more details at https://site.financialmodelingprep.com/";

function selectRange(series: SimSeries, from: string | null, to: string | null): [number, number] {
  let first = 0;
  let end = series.length;
  if (from) while (first < end && series.dates[first]! < from) first++;
  if (to) while (end > first && series.dates[end - 1]! > to) end--;
  // FMP caps one answer at 5000 rows; the newest ones are kept.
  return [Math.max(first, end - MAX_ROWS), end];
}

type Endpoint = "full" | "dividend-adjusted" | "non-split-adjusted" | "v3";

function rowsFor(
  endpoint: Endpoint,
  series: SimSeries,
  canonicalSpelled: string,
  first: number,
  end: number,
): string[][] {
  const rows: string[][] = [];
  const symbolField = `"symbol": ${JSON.stringify(canonicalSpelled)}`;
  for (let i = end - 1; i >= first; i--) {
    const m = series.multiplier[i]!;
    const open = series.open[i]! / m;
    const high = series.high[i]! / m;
    const low = series.low[i]! / m;
    const close = series.close[i]! / m;
    const volume = Math.round(series.volume[i]! * m);
    const date = `"date": "${series.dates[i]}"`;
    if (endpoint === "non-split-adjusted") {
      // As traded (FMP names the fields adj* all the same): prices and volume exactly as the raw bars.
      rows.push([
        symbolField,
        date,
        `"adjOpen": ${series.open[i]}`,
        `"adjHigh": ${series.high[i]}`,
        `"adjLow": ${series.low[i]}`,
        `"adjClose": ${series.close[i]}`,
        `"volume": ${series.volume[i]}`,
      ]);
      continue;
    }
    if (endpoint === "dividend-adjusted") {
      const f = series.dividendFactor[i]!;
      rows.push([
        symbolField,
        date,
        `"adjOpen": ${roundQuote(open * f)}`,
        `"adjHigh": ${roundQuote(high * f)}`,
        `"adjLow": ${roundQuote(low * f)}`,
        `"adjClose": ${roundQuote(close * f)}`,
        `"volume": ${volume}`,
      ]);
      continue;
    }
    const o = roundQuote(open);
    const c = roundQuote(close);
    const h = roundQuote(high);
    const l = roundQuote(low);
    const change = roundQuote(c - o);
    const changePercent = roundTo((change / o) * 100, 5);
    const vwap = roundQuote((h + l + c) / 3);
    if (endpoint === "full") {
      rows.push([
        symbolField,
        date,
        `"open": ${o}`,
        `"high": ${h}`,
        `"low": ${l}`,
        `"close": ${c}`,
        `"volume": ${volume}`,
        `"change": ${change}`,
        `"changePercent": ${changePercent}`,
        `"vwap": ${vwap}`,
      ]);
    } else {
      rows.push([
        date,
        `"open": ${o}`,
        `"high": ${h}`,
        `"low": ${l}`,
        `"close": ${c}`,
        `"adjClose": ${roundQuote(close * series.dividendFactor[i]!)}`,
        `"volume": ${volume}`,
        `"unadjustedVolume": ${Math.round(series.volume[i]!)}`,
        `"change": ${change}`,
        `"changePercent": ${changePercent}`,
        `"vwap": ${vwap}`,
        `"label": "${fmpLabel(series.dates[i]!)}"`,
        `"changeOverTime": ${roundTo(changePercent / 100, 6)}`,
      ]);
    }
  }
  return rows;
}

/** `/stable/income-statement?symbol=&period=quarter&limit=`: see fmp-income.ts. */
function parseIncomeStatement(
  env: ProviderEnv,
  url: URL,
  headers: IncomingHttpHeaders,
): ParsedRequest | SimAnswer {
  const requested = url.searchParams.get("symbol");
  if (!requested) return errorMessage(400, "Invalid or missing query parameter: symbol", "bad-request");
  const period = url.searchParams.get("period") ?? "annual";
  if (period !== "quarter")
    return errorMessage(
      400,
      `the simulator answers period=quarter only, got ${JSON.stringify(period)}`,
      "bad-request",
    );
  const limitText = url.searchParams.get("limit") ?? "5";
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1)
    return errorMessage(400, `Invalid limit ${JSON.stringify(limitText)}`, "bad-request");
  const { spelled, symbol } = symbolOf(env, requested);
  const respond = (): SimAnswer =>
    symbol === null
      ? { status: 200, body: "[]", contentType: JSON_TYPE, outcome: "not-found" }
      : {
          status: 200,
          body: incomeStatements(env.model.seed, symbol, spelled, env.model.asOf, limit),
          contentType: JSON_TYPE,
          outcome: "ok",
        };
  return { key: keyOf(url, headers), symbol, respond };
}

export function fmpProvider(env: ProviderEnv): SimProvider {
  const calendars = fmpCalendars(env);
  return {
    name: "fmp",

    parse(url: URL, headers: IncomingHttpHeaders): ParsedRequest | SimAnswer {
      let endpoint: Endpoint;
      let requested: string | null;
      const v3 = /^\/api\/v3\/historical-price-full\/([^/]+)$/.exec(url.pathname);
      if (url.pathname === "/stable/income-statement") return parseIncomeStatement(env, url, headers);
      const actions = fmpActions(env, url, headers) ?? fmpBulk(env, url, headers) ?? calendars(url, headers);
      if (actions) return actions;
      if (url.pathname === "/stable/historical-price-eod/full") {
        endpoint = "full";
        requested = url.searchParams.get("symbol");
      } else if (url.pathname === "/stable/historical-price-eod/dividend-adjusted") {
        endpoint = "dividend-adjusted";
        requested = url.searchParams.get("symbol");
      } else if (url.pathname === "/stable/historical-price-eod/non-split-adjusted") {
        endpoint = "non-split-adjusted";
        requested = url.searchParams.get("symbol");
      } else if (v3) {
        endpoint = "v3";
        requested = decodeURIComponent(v3[1]!);
      } else {
        return { status: 404, body: "Not Found", contentType: "text/plain", outcome: "bad-request" };
      }
      const key = keyOf(url, headers);
      if (!requested) return errorMessage(400, "Invalid or missing query parameter: symbol", "bad-request");
      const from = url.searchParams.get("from");
      const to = url.searchParams.get("to");
      for (const [name, value] of [
        ["from", from],
        ["to", to],
      ] as const) {
        if (value !== null && !isIsoDate(value)) {
          return errorMessage(
            400,
            `Invalid ${name} date ${JSON.stringify(value)}: use YYYY-MM-DD`,
            "bad-request",
          );
        }
      }
      const { spelled, symbol } = symbolOf(env, requested);
      const timeseriesText = url.searchParams.get("timeseries");
      const respond = (): SimAnswer => {
        const fromIndex = from ? env.model.indexOnOrAfter(from) : undefined;
        const series = symbol === null ? undefined : env.model.history(symbol, fromIndex);
        if (!series) {
          return {
            status: 200,
            body: endpoint === "v3" ? "{}" : "[]",
            contentType: JSON_TYPE,
            outcome: "not-found",
          };
        }
        let [first, end] = selectRange(series, from, to);
        const timeseries = Number(timeseriesText);
        if (endpoint === "v3" && Number.isInteger(timeseries) && timeseries > 0)
          first = Math.max(first, end - timeseries);
        const rows = rowsFor(endpoint, series, spelled, first, end);
        const body =
          endpoint === "v3"
            ? rows.length === 0
              ? "{}"
              : `{\n  "symbol": ${JSON.stringify(spelled)},\n  "historical": ${prettyArray(rows).replace(/\n/g, "\n  ")}\n}`
            : prettyArray(rows);
        return { status: 200, body, contentType: JSON_TYPE, outcome: "ok" };
      };
      if (symbol === null) return { key, symbol, respond };
      return {
        key,
        symbol,
        respond,
        renderKey: JSON.stringify([endpoint, spelled, from, to, endpoint === "v3" ? timeseriesText : null]),
        render() {
          const answer = respond();
          return renderedAnswer(answer, [answer.body]);
        },
      };
    },

    unauthorized() {
      return errorMessage(401, INVALID_KEY, "unauthorized");
    },

    rateLimited() {
      return errorMessage(env.config().fmp.rateLimitStatus, LIMIT_REACH, "rate-limited");
    },

    serverError: gatewayErrorAnswer,
  };
}
