import type { HistoryRequest } from "../../core/history/ticker-history.ts";
import type {
  DailyRange,
  FetchFailure,
  FetchResult,
  HistoryOptions,
  HistoryResult,
  MarketActionsResult,
  MarketDataProvider,
  MarketDayResult,
} from "../../core/market-data.port.ts";
import { BarCollector, dailyRequest, isoDateFromEpochMs, seriesOrNotFound } from "./bars.ts";
import { classifyStatus, type FailureContext, failure, parseRetryAfter, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import type { HistoryRequests } from "./history-requests.ts";
import { buildPath, type HttpResponse, httpGet, parseJson } from "./http.ts";
import { fetchPolygonMarketActions } from "./polygon-actions.ts";
import { fetchPolygonMarketDay } from "./polygon-grouped.ts";
import { fetchPolygonHistory } from "./polygon-history.ts";
import { isRecord, type JsonRecord, stringField, typeName } from "./shape.ts";

/**
 * Polygon.io (now Massive) aggregates:
 * `GET /v2/aggs/ticker/{t}/range/1/day/{from}/{to}?adjusted=true&sort=asc&limit=50000&apiKey=`
 * → `{ticker, queryCount, resultsCount, adjusted, results: [{o,h,l,c,v,vw,t,n}],
 * status: "OK"|"DELAYED", request_id, next_url?}`. `t` is the bar's start in
 * epoch ms (00:00 New York, which is the same calendar day in UTC); with
 * `adjusted=true` every price is split-adjusted, so `adjClose = c`.
 * `next_url` carries the cursor but not the key. An unknown ticker and a
 * ticker without bars in the window both answer `resultsCount: 0` without
 * `results`. Errors: `{"status":"ERROR","error":"..."}` (401 unknown key, 429
 * "You've exceeded the maximum requests per minute..."),
 * `{"status":"NOT_AUTHORIZED","message":"You are not entitled..."}` (403),
 * `{"status":"NOT_FOUND",...}` (404). Raw bars, splits and dividends for the history store:
 * polygon-history.ts; every symbol's bar of one session (grouped daily): polygon-grouped.ts; the
 * whole market's splits and dividends in a range: polygon-actions.ts.
 */

export const PROVIDER = "polygon";
/**
 * Daily bars fit one page at limit=50000 (~200 years), a ticker's splits or dividends one at
 * limit=1000; more pages than this is a loop, not data.
 */
export const MAX_PAGES = 20;
const OK_STATUSES = new Set(["OK", "DELAYED"]);

/** A failure read from Polygon's status/error fields and the HTTP status, or undefined when the body is data. */
function classifyBody(
  ctx: FailureContext,
  body: JsonRecord | undefined,
  httpStatus: number,
  retryAfter: string | string[] | undefined,
  rawText: string,
): FetchFailure | undefined {
  const status = body ? stringField(body, "status") : undefined;
  const ok = httpStatus >= 200 && httpStatus < 300;
  // A 2xx body that is not an object (truncated, wrong shape) is the caller's to judge.
  if (ok && (!body || status === undefined || OK_STATUSES.has(status))) return undefined;
  // Only Polygon's own error fields are read for meaning; raw text (a proxy's
  // page, an echo of the URL) is quoted, never matched.
  const text = body ? (stringField(body, "error") ?? stringField(body, "message") ?? "") : "";
  const detail = text || rawText;
  const extra = ok ? {} : { status: httpStatus };
  const said = detail ? `: ${quote(detail)}` : "";
  if (httpStatus === 429 || /exceeded the maximum requests|too many requests|rate limit/i.test(text)) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    return failure(
      ctx,
      "rate-limited",
      `Polygon rate limit${said}`,
      retryAfterMs === undefined ? extra : { ...extra, retryAfterMs },
    );
  }
  if (httpStatus === 408 || httpStatus >= 500) return classifyStatus(ctx, httpStatus, retryAfter, detail);
  if (
    status === "NOT_AUTHORIZED" ||
    httpStatus === 401 ||
    httpStatus === 403 ||
    /api ?key|not authorized|entitled/i.test(text)
  ) {
    return failure(ctx, "unauthorized", `Polygon refused the request${said}`, extra);
  }
  if (status === "NOT_FOUND") return failure(ctx, "not-found", `Polygon does not know it${said}`, extra);
  const byStatus = classifyStatus(ctx, httpStatus, retryAfter, detail);
  if (byStatus) return byStatus;
  if (!body) return undefined;
  return failure(ctx, "invalid-response", `Polygon status ${JSON.stringify(status)}${said}`, extra);
}

/**
 * The path to request for a `next_url`: the same path and cursor, re-rooted on
 * the configured base URL (so the key only ever goes to the host we were
 * configured with, and a simulator's prefix survives), with the key set.
 */
export function nextPagePath(config: ResolvedProviderConfig, nextUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(nextUrl, `${config.origin}${config.pathPrefix}/`);
  } catch {
    return undefined;
  }
  let path: string;
  if (url.origin === config.origin && url.pathname.startsWith(`${config.pathPrefix}/`)) path = url.pathname;
  else {
    // The API's own path: `/v2/aggs/...`, or a product's, `/stocks/v1/splits`.
    const at = url.pathname.search(/\/(?:stocks\/)?v\d+\//);
    if (at < 0) return undefined;
    path = `${config.pathPrefix}${url.pathname.slice(at)}`;
  }
  // Keep the cursor byte for byte (no decode/re-encode round trip); only swap the key in.
  const params = url.search
    .slice(1)
    .split("&")
    .filter((param) => param !== "" && !/^apikey=/i.test(param));
  if (config.apiKey) params.push(`apiKey=${encodeURIComponent(config.apiKey)}`);
  return params.length > 0 ? `${path}?${params.join("&")}` : path;
}

/** One Polygon response as its JSON object, or the failure it means. */
export async function getPage(
  config: ResolvedProviderConfig,
  ctx: FailureContext,
  path: string,
  signal: AbortSignal | undefined,
): Promise<PageRead> {
  const response = await httpGet(config, ctx, path, signal);
  if ("kind" in response) return { ok: false, failure: response };
  return readPage(ctx, response);
}

export type PageRead = { ok: true; body: JsonRecord } | { ok: false; failure: FetchFailure };

/** A Polygon answer as its JSON object, or the failure it means (status, error fields, not JSON). */
export function readPage(ctx: FailureContext, response: HttpResponse): PageRead {
  const json = parseJson(response.text);
  const body = json.ok && isRecord(json.value) ? json.value : undefined;
  const classified = classifyBody(ctx, body, response.status, response.headers["retry-after"], response.text);
  if (classified) return { ok: false, failure: classified };
  if (!json.ok)
    return {
      ok: false,
      failure: failure(ctx, "transient", "body is not JSON (truncated or an error page)", {
        status: response.status,
      }),
    };
  if (!body)
    return {
      ok: false,
      failure: failure(ctx, "invalid-response", `expected an object, got ${typeName(json.value)}`),
    };
  return { ok: true, body };
}

export function resultsOf(ctx: FailureContext, body: JsonRecord): unknown[] | FetchFailure {
  const results = body.results;
  if (results === undefined || results === null) return [];
  if (!Array.isArray(results))
    return failure(ctx, "invalid-response", `results is ${typeName(results)}, expected an array`);
  return results;
}

/**
 * Requests `path` and every page its `next_url`s lead to (each request after the first behind
 * the caller's gate, as `requests` sends them), handing each page's results to `read` (which
 * answers why they are not what it expects, or undefined). Undefined when every page was read;
 * otherwise the failure.
 */
export async function readAllPages(
  config: ResolvedProviderConfig,
  ctx: FailureContext,
  requests: HistoryRequests,
  firstPath: string,
  what: string,
  read: (results: unknown[]) => string | undefined,
  maxPages: number = MAX_PAGES,
): Promise<FetchFailure | undefined> {
  let path: string | undefined = firstPath;
  for (let page = 0; path !== undefined; page++) {
    if (page === maxPages)
      return failure(ctx, "invalid-response", `${what}: more than ${maxPages} pages of next_url; stopped`);
    const response = await requests.get(path);
    if ("kind" in response) return response;
    const got = readPage(ctx, response);
    if (!got.ok) return got.failure;
    const results = resultsOf(ctx, got.body);
    if (!Array.isArray(results)) return { ...results, message: `${what}: ${results.message}` };
    const problem = read(results);
    if (problem !== undefined) return failure(ctx, "invalid-response", `${what}: ${problem}`);
    const next = nextPath(config, got.body);
    if (next === null) return failure(ctx, "invalid-response", `${what}: next_url is not a Polygon API URL`);
    path = next;
  }
  return undefined;
}

/** The path of the page after this one; undefined on the last page, null for a next_url we cannot follow. */
function nextPath(config: ResolvedProviderConfig, body: JsonRecord): string | undefined | null {
  const next = body.next_url;
  if (typeof next !== "string" || next === "") return undefined;
  return nextPagePath(config, next) ?? null;
}

export function createPolygonProvider(config: ResolvedProviderConfig): MarketDataProvider {
  return {
    name: PROVIDER,
    async fetchDaily(
      symbol: string,
      range: DailyRange,
      options?: { signal?: AbortSignal },
    ): Promise<FetchResult> {
      const { window, providerSymbol, ctx } = dailyRequest(PROVIDER, config.apiKey, symbol, range);
      let path: string | undefined = buildPath(
        config,
        `/v2/aggs/ticker/${encodeURIComponent(providerSymbol)}/range/1/day/${window.from}/${window.to}`,
        { adjusted: "true", sort: "asc", limit: 50_000, apiKey: config.apiKey },
      );
      const collector = new BarCollector();
      for (let page = 0; path !== undefined; page++) {
        if (page === MAX_PAGES)
          return failure(ctx, "invalid-response", `more than ${MAX_PAGES} pages of next_url; stopped`);
        const got = await getPage(config, ctx, path, options?.signal);
        if (!got.ok) return got.failure;
        const results = resultsOf(ctx, got.body);
        if (!Array.isArray(results)) return results;
        for (let i = 0; i < results.length; i++) {
          const bar = results[i];
          if (!isRecord(bar) || typeof bar.t !== "number" || !Number.isFinite(bar.t)) {
            return failure(ctx, "invalid-response", `results[${i}] is not a bar with a numeric t`);
          }
          collector.add(isoDateFromEpochMs(bar.t), bar.o, bar.h, bar.l, bar.c, bar.c, bar.v);
        }
        const next = got.body.next_url;
        if (typeof next === "string" && next !== "") {
          path = nextPagePath(config, next);
          if (path === undefined)
            return failure(ctx, "invalid-response", "next_url is not a Polygon API URL");
        } else path = undefined;
      }
      return seriesOrNotFound(ctx, collector, window, providerSymbol);
    },

    fetchHistory(symbol: string, request: HistoryRequest, options?: HistoryOptions): Promise<HistoryResult> {
      return fetchPolygonHistory(config, symbol, request, options);
    },

    fetchMarketDay(date: string, options?: HistoryOptions): Promise<MarketDayResult> {
      return fetchPolygonMarketDay(config, date, options);
    },

    fetchMarketActions(from: string, to: string, options?: HistoryOptions): Promise<MarketActionsResult> {
      return fetchPolygonMarketActions(config, from, to, options);
    },
  };
}
