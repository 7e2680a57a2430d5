import type { HistoryRequest } from "../../core/history/ticker-history.ts";
import type {
  DailyRange,
  FetchFailure,
  FetchResult,
  FundamentalsResult,
  HistoryOptions,
  HistoryResult,
  MarketActionsResult,
  MarketDataProvider,
  MarketDayResult,
} from "../../core/market-data.port.ts";
import type { Fundamentals } from "../../core/scoring/canslim.ts";
import {
  BarCollector,
  type DailyWindow,
  dailyRequest,
  isIsoDate,
  providerRequest,
  seriesOrNotFound,
} from "./bars.ts";
import { classifyStatus, type FailureContext, failure, parseRetryAfter, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { fetchFmpMarketActions } from "./fmp-actions.ts";
import { fetchFmpMarketDay } from "./fmp-bulk.ts";
import { fetchFmpHistory } from "./fmp-history.ts";
import { buildPath, type HttpResponse, httpGet, parseJson } from "./http.ts";
import { isRecord, stringField, typeName } from "./shape.ts";

/**
 * Financial Modeling Prep, stable API:
 * `GET /stable/historical-price-eod/full?symbol=&from=&to=&apikey=` answers a
 * flat array, newest first, of `{symbol, date, open, high, low, close, volume,
 * change, changePercent, vwap}` (fmp4j FmpHistoricalPriceEodFull). The legacy
 * v3 `historical-price-full/{sym}` shape `{symbol, historical: [...]}` (with
 * `adjClose`) is accepted too, so a proxy or an older simulator can serve it.
 * Unknown symbol: `[]` (v3: `{}`). Errors come as `{"Error Message": "..."}`:
 * "Limit Reach ..." (429, sometimes 200), "Invalid API KEY ..." (401, or 200
 * on older plans), plan restrictions (402/403).
 *
 * Adjusted close: `/full` has none. The stable `dividend-adjusted` endpoint has
 * adjOpen/adjHigh/adjLow/adjClose but no as-traded prices, and fetching both
 * would double the requests against a per-day or per-minute quota that bounds
 * the whole scan. So one request per symbol to `/full`, whose prices FMP
 * split-adjusts, and `adjClose = close` unless the body carries `adjClose`
 * (v3): returns computed from FMP are price returns, without dividends.
 * Raw bars, splits and dividends for the history store: fmp-history.ts; every symbol's bar of
 * one session (end-of-day bulk): fmp-bulk.ts; the whole market's splits and dividends in a
 * range (calendars): fmp-actions.ts.
 */

export const PROVIDER = "fmp";

/** What an `Error Message` means; FMP uses the same field for quota, key and plan trouble. */
function classifyErrorMessage(
  ctx: FailureContext,
  message: string,
  status: number,
  retryAfter: string | string[] | undefined,
): FetchFailure {
  const said = quote(message);
  const statusExtra = status >= 200 && status < 300 ? {} : { status };
  if (/limit reach/i.test(message)) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    return failure(
      ctx,
      "rate-limited",
      `FMP limit reached: ${said}`,
      retryAfterMs === undefined ? statusExtra : { ...statusExtra, retryAfterMs },
    );
  }
  if (status === 408 || status >= 500) return classifyStatus(ctx, status, retryAfter, message)!;
  if (/api ?key/i.test(message))
    return failure(ctx, "unauthorized", `FMP rejected the key: ${said}`, statusExtra);
  if (/subscription|upgrade|premium|exclusive|legacy|not available/i.test(message)) {
    return failure(ctx, "unauthorized", `not available on this FMP plan: ${said}`, statusExtra);
  }
  return (
    classifyStatus(ctx, status, retryAfter, message) ??
    failure(ctx, "invalid-response", `FMP error: ${said}`, statusExtra)
  );
}

/**
 * An FMP answer's JSON value, or the failure it means: an `Error Message` body (quota, key,
 * plan; whatever the status), an error status, or a body that is not JSON.
 */
export function fmpBody(
  ctx: FailureContext,
  response: HttpResponse,
): { ok: true; body: unknown } | FetchFailure {
  const { status, headers } = response;
  const json = parseJson(response.text);
  const errorMessage = json.ok && isRecord(json.value) ? stringField(json.value, "Error Message") : undefined;
  if (errorMessage !== undefined)
    return classifyErrorMessage(ctx, errorMessage, status, headers["retry-after"]);
  const classified = classifyStatus(ctx, status, headers["retry-after"], response.text);
  if (classified) return classified;
  if (!json.ok) return failure(ctx, "transient", "body is not JSON (truncated or an error page)", { status });
  return { ok: true, body: json.value };
}

/** An FMP response as a FetchResult; pure, so it can be measured and tested without a server. */
export function readFmpResponse(
  ctx: FailureContext,
  window: DailyWindow,
  providerSymbol: string,
  response: HttpResponse,
): FetchResult {
  const read = fmpBody(ctx, response);
  if (!read.ok) return read;
  const body = read.body;
  let rows: unknown[];
  if (Array.isArray(body)) rows = body;
  else if (isRecord(body) && Array.isArray(body.historical)) rows = body.historical;
  else if (isRecord(body) && Object.keys(body).length === 0) rows = [];
  else
    return failure(
      ctx,
      "invalid-response",
      `expected an array of bars or {historical: [...]}, got ${typeName(body)}`,
    );

  const collector = new BarCollector();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!isRecord(row))
      return failure(ctx, "invalid-response", `bar ${i} is ${typeName(row)}, expected an object`);
    const date = row.date;
    if (!isIsoDate(date))
      return failure(
        ctx,
        "invalid-response",
        `bar ${i} has date ${quote(JSON.stringify(date) ?? "undefined")}`,
      );
    collector.add(date, row.open, row.high, row.low, row.close, row.adjClose, row.volume);
  }
  return seriesOrNotFound(ctx, collector, window, providerSymbol);
}

/** Quarters of income statements read: the latest four and the four before them. */
const QUARTERS = 8;

/**
 * Earnings growth from FMP's quarterly income statements
 * (`/stable/income-statement?symbol=&period=quarter&limit=8`: an array, newest
 * first, of `{date, symbol, fiscalYear, period: "Q1".."Q4", eps, epsDiluted,
 * ...}`; `[]` for a symbol without statements, such as an ETF). C: the latest
 * quarter's diluted EPS against the same quarter a year earlier (four
 * statements back); A: the last four quarters' EPS against the four before
 * (trailing twelve months). Growth from a loss or a zero base is not a
 * growth rate: left out, as are quarters that are missing.
 */
export function readFmpFundamentals(ctx: FailureContext, response: HttpResponse): FundamentalsResult {
  const read = fmpBody(ctx, response);
  if (!read.ok) return read;
  const body = read.body;
  if (!Array.isArray(body))
    return failure(ctx, "invalid-response", `expected an array of income statements, got ${typeName(body)}`);
  const quarters: { date: string; eps: number | null }[] = [];
  for (let i = 0; i < body.length; i++) {
    const row = body[i];
    if (!isRecord(row))
      return failure(ctx, "invalid-response", `statement ${i} is ${typeName(row)}, expected an object`);
    if (!isIsoDate(row.date))
      return failure(
        ctx,
        "invalid-response",
        `statement ${i} has date ${quote(JSON.stringify(row.date) ?? "undefined")}`,
      );
    const eps = row.epsDiluted ?? row.epsdiluted ?? row.eps;
    if (eps !== null && eps !== undefined && !(typeof eps === "number" && Number.isFinite(eps)))
      return failure(ctx, "invalid-response", `statement ${i} has EPS ${quote(JSON.stringify(eps))}`);
    quarters.push({ date: row.date, eps: typeof eps === "number" ? eps : null });
  }
  quarters.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
  const eps = quarters.slice(0, QUARTERS).map((q) => q.eps);
  const fundamentals: Fundamentals = {};
  const quarterly = growthPct(eps[0], eps[4]);
  if (quarterly !== undefined) fundamentals.epsGrowthQuarterlyPct = quarterly;
  if (eps.length === QUARTERS && eps.every((e) => e !== null)) {
    const sum = (from: number) => (eps as number[]).slice(from, from + 4).reduce((a, b) => a + b, 0);
    const annual = growthPct(sum(0), sum(4));
    if (annual !== undefined) fundamentals.epsGrowthAnnualPct = annual;
  }
  return { ok: true, fundamentals };
}

/** (now − then) / then in percent, when `then` is a positive base. */
function growthPct(now: number | null | undefined, then: number | null | undefined): number | undefined {
  if (now === null || now === undefined || then === null || then === undefined || !(then > 0))
    return undefined;
  return Math.round(((now - then) / then) * 100 * 100) / 100;
}

export function createFmpProvider(config: ResolvedProviderConfig): MarketDataProvider {
  return {
    name: PROVIDER,
    async fetchDaily(
      symbol: string,
      range: DailyRange,
      options?: { signal?: AbortSignal },
    ): Promise<FetchResult> {
      const { window, providerSymbol, ctx } = dailyRequest(PROVIDER, config.apiKey, symbol, range);
      const path = buildPath(config, "/stable/historical-price-eod/full", {
        symbol: providerSymbol,
        from: window.from,
        to: window.to,
        apikey: config.apiKey,
      });
      const response = await httpGet(config, ctx, path, options?.signal);
      if ("kind" in response) return response;
      return readFmpResponse(ctx, window, providerSymbol, response);
    },
    async fetchFundamentals(symbol: string, options?: { signal?: AbortSignal }): Promise<FundamentalsResult> {
      const { providerSymbol, ctx } = providerRequest(PROVIDER, config.apiKey, symbol);
      const path = buildPath(config, "/stable/income-statement", {
        symbol: providerSymbol,
        period: "quarter",
        limit: QUARTERS,
        apikey: config.apiKey,
      });
      const response = await httpGet(config, ctx, path, options?.signal);
      if ("kind" in response) return response;
      return readFmpFundamentals(ctx, response);
    },
    fetchHistory(symbol: string, request: HistoryRequest, options?: HistoryOptions): Promise<HistoryResult> {
      return fetchFmpHistory(config, symbol, request, options);
    },
    fetchMarketDay(date: string, options?: HistoryOptions): Promise<MarketDayResult> {
      return fetchFmpMarketDay(config, date, options);
    },
    fetchMarketActions(from: string, to: string, options?: HistoryOptions): Promise<MarketActionsResult> {
      return fetchFmpMarketActions(config, from, to, options);
    },
  };
}
