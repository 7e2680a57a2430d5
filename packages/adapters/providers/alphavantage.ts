import { dayNumber } from "../../core/days.ts";
import type { CorporateAction } from "../../core/history/actions.ts";
import { quantizePrice } from "../../core/history/bars-codec.ts";
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
  isIsoDate,
  isoDateFromEpochMs,
  providerRequest,
  seriesOrNotFound,
} from "./bars.ts";
import { classifyStatus, type FailureContext, failure, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { historyOrNotFound, RawBarCollector } from "./history-window.ts";
import { buildPath, type HttpResponse, httpGet, parseJson } from "./http.ts";
import { isRecord, type JsonRecord, stringField, typeName } from "./shape.ts";

/**
 * Alpha Vantage, `GET /query?function=TIME_SERIES_DAILY&symbol=&outputsize=&apikey=`
 * → `{"Meta Data": {...}, "Time Series (Daily)": {"2024-01-02": {"1. open":
 * "187.15", "2. high", "3. low", "4. close", "5. volume"}}}`, newest first,
 * values as strings. TIME_SERIES_DAILY_ADJUSTED's rows (`"5. adjusted close"`,
 * `"6. volume"`, ...) are accepted too. Almost everything else is HTTP 200:
 * - `{"Error Message": "Invalid API call. ..."}`: unknown symbol → not-found
 *   (an invalid key says "apikey is invalid or missing" → unauthorized);
 * - `{"Information": "... rate limit is 25 requests per day ..."}` or, older,
 *   `{"Note": "... call frequency is 5 calls per minute ..."}` → rate-limited;
 * - `{"Information": "... The outputsize=full parameter value is a premium
 *   feature for the TIME_SERIES_DAILY endpoint ..."}` (or "This is a premium
 *   endpoint") → unauthorized: this key cannot have it, retrying won't help.
 * `compact` is the last 100 bars; `full` (20+ years) is asked for only when the
 * range needs more, because it is premium on free keys.
 */

const PROVIDER = "alphavantage";
const COMPACT_BARS = 100;
const SERIES_KEY = "Time Series (Daily)";

/** Whether the last 100 bars (counted back from today) cover the window. */
function compactCovers(window: DailyWindow, now: number): boolean {
  const today = dayNumber(isoDateFromEpochMs(now));
  const tradingDaysAfterTo = Math.ceil(((today - dayNumber(window.to)) * 5) / 7);
  return window.days + Math.max(0, tradingDaysAfterTo) + 5 <= COMPACT_BARS;
}

function classifyNotice(ctx: FailureContext, field: string, text: string, outputsize: string): FetchFailure {
  const said = quote(text);
  if (/rate limit|call frequency|requests per|calls per|per minute|per day|spreading out/i.test(text)) {
    return failure(ctx, "rate-limited", `Alpha Vantage limit (${field}): ${said}`);
  }
  if (/premium/i.test(text)) {
    const hint =
      outputsize === "full"
        ? " (more than 100 bars needs outputsize=full: ask for at most 100 days or use a premium key)"
        : "";
    return failure(ctx, "unauthorized", `not available with this Alpha Vantage key${hint}: ${said}`);
  }
  if (/api ?key/i.test(text)) return failure(ctx, "unauthorized", `Alpha Vantage rejected the key: ${said}`);
  return failure(ctx, "invalid-response", `Alpha Vantage ${field} instead of data: ${said}`);
}

function numberOf(value: unknown): number {
  if (typeof value === "string") return value === "" ? Number.NaN : Number(value);
  return typeof value === "number" ? value : Number.NaN;
}

/** The daily series object of an answer, or the failure the answer means (status, notice, error, shape). */
function readSeries(
  ctx: FailureContext,
  providerSymbol: string,
  response: HttpResponse,
  outputsize: "compact" | "full",
): { series: JsonRecord } | FetchFailure {
  const classified = classifyStatus(ctx, response.status, response.headers["retry-after"], response.text);
  if (classified) return classified;
  const json = parseJson(response.text);
  if (!json.ok)
    return failure(ctx, "transient", "body is not JSON (truncated or an error page)", {
      status: response.status,
    });
  const body = json.value;
  if (!isRecord(body)) return failure(ctx, "invalid-response", `expected an object, got ${typeName(body)}`);
  const series = body[SERIES_KEY];
  return isRecord(series) ? { series } : noSeries(ctx, body, providerSymbol, outputsize);
}

/** An Alpha Vantage response as a FetchResult; pure, so it can be measured and tested without a server. */
export function readAlphaVantageResponse(
  ctx: FailureContext,
  window: DailyWindow,
  providerSymbol: string,
  response: HttpResponse,
  outputsize: "compact" | "full",
): FetchResult {
  const read = readSeries(ctx, providerSymbol, response, outputsize);
  if ("kind" in read) return read;
  const { series } = read;

  const collector = new BarCollector();
  for (const date in series) {
    const row = series[date];
    if (!isIsoDate(date) || !isRecord(row))
      return failure(ctx, "invalid-response", `bad bar ${quote(date)} in "${SERIES_KEY}"`);
    const adjusted = row["5. adjusted close"];
    const volume = adjusted === undefined ? row["5. volume"] : row["6. volume"];
    collector.add(
      date,
      numberOf(row["1. open"]),
      numberOf(row["2. high"]),
      numberOf(row["3. low"]),
      numberOf(row["4. close"]),
      numberOf(adjusted),
      numberOf(volume),
    );
  }
  return seriesOrNotFound(ctx, collector, window, providerSymbol);
}

/**
 * A TIME_SERIES_DAILY_ADJUSTED response as raw bars and actions: its open, high, low, close and
 * volume are as traded, `7. dividend amount` is the cash paid per share on an ex-date and
 * `8. split coefficient` the new shares per old one on a split's ex-date (1.0 otherwise).
 */
export function readAlphaVantageHistory(
  ctx: FailureContext,
  request: HistoryRequest,
  providerSymbol: string,
  response: HttpResponse,
  outputsize: "compact" | "full",
): HistoryResult {
  const read = readSeries(ctx, providerSymbol, response, outputsize);
  if ("kind" in read) return read;
  const { series } = read;
  const collector = new RawBarCollector(PROVIDER);
  const actions: CorporateAction[] = [];
  const from = request.kind === "incremental" ? request.from : "";
  for (const date in series) {
    const row = series[date];
    if (!isIsoDate(date) || !isRecord(row))
      return failure(ctx, "invalid-response", `bad bar ${quote(date)} in "${SERIES_KEY}"`);
    if (date < from) continue;
    const volume = row["6. volume"] ?? row["5. volume"];
    collector.add(
      date,
      numberOf(row["1. open"]),
      numberOf(row["2. high"]),
      numberOf(row["3. low"]),
      numberOf(row["4. close"]),
      numberOf(volume),
    );
    const dividend = numberOf(row["7. dividend amount"]);
    if (dividend > 0) actions.push({ type: "dividend", exDate: date, amount: dividend, provider: PROVIDER });
    const coefficient = numberOf(row["8. split coefficient"]);
    if (coefficient > 0 && coefficient !== 1) actions.push(splitOf(date, coefficient));
  }
  return historyOrNotFound(ctx, request, collector, actions, response.text.length, providerSymbol);
}

/** A split coefficient (new shares per old one) as whole share counts where it is one: 0.1 is 10 into 1. */
function splitOf(exDate: string, coefficient: number): CorporateAction {
  const [from, to] = coefficient >= 1 ? [1, coefficient] : [quantizePrice(1 / coefficient), 1];
  return { type: "split", exDate, from, to, provider: PROVIDER };
}

/** Why a body has no series: an error, a notice (limit, premium, key), or a shape we do not know. */
function noSeries(
  ctx: FailureContext,
  body: Record<string, unknown>,
  providerSymbol: string,
  outputsize: "compact" | "full",
): FetchFailure {
  const error = stringField(body, "Error Message");
  if (error !== undefined) {
    if (/api ?key/i.test(error))
      return failure(ctx, "unauthorized", `Alpha Vantage rejected the key: ${quote(error)}`);
    if (/invalid api call/i.test(error))
      return failure(ctx, "not-found", `Alpha Vantage does not know ${providerSymbol}: ${quote(error)}`);
    return failure(ctx, "invalid-response", `Alpha Vantage error: ${quote(error)}`);
  }
  for (const field of ["Information", "Note"]) {
    const text = stringField(body, field);
    if (text !== undefined) return classifyNotice(ctx, field, text, outputsize);
  }
  return failure(
    ctx,
    "invalid-response",
    `no "${SERIES_KEY}" in the body (keys: ${quote(Object.keys(body).join(", "))})`,
  );
}

/** Whether the last 100 bars hold a history request: a short lookback, or sessions from a recent date. */
function compactHolds(request: HistoryRequest, now: number): boolean {
  if (request.kind === "full") return request.days + 5 <= COMPACT_BARS;
  const today = dayNumber(isoDateFromEpochMs(now));
  return Math.ceil(((today - dayNumber(request.from)) * 5) / 7) + 5 <= COMPACT_BARS;
}

export function createAlphaVantageProvider(config: ResolvedProviderConfig): MarketDataProvider {
  return {
    name: PROVIDER,
    async fetchDaily(
      symbol: string,
      range: DailyRange,
      options?: { signal?: AbortSignal },
    ): Promise<FetchResult> {
      const now = Date.now();
      const { window, providerSymbol, ctx } = dailyRequest(PROVIDER, config.apiKey, symbol, range, now);
      const outputsize = compactCovers(window, now) ? "compact" : "full";
      const path = buildPath(config, "/query", {
        function: "TIME_SERIES_DAILY",
        symbol: providerSymbol,
        outputsize,
        apikey: config.apiKey,
      });
      const response = await httpGet(config, ctx, path, options?.signal);
      if ("kind" in response) return response;
      return readAlphaVantageResponse(ctx, window, providerSymbol, response, outputsize);
    },

    async fetchHistory(
      symbol: string,
      request: HistoryRequest,
      options?: { signal?: AbortSignal },
    ): Promise<HistoryResult> {
      const { providerSymbol, ctx } = providerRequest(PROVIDER, config.apiKey, symbol);
      const outputsize = compactHolds(request, Date.now()) ? "compact" : "full";
      const path = buildPath(config, "/query", {
        function: "TIME_SERIES_DAILY_ADJUSTED",
        symbol: providerSymbol,
        outputsize,
        apikey: config.apiKey,
      });
      const response = await httpGet(config, ctx, path, options?.signal);
      if ("kind" in response) return response;
      return readAlphaVantageHistory(ctx, request, providerSymbol, response, outputsize);
    },
  };
}
