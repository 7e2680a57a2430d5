import type { HistoryRequest } from "../../core/history/ticker-history.ts";
import type {
  DailyRange,
  FetchFailure,
  FetchResult,
  HistoryResult,
  MarketDataProvider,
} from "../../core/market-data.port.ts";
import {
  BarCollector,
  type DailyWindow,
  dailyRequest,
  isoDateFromEpochMs,
  providerRequest,
  seriesOrNotFound,
} from "./bars.ts";
import { classifyStatus, type FailureContext, failure, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { historyWindow } from "./history-window.ts";
import { buildPath, type HttpResponse, httpGet, parseJson } from "./http.ts";
import { isRecord, type JsonRecord, stringField, typeName } from "./shape.ts";
import { readYahooHistory } from "./yahoo-history.ts";

/**
 * Yahoo Finance chart API, `GET /v8/finance/chart/{symbol}`:
 * `chart.result[0]` holds `meta` (with `gmtoffset`, seconds east of UTC),
 * `timestamp[]` (epoch seconds of each session's open), and parallel arrays
 * `indicators.quote[0].{open,high,low,close,volume}` (nulls occur) and
 * `indicators.adjclose[0].adjclose`. With no bars in the window, `timestamp`
 * is absent and `quote` is `[{}]` (yahoo-finance2 chart.ts). An unknown
 * symbol is a 404 with `{"chart":{"result":null,"error":{"code":"Not Found",...}}}`;
 * throttling is a 429 whose body may be plain `Too Many Requests`.
 */

export const PROVIDER = "yahoo";

/**
 * The path of a chart request for a window of daily bars. `symbolInPath` goes
 * into the path as given: the provider's spelling, URI-encoded (or a
 * `{symbol}` placeholder, for the simulator's prerender).
 */
export function chartPath(
  config: Pick<ResolvedProviderConfig, "pathPrefix">,
  symbolInPath: string,
  window: DailyWindow,
): string {
  return buildPath(config, `/v8/finance/chart/${symbolInPath}`, {
    period1: window.fromEpochSeconds,
    period2: window.endEpochSeconds,
    interval: "1d",
    events: "div|split",
    includeAdjustedClose: "true",
  });
}

type Parsed = { ok: true; result: JsonRecord } | { ok: false; failure: FetchResult };

function chartError(body: unknown): { code: string; description: string } | undefined {
  if (!isRecord(body) || !isRecord(body.chart) || !isRecord(body.chart.error)) return undefined;
  const error = body.chart.error;
  return { code: stringField(error, "code") ?? "", description: stringField(error, "description") ?? "" };
}

function readResult(ctx: FailureContext, body: unknown): Parsed {
  if (!isRecord(body) || !isRecord(body.chart)) {
    return {
      ok: false,
      failure: failure(ctx, "invalid-response", `expected {"chart":{...}}, got ${typeName(body)}`),
    };
  }
  const error = chartError(body);
  if (error) {
    const kind = error.code === "Not Found" ? "not-found" : "invalid-response";
    return {
      ok: false,
      failure: failure(ctx, kind, `Yahoo error ${error.code}: ${quote(error.description)}`),
    };
  }
  const results = body.chart.result;
  if (!Array.isArray(results) || !isRecord(results[0])) {
    return {
      ok: false,
      failure: failure(ctx, "invalid-response", `expected chart.result[0], got ${typeName(results)}`),
    };
  }
  return { ok: true, result: results[0] };
}

/** A parallel array of `length` numbers or nulls; a message when it is not. */
function checkColumn(name: string, value: unknown, length: number): string | undefined {
  if (!Array.isArray(value)) return `${name} is ${typeName(value)}, expected an array`;
  if (value.length !== length) return `${name} has ${value.length} entries for ${length} timestamps`;
  for (let i = 0; i < length; i++) {
    const v = value[i];
    if (v !== null && typeof v !== "number")
      return `${name}[${i}] is ${typeName(v)}, expected a number or null`;
  }
  return undefined;
}

/** A chart answer's columns (checked to be parallel arrays of numbers or nulls), or why it is not one. */
export type ChartRead =
  | { ok: false; failure: FetchFailure }
  | { ok: true; empty: true; metaKnown: boolean }
  | {
      ok: true;
      empty: false;
      /** New York session dates of the bars. */
      dates: string[];
      open: unknown[];
      high: unknown[];
      low: unknown[];
      close: unknown[];
      volume: unknown[] | undefined;
      adjclose: unknown[] | undefined;
      events: unknown;
      /** Seconds east of UTC of the exchange. */
      gmtoffset: number;
    };

/** Reads a chart answer down to its columns: statuses, errors and shapes are checked here, once. */
export function readChart(ctx: FailureContext, providerSymbol: string, response: HttpResponse): ChartRead {
  const json = parseJson(response.text);
  const fail = (f: FetchFailure): ChartRead => ({ ok: false, failure: f });

  if (response.status < 200 || response.status >= 300) {
    const error = json.ok ? chartError(json.value) : undefined;
    if (error?.code === "Not Found") {
      return fail(
        failure(ctx, "not-found", `Yahoo does not know ${providerSymbol}: ${quote(error.description)}`, {
          status: response.status,
        }),
      );
    }
    const detail = error ? `${error.code}: ${error.description}` : response.text;
    const classified = classifyStatus(ctx, response.status, response.headers["retry-after"], detail);
    if (classified) return fail(classified);
  }
  if (!json.ok)
    return fail(
      failure(ctx, "transient", "body is not JSON (truncated or an error page)", { status: response.status }),
    );

  const parsed = readResult(ctx, json.value);
  if (!parsed.ok) return fail(parsed.failure as FetchFailure);
  const { result } = parsed;
  const meta = isRecord(result.meta) ? result.meta : {};
  const gmtoffset =
    typeof meta.gmtoffset === "number" && Number.isFinite(meta.gmtoffset) ? meta.gmtoffset : 0;
  const timestamps = result.timestamp;
  const indicators = isRecord(result.indicators) ? result.indicators : undefined;
  if (!indicators)
    return fail(
      failure(
        ctx,
        "invalid-response",
        `expected chart.result[0].indicators, got ${typeName(result.indicators)}`,
      ),
    );
  if (timestamps === undefined) return { ok: true, empty: true, metaKnown: isRecord(result.meta) };

  if (!Array.isArray(timestamps))
    return fail(failure(ctx, "invalid-response", `timestamp is ${typeName(timestamps)}, expected an array`));
  const n = timestamps.length;
  const quotes = Array.isArray(indicators.quote) ? indicators.quote[0] : undefined;
  if (!isRecord(quotes))
    return fail(failure(ctx, "invalid-response", `expected indicators.quote[0], got ${typeName(quotes)}`));
  const adjBlock = Array.isArray(indicators.adjclose) ? indicators.adjclose[0] : undefined;
  const adjclose = isRecord(adjBlock) ? adjBlock.adjclose : undefined;
  const columns: Array<[string, unknown]> = [
    ["timestamp", timestamps],
    ["open", quotes.open],
    ["high", quotes.high],
    ["low", quotes.low],
    ["close", quotes.close],
  ];
  // Volume and adjusted close are optional (indices and some listings have none).
  if (quotes.volume !== undefined) columns.push(["volume", quotes.volume]);
  if (adjclose !== undefined) columns.push(["adjclose", adjclose]);
  for (const [name, column] of columns) {
    const problem = checkColumn(name, column, n);
    if (problem) return fail(failure(ctx, "invalid-response", problem));
  }
  const dates: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const ts = timestamps[i];
    if (typeof ts !== "number")
      return fail(failure(ctx, "invalid-response", `timestamp[${i}] is ${typeName(ts)}`));
    // The session's date in the exchange's time zone, not UTC (matters east of UTC).
    dates[i] = isoDateFromEpochMs((ts + gmtoffset) * 1000);
  }
  return {
    ok: true,
    empty: false,
    dates,
    open: quotes.open as unknown[],
    high: quotes.high as unknown[],
    low: quotes.low as unknown[],
    close: quotes.close as unknown[],
    volume: quotes.volume as unknown[] | undefined,
    adjclose: adjclose as unknown[] | undefined,
    events: result.events,
    gmtoffset,
  };
}

/** A chart response as a FetchResult; pure, so it can be measured and tested without a server. */
export function readYahooResponse(
  ctx: FailureContext,
  window: DailyWindow,
  providerSymbol: string,
  response: HttpResponse,
): FetchResult {
  const chart = readChart(ctx, providerSymbol, response);
  if (!chart.ok) return chart.failure;
  const collector = new BarCollector();
  if (chart.empty) return seriesOrNotFound(ctx, collector, window, providerSymbol, chart.metaKnown);
  const { dates, open, high, low, close, volume, adjclose } = chart;
  for (let i = 0; i < dates.length; i++) {
    collector.add(dates[i]!, open[i], high[i], low[i], close[i], adjclose?.[i], volume?.[i]);
  }
  return seriesOrNotFound(ctx, collector, window, providerSymbol);
}

export function createYahooProvider(config: ResolvedProviderConfig): MarketDataProvider {
  return {
    name: PROVIDER,
    async fetchDaily(
      symbol: string,
      range: DailyRange,
      options?: { signal?: AbortSignal },
    ): Promise<FetchResult> {
      // Yahoo's chart API takes no key.
      const { window, providerSymbol, ctx } = dailyRequest(PROVIDER, undefined, symbol, range);
      const path = chartPath(config, encodeURIComponent(providerSymbol), window);
      const response = await httpGet(config, ctx, path, options?.signal);
      if ("kind" in response) return response;
      return readYahooResponse(ctx, window, providerSymbol, response);
    },

    async fetchHistory(
      symbol: string,
      request: HistoryRequest,
      options?: { signal?: AbortSignal },
    ): Promise<HistoryResult> {
      const { providerSymbol, ctx } = providerRequest(PROVIDER, undefined, symbol);
      const path = chartPath(config, encodeURIComponent(providerSymbol), historyWindow(request));
      const response = await httpGet(config, ctx, path, options?.signal);
      if ("kind" in response) return response;
      return readYahooHistory(ctx, request, providerSymbol, response);
    },
  };
}
