import type { IncomingHttpHeaders } from "node:http";
import { easternDateOf, easternEpochMs } from "../../../core/eastern-time.ts";
import { fromProviderSymbol, toProviderSymbol } from "../../../core/symbols.ts";
import { Lru } from "../lru.ts";
import type { RawBar, SimSeries } from "../price-path.ts";
import type { SymbolProfile } from "../symbol-profile.ts";
import { isIsoDate, roundTo } from "./format.ts";
import { polygonActions } from "./polygon-actions.ts";
import { decodeCursor, encodeCursor, errorAnswer, JSON_TYPE } from "./polygon-wire.ts";
import {
  answerFrom,
  gatewayErrorAnswer,
  type ParsedRequest,
  type ProviderEnv,
  type RenderedAnswer,
  renderedAnswer,
  type SimAnswer,
  type SimProvider,
} from "./provider.ts";

/**
 * Polygon.io / Massive. Splits and dividends: polygon-actions.ts. Aggregates:
 * `GET /v2/aggs/ticker/{ticker}/range/1/day/{from}/{to}?adjusted=true&sort=asc&limit=5000`
 * → `{ticker, queryCount, resultsCount, adjusted, results[{v, vw, o, c, h, l, t, n}],
 * status: "OK", request_id, count, next_url?}` with `t` the New York midnight
 * of the day in epoch ms; `from`/`to` are dates or epoch ms. When more bars
 * match than `limit`, `next_url` repeats the request from the next bar's
 * timestamp with a `cursor` (base64url of `limit=..&sort=..`), as Polygon
 * does. Grouped daily: `GET /v2/aggs/grouped/locale/us/market/stocks/{date}` →
 * every ticker's bar that day, `T` in Polygon's spelling (`BRK.B`, `ABRpD`).
 * adjusted=true divides prices by splits (Polygon adjusts for splits, not
 * dividends). Key: `apiKey` query parameter or `Authorization: Bearer`.
 * Missing key: 401 "API Key was not provided"; rejected: 401 "Unknown API Key".
 * Unknown ticker: 200 with resultsCount 0. Over the limit: 429 ERROR body.
 */

const DEFAULT_LIMIT = 5000;
const MAX_LIMIT = 50000;

function dayStartMs(iso: string): number {
  return easternEpochMs(iso, 0);
}

/** A time bound: a date (whole day) or epoch ms. Returns [kind, value] or undefined when unparseable. */
function parseBound(text: string): { date: string } | { ms: number } | undefined {
  if (isIsoDate(text)) return { date: text };
  if (/^\d{1,16}$/.test(text)) return { ms: Number(text) };
  return undefined;
}

/** One aggregate, in Polygon's field order. */
function aggJson(
  bar: Pick<RawBar, "open" | "high" | "low" | "close" | "volume" | "multiplier">,
  p: SymbolProfile,
  t: number,
  adjusted: boolean,
  ticker?: string,
): string {
  const m = adjusted ? bar.multiplier : 1;
  const o = roundTo(bar.open / m, 4);
  const h = roundTo(bar.high / m, 4);
  const l = roundTo(bar.low / m, 4);
  const c = roundTo(bar.close / m, 4);
  const v = adjusted ? roundTo(bar.volume * m, 4) : bar.volume;
  const vw = roundTo((h + l + c) / 3, 4);
  const n = Math.max(1, Math.round(bar.volume / p.tradeSize));
  const head = ticker === undefined ? "" : `"T":${JSON.stringify(ticker)},`;
  return `{${head}"v":${v},"vw":${vw},"o":${o},"c":${c},"h":${h},"l":${l},"t":${t},"n":${n}}`;
}

function seriesBar(series: SimSeries, i: number): RawBar {
  return {
    open: series.open[i]!,
    high: series.high[i]!,
    low: series.low[i]!,
    close: series.close[i]!,
    volume: series.volume[i]!,
    multiplier: series.multiplier[i]!,
  };
}

export function polygonProvider(env: ProviderEnv): SimProvider {
  const groupedCache = new Lru<string, { results: string; count: number }>(8);

  function apiKey(url: URL, headers: IncomingHttpHeaders): string | undefined {
    const fromQuery = url.searchParams.get("apiKey");
    if (fromQuery) return fromQuery;
    const auth = headers.authorization;
    const bearer = typeof auth === "string" ? /^Bearer\s+(.+)$/i.exec(auth) : null;
    return bearer?.[1]?.trim() || undefined;
  }

  function aggregates(url: URL, key: string | undefined, match: RegExpExecArray): ParsedRequest | SimAnswer {
    const [, tickerText, multiplierText, timespan, fromText, toText] = match as unknown as string[];
    const ticker = decodeURIComponent(tickerText!);
    if (multiplierText !== "1" || timespan !== "day") {
      return errorAnswer(
        env,
        400,
        "The simulator serves daily aggregates only: use /range/1/day/",
        "bad-request",
      );
    }
    const from = parseBound(fromText!);
    const to = parseBound(toText!);
    if (!from)
      return errorAnswer(
        env,
        400,
        "Could not parse the time parameter: 'from'. Use YYYY-MM-DD or Unix MS Timestamps",
        "bad-request",
      );
    if (!to)
      return errorAnswer(
        env,
        400,
        "Could not parse the time parameter: 'to'. Use YYYY-MM-DD or Unix MS Timestamps",
        "bad-request",
      );
    const fromMs = "date" in from ? dayStartMs(from.date) : from.ms;
    const toMs = "date" in to ? dayStartMs(to.date) : to.ms;
    if (toMs < fromMs)
      return errorAnswer(
        env,
        400,
        "The parameter 'to' cannot be a time that occurs before 'from'",
        "bad-request",
      );

    const cursorText = url.searchParams.get("cursor");
    const cursor = cursorText ? decodeCursor(cursorText) : undefined;
    const param = (name: string) => cursor?.get(name) ?? url.searchParams.get(name);
    const adjusted = param("adjusted") !== "false";
    const sort = param("sort") ?? "asc";
    if (sort !== "asc" && sort !== "desc")
      return errorAnswer(env, 400, "sort must be 'asc' or 'desc'", "bad-request");
    const limitText = param("limit");
    const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1)
      return errorAnswer(env, 400, "limit must be a positive integer", "bad-request");
    const cappedLimit = Math.min(limit, MAX_LIMIT);

    const canonical = fromProviderSymbol(ticker, "polygon");
    const symbol = canonical !== undefined && env.model.has(canonical) ? canonical : null;
    /** The answer, with a gap for its request_id (drawn when it is sent). */
    const render = (): RenderedAnswer => {
      const fromDate = "date" in from ? from.date : easternDateOf(from.ms);
      const series =
        symbol === null ? undefined : env.model.history(symbol, env.model.indexOnOrAfter(fromDate));
      const stamps: number[] = [];
      if (series) {
        for (let i = 0; i < series.length; i++) {
          const t = dayStartMs(series.dates[i]!);
          if (t >= fromMs && t <= toMs) stamps.push(i);
        }
      }
      if (!series || stamps.length === 0) {
        return renderedAnswer({ status: 200, contentType: JSON_TYPE, outcome: series ? "ok" : "not-found" }, [
          `{"ticker":${JSON.stringify(ticker)},"queryCount":0,"resultsCount":0,"adjusted":${adjusted},"status":"OK","request_id":"`,
          `","count":0}`,
        ]);
      }
      if (sort === "desc") stamps.reverse();
      const page = stamps.slice(0, cappedLimit);
      const results = page.map((i) =>
        aggJson(seriesBar(series, i), series.profile, dayStartMs(series.dates[i]!), adjusted),
      );
      let nextUrl = "";
      const following = stamps[cappedLimit];
      if (following !== undefined) {
        const nextT = dayStartMs(series.dates[following]!);
        const cursorParams: Record<string, string> = {};
        if (!adjusted) cursorParams.adjusted = "false";
        cursorParams.limit = String(limit);
        cursorParams.sort = sort;
        const [nextFrom, nextTo] = sort === "asc" ? [String(nextT), toText!] : [fromText!, String(nextT)];
        nextUrl = `,"next_url":${JSON.stringify(
          `${env.baseUrl}/v2/aggs/ticker/${encodeURIComponent(ticker)}/range/1/day/${nextFrom}/${nextTo}?cursor=${encodeCursor(cursorParams)}`,
        )}`;
      }
      return renderedAnswer({ status: 200, contentType: JSON_TYPE, outcome: "ok" }, [
        `{"ticker":${JSON.stringify(ticker)},"queryCount":${page.length},"resultsCount":${page.length},"adjusted":${adjusted},` +
          `"results":[${results.join(",")}],"status":"OK","request_id":"`,
        `","count":${page.length}${nextUrl}}`,
      ]);
    };
    const respond = () => answerFrom(render(), env.requestId);
    if (symbol === null) return { key, symbol, respond };
    return {
      key,
      symbol,
      respond,
      // Everything the answer depends on (the server's base URL aside, fixed for its life).
      renderKey: JSON.stringify([ticker, fromText, toText, adjusted, sort, limit]),
      render,
    };
  }

  function grouped(url: URL, key: string | undefined, date: string): ParsedRequest | SimAnswer {
    if (!isIsoDate(date)) {
      return errorAnswer(env, 400, "Could not parse the date parameter. Use YYYY-MM-DD", "bad-request");
    }
    const adjusted = url.searchParams.get("adjusted") !== "false";
    return {
      key,
      symbol: null,
      respond() {
        // Adjusted bars are as of today, and a day after today has none yet.
        // Also by what this provider carries (its unknownSymbols), which a test may change.
        const cacheKey = `${date}|${adjusted}|${env.model.asOf}|${env.config().polygon.unknownSymbols.join(",")}`;
        const { results, count } = groupedCache.getOrCreate(cacheKey, () => {
          const parts: string[] = [];
          const t = dayStartMs(date);
          env.model.forEachBarOn(date, (symbol, bar, p) => {
            parts.push(aggJson(bar, p, t, adjusted, toProviderSymbol(symbol, "polygon")));
          });
          return { results: parts.join(","), count: parts.length };
        });
        const requestId = env.requestId();
        const body =
          count === 0
            ? `{"queryCount":0,"resultsCount":0,"adjusted":${adjusted},"status":"OK","request_id":"${requestId}","count":0}`
            : `{"queryCount":${count},"resultsCount":${count},"adjusted":${adjusted},"results":[${results}],"status":"OK","request_id":"${requestId}","count":${count}}`;
        return { status: 200, body, contentType: JSON_TYPE, outcome: "ok" };
      },
    };
  }

  return {
    name: "polygon",

    parse(url: URL, headers: IncomingHttpHeaders): ParsedRequest | SimAnswer {
      const key = apiKey(url, headers);
      const aggs = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(
        url.pathname,
      );
      if (aggs) return aggregates(url, key, aggs);
      const group = /^\/v2\/aggs\/grouped\/locale\/us\/market\/stocks\/([^/]+)$/.exec(url.pathname);
      if (group) return grouped(url, key, group[1]!);
      const actions = polygonActions(env, url, key);
      if (actions) return actions;
      return {
        status: 404,
        body: "404 page not found",
        contentType: "text/plain; charset=utf-8",
        outcome: "bad-request",
      };
    },

    unauthorized(reason) {
      return errorAnswer(
        env,
        401,
        reason === "missing" ? "API Key was not provided" : "Unknown API Key",
        "unauthorized",
      );
    },

    rateLimited() {
      return errorAnswer(
        env,
        429,
        "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing",
        "rate-limited",
      );
    },

    serverError: gatewayErrorAnswer,
  };
}
