import { partitionPoint } from "../../../core/partition-point.ts";
import { fromProviderSymbol } from "../../../core/symbols.ts";
import type { RateLimit } from "../config.ts";
import { easternEpochMs, easternOffsetHours } from "../eastern-time.ts";
import { gridDates, lastIndexOnOrBefore } from "../grid.ts";
import { Lru } from "../lru.ts";
import type { MarketModel } from "../market-model.ts";
import type { SimSeries } from "../price-path.ts";
import { ByteWriter, float32Text, roundQuote } from "./format.ts";
import {
  gatewayErrorAnswer,
  type ParsedRequest,
  type ProviderEnv,
  type RespondOptions,
  renderedAnswer,
  type SimAnswer,
  type SimProvider,
} from "./provider.ts";

/**
 * Yahoo's chart API: `GET /v8/finance/chart/{symbol}?interval=1d&range=2y`
 * or `&period1=<epoch s>&period2=<epoch s>`, `events=div|split` to add
 * dividends and splits. Shapes follow captured responses (yahoo-finance2's
 * test fixtures): `chart.result[0]` with `meta`, `timestamp[]` (09:30 New
 * York of each day, epoch seconds), `indicators.quote[0]` arrays and
 * `indicators.adjclose[0].adjclose`. Prices are split-adjusted single-precision
 * floats widened to double; adjclose also carries dividends. Unknown symbols:
 * 404 `{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}`.
 * Over the limit: 429 with the edge's plain text (or JSON, configurable).
 */

const JSON_TYPE = "application/json;charset=utf-8";
const VALID_RANGES = ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"];
const VALID_RANGES_JSON = JSON.stringify(VALID_RANGES);

const EXCHANGES: Record<string, [string, string]> = {
  Q: ["NMS", "NasdaqGS"],
  N: ["NYQ", "NYSE"],
  A: ["ASE", "NYSE American"],
  P: ["PCX", "NYSEArca"],
  Z: ["BTS", "Cboe US"],
  V: ["IEX", "IEX"],
};

function chartError(
  status: number,
  code: string,
  description: string,
  outcome: SimAnswer["outcome"],
): SimAnswer {
  return {
    status,
    body: JSON.stringify({ chart: { result: null, error: { code, description } } }),
    contentType: JSON_TYPE,
    outcome,
  };
}

const notFound = () => chartError(404, "Not Found", "No data found, symbol may be delisted", "not-found");
const badRequest = (description: string) => chartError(400, "Bad Request", description, "bad-request");

/** The grid days a request selects, [from, end) as grid indexes, or its error answer. */
function selectDays(params: URLSearchParams, model: MarketModel): [number, number] | SimAnswer {
  const end = model.asOfIndex + 1;
  const period1 = params.get("period1");
  const period2 = params.get("period2");
  if (period1 !== null || period2 !== null) {
    const from = period1 === null ? 0 : Number(period1);
    const to = period2 === null ? Number.POSITIVE_INFINITY : Number(period2);
    if (!Number.isFinite(from) || Number.isNaN(to)) {
      return badRequest(`Invalid input - period1=${period1}, period2=${period2} must be epoch seconds`);
    }
    if (to < from) {
      return badRequest(
        `Invalid input - start date cannot be after end date. startDate = ${from}, endDate = ${to}`,
      );
    }
    return [firstDayStampedAtOrAfter(from, end), Math.min(end, firstDayStampedAtOrAfter(to, end))];
  }
  const range = params.get("range") ?? "1mo";
  if (!VALID_RANGES.includes(range)) {
    return badRequest(
      `Invalid input - range=${range} is not supported. Valid ranges: ${VALID_RANGES.join(", ")}`,
    );
  }
  if (range === "max" || range === "10y") return [0, end];
  if (range === "1d" || range === "5d") return [end - Number(range[0]), end];
  let cutoff: string;
  if (range === "ytd") {
    cutoff = `${Number(model.asOf.slice(0, 4)) - 1}-12-31`;
  } else {
    const months = range.endsWith("mo") ? Number(range.slice(0, -2)) : Number(range.slice(0, -1)) * 12;
    const d = new Date(`${model.asOf}T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() - months);
    cutoff = d.toISOString().slice(0, 10);
  }
  return [lastIndexOnOrBefore(cutoff) + 1, end];
}

/** The first grid index (below `limit`) whose 09:30 stamp is at or after `epochSeconds`. */
function firstDayStampedAtOrAfter(epochSeconds: number, limit: number): number {
  return partitionPoint(limit, (i) => timestampAt(i) < epochSeconds);
}

function timestampOf(iso: string): number {
  return easternEpochMs(iso, 9, 30) / 1000;
}

/** Each grid day's Yahoo timestamp (09:30 New York, epoch seconds) and its spelling, computed once. */
const timestampByIndex: number[] = [];
const timestampTextByIndex: string[] = [];

function timestampAt(gridIndex: number): number {
  let t = timestampByIndex[gridIndex];
  if (t === undefined) {
    t = timestampOf(gridDates()[gridIndex]!);
    timestampByIndex[gridIndex] = t;
    timestampTextByIndex[gridIndex] = String(t);
  }
  return t;
}

function timestampTextAt(gridIndex: number): string {
  timestampAt(gridIndex);
  return timestampTextByIndex[gridIndex]!;
}

/** Timestamp columns (`t0,t1,...`) by first grid index and length: every symbol asked for the same days shares one. */
const timestampColumns = new Lru<string, string>(16);

function timestampColumn(firstGridIndex: number, count: number): string {
  return timestampColumns.getOrCreate(`${firstGridIndex}+${count}`, () => {
    const texts: string[] = [];
    for (let k = 0; k < count; k++) texts.push(timestampTextAt(firstGridIndex + k));
    return texts.join(",");
  });
}

function tradingPeriod(
  iso: string,
  startHour: number,
  startMinute: number,
  endHour: number,
  endMinute: number,
) {
  const offset = easternOffsetHours(iso);
  return {
    timezone: offset === 4 ? "EDT" : "EST",
    start: easternEpochMs(iso, startHour, startMinute) / 1000,
    end: easternEpochMs(iso, endHour, endMinute) / 1000,
    gmtoffset: -offset * 3600,
  };
}

/** The `range` a chart's meta reports: the requested one, or "" for period1/period2. */
function metaRange(params: URLSearchParams): string {
  return params.get("period1") !== null || params.get("period2") !== null
    ? ""
    : (params.get("range") ?? "1mo");
}

/** Which extras a chart carries: dividends, splits (`events=div|split`), the adjclose column. */
interface ChartParts {
  dividends: boolean;
  splits: boolean;
  adjclose: boolean;
}

function chartParts(params: URLSearchParams): ChartParts {
  const events = params.get("events") ?? "";
  return {
    dividends: events.includes("div"),
    splits: events.includes("split"),
    adjclose: params.get("includeAdjustedClose") !== "false",
  };
}

const writer = new ByteWriter();

/** Cells of the column being written: one array reused, joined natively. */
const cells: string[] = [];

/** One price column (split-adjusted single-precision spellings), with nulls where `isNull` says. */
function writePrices(
  w: ByteWriter,
  column: Float64Array,
  multiplier: Float64Array,
  first: number,
  isNull: Uint8Array,
): void {
  const count = isNull.length;
  cells.length = count;
  for (let k = 0; k < count; k++)
    cells[k] = isNull[k] ? "null" : float32Text(column[first + k]! / multiplier[first + k]!);
  w.latin1(cells.join(","));
}

function buildChart(
  series: SimSeries,
  yahooSymbol: string,
  first: number,
  end: number,
  range: string,
  parts: ChartParts,
  asOf: string,
  firstTradeIndex: number,
  options: RespondOptions,
): Buffer {
  const { profile } = series;
  const n = series.length;
  const last = n - 1;
  const adj = (i: number) => series.close[i]! / series.multiplier[i]!;
  const offset = easternOffsetHours(asOf);
  const [exchangeName, fullExchangeName] = EXCHANGES[profile.listing.exchange] ?? EXCHANGES.N!;
  let high52 = 0;
  let low52 = Number.POSITIVE_INFINITY;
  for (let i = Math.max(0, n - 252); i < n; i++) {
    high52 = Math.max(high52, series.high[i]! / series.multiplier[i]!);
    low52 = Math.min(low52, series.low[i]! / series.multiplier[i]!);
  }
  const name = profile.listing.name;
  const meta = {
    currency: "USD",
    symbol: yahooSymbol,
    exchangeName,
    fullExchangeName,
    instrumentType: profile.listing.etf ? "ETF" : "EQUITY",
    firstTradeDate: timestampAt(firstTradeIndex),
    regularMarketTime: easternEpochMs(asOf, 16) / 1000,
    hasPrePostMarketData: true,
    gmtoffset: -offset * 3600,
    timezone: offset === 4 ? "EDT" : "EST",
    exchangeTimezoneName: "America/New_York",
    regularMarketPrice: roundQuote(adj(last)),
    fiftyTwoWeekHigh: roundQuote(high52),
    fiftyTwoWeekLow: roundQuote(low52),
    regularMarketDayHigh: roundQuote(series.high[last]! / series.multiplier[last]!),
    regularMarketDayLow: roundQuote(series.low[last]! / series.multiplier[last]!),
    regularMarketVolume: Math.round(series.volume[last]! * series.multiplier[last]!),
    longName: name,
    shortName: name.length > 32 ? name.slice(0, 32) : name,
    chartPreviousClose: roundQuote(first > 0 ? adj(first - 1) : series.open[0]! / series.multiplier[0]!),
    priceHint: adj(last) < 1 ? 4 : 2,
    currentTradingPeriod: {
      pre: tradingPeriod(asOf, 4, 0, 9, 30),
      regular: tradingPeriod(asOf, 9, 30, 16, 0),
      post: tradingPeriod(asOf, 16, 0, 20, 0),
    },
    dataGranularity: "1d",
    range,
  };
  const metaJson = `${JSON.stringify(meta).slice(0, -1)},"validRanges":${VALID_RANGES_JSON}}`;
  if (end <= first) {
    return Buffer.from(
      `{"chart":{"result":[{"meta":${metaJson},"indicators":{"quote":[{}],"adjclose":[{}]}}],"error":null}}`,
      "utf8",
    );
  }

  const count = end - first;
  const isNull = new Uint8Array(count);
  if (options.nullBars) {
    let any = false;
    for (let k = 0; k < count; k++) {
      if (options.nullBars.draw() < 0.03) {
        isNull[k] = 1;
        any = true;
      }
    }
    if (!any) isNull[Math.floor(options.nullBars.draw() * count)] = 1;
  }

  let eventsJson = "";
  if (parts.dividends || parts.splits) {
    const events: string[] = [];
    if (parts.dividends) {
      const divs: string[] = [];
      for (let i = first; i < end; i++) {
        const amount = series.dividend[i]!;
        if (amount > 0) {
          const t = timestampOf(series.dates[i]!);
          divs.push(`"${t}":{"amount":${roundQuote(amount / series.multiplier[i]!)},"date":${t}}`);
        }
      }
      if (divs.length) events.push(`"dividends":{${divs.join(",")}}`);
    }
    const split = profile.split;
    if (parts.splits && split) {
      const i = split.index - series.startIndex;
      if (i >= first && i < end) {
        const t = timestampOf(series.dates[i]!);
        events.push(
          `"splits":{"${t}":{"date":${t},"numerator":${split.numerator},"denominator":${split.denominator},"splitRatio":"${split.numerator}:${split.denominator}"}}`,
        );
      }
    }
    if (events.length) eventsJson = `,"events":{${events.join(",")}}`;
  }

  // Written as bytes, column by column, in the order of Yahoo's own bodies.
  const w = writer;
  w.pos = 0;
  w.ascii('{"chart":{"result":[{"meta":');
  w.utf8(metaJson);
  w.ascii(',"timestamp":[');
  w.latin1(timestampColumn(series.startIndex + first, count));
  w.byte(93);
  w.ascii(eventsJson);
  const { multiplier } = series;
  w.ascii(',"indicators":{"quote":[{"open":[');
  writePrices(w, series.open, multiplier, first, isNull);
  w.ascii('],"close":[');
  writePrices(w, series.close, multiplier, first, isNull);
  w.ascii('],"volume":[');
  for (let k = 0; k < count; k++) {
    if (k !== 0) w.byte(44);
    if (isNull[k]) {
      w.ascii("null");
      continue;
    }
    const m = multiplier[first + k]!;
    const v = series.volume[first + k]!;
    w.int(m === 1 ? v : Math.round(v * m));
  }
  w.ascii('],"high":[');
  writePrices(w, series.high, multiplier, first, isNull);
  w.ascii('],"low":[');
  writePrices(w, series.low, multiplier, first, isNull);
  w.ascii("]}]");
  if (parts.adjclose) {
    w.ascii(',"adjclose":[{"adjclose":[');
    cells.length = count;
    for (let k = 0; k < count; k++) {
      if (isNull[k]) {
        cells[k] = "null";
        continue;
      }
      const i = first + k;
      const c = series.close[i]! / multiplier[i]!;
      const f = series.dividendFactor[i]!;
      // Dividend-adjusted closes are not whole cents: spelled each time.
      cells[k] = f === 1 ? float32Text(c) : String(Math.fround(c * f));
    }
    w.latin1(cells.join(","));
    w.ascii("]}]");
  }
  w.ascii('}}],"error":null}}');
  return w.take();
}

export function yahooProvider(env: ProviderEnv): SimProvider {
  return {
    name: "yahoo",

    parse(url: URL): ParsedRequest | SimAnswer {
      const match = /^\/v8\/finance\/chart\/([^/]+)$/.exec(url.pathname);
      if (!match) return notFound();
      let requested: string;
      try {
        requested = decodeURIComponent(match[1]!).toUpperCase();
      } catch {
        return notFound();
      }
      const interval = url.searchParams.get("interval") ?? "1d";
      if (interval !== "1d") {
        return badRequest(
          `Invalid input - interval=${interval} is not supported by the simulator. Valid intervals: [1d]`,
        );
      }
      const canonical = fromProviderSymbol(requested, "yahoo");
      const symbol = canonical !== undefined && env.model.has(canonical) ? canonical : null;
      if (symbol === null) return { key: null, symbol, respond: () => notFound() };
      const params = url.searchParams;
      const selected = selectDays(params, env.model);
      if (!Array.isArray(selected)) return { key: null, symbol, respond: () => selected };
      const [fromIndex, endIndex] = selected;
      const range = metaRange(params);
      const parts = chartParts(params);
      const chart = (options: RespondOptions): SimAnswer => {
        // One bar before the selection (chartPreviousClose) and a year (52-week range) at least.
        const series = env.model.history(symbol, Math.min(fromIndex - 1, env.model.asOfIndex - 251));
        if (!series) return notFound();
        const first = Math.min(series.length, Math.max(0, fromIndex - series.startIndex));
        const end = Math.min(series.length, Math.max(first, endIndex - series.startIndex));
        return {
          status: 200,
          body: buildChart(
            series,
            requested,
            first,
            end,
            range,
            parts,
            env.model.asOf,
            env.model.firstIndexOf(series.profile),
            options,
          ),
          contentType: JSON_TYPE,
          outcome: "ok",
        };
      };
      return {
        key: null,
        symbol,
        respond: chart,
        // Everything the chart depends on: the spelling asked for, the days, and the extras.
        renderKey: JSON.stringify([
          requested,
          fromIndex,
          endIndex,
          range,
          parts.dividends,
          parts.splits,
          parts.adjclose,
        ]),
        render() {
          const answer = chart({});
          return renderedAnswer(answer, [answer.body]);
        },
      };
    },

    unauthorized() {
      // Yahoo's chart API takes no key; nothing to reject.
      return notFound();
    },

    rateLimited(_key: string | null, _rule: RateLimit): SimAnswer {
      if (env.config().yahoo.rateLimitBody === "json") {
        return chartError(429, "Too Many Requests", "Rate limited. Try after a while.", "rate-limited");
      }
      return {
        status: 429,
        body: "Edge: Too Many Requests",
        contentType: "text/plain;charset=utf-8",
        outcome: "rate-limited",
      };
    },

    serverError: gatewayErrorAnswer,
  };
}
