import type {
  DailyRange,
  FetchFailure,
  FetchResult,
  MarketDataProvider,
} from "../../core/market-data.port.ts";
import { BarCollector, type DailyWindow, dailyRequest, isIsoDate, seriesOrNotFound } from "./bars.ts";
import { classifyStatus, type FailureContext, failure, parseRetryAfter, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
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
 */

const PROVIDER = "fmp";

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

/** An FMP response as a FetchResult; pure, so it can be measured and tested without a server. */
export function readFmpResponse(
  ctx: FailureContext,
  window: DailyWindow,
  providerSymbol: string,
  response: HttpResponse,
): FetchResult {
  const { status, headers } = response;
  const json = parseJson(response.text);
  const errorMessage = json.ok && isRecord(json.value) ? stringField(json.value, "Error Message") : undefined;
  if (errorMessage !== undefined)
    return classifyErrorMessage(ctx, errorMessage, status, headers["retry-after"]);
  const classified = classifyStatus(ctx, status, headers["retry-after"], response.text);
  if (classified) return classified;
  if (!json.ok) return failure(ctx, "transient", "body is not JSON (truncated or an error page)", { status });

  const body = json.value;
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
  };
}
