import { easternEpochMs, easternOffsetHours } from "../../../core/eastern-time.ts";
import type { SimSeries } from "../price-path.ts";
import { ByteWriter, float32Text, roundQuote } from "./format.ts";
import type { RespondOptions } from "./provider.ts";
import { timestampAt, timestampColumn, timestampOf, tradingPeriod } from "./yahoo-timestamps.ts";

/**
 * The body of a Yahoo chart answer (`{"chart":{"result":[{...}],"error":null}}`),
 * in the order of Yahoo's own bodies: `meta`, `timestamp[]`, `events` when
 * asked for, `indicators.quote[0]` (open, close, volume, high, low) and
 * `indicators.adjclose[0].adjclose`. Prices are split-adjusted single-precision
 * floats widened to double; adjclose also carries dividends.
 */

/** The ranges Yahoo accepts, listed in every chart's meta as `validRanges`. */
export const VALID_RANGES = ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"];
const VALID_RANGES_JSON = JSON.stringify(VALID_RANGES);

/** Listing exchange code → Yahoo's exchangeName and fullExchangeName. */
const EXCHANGES: Record<string, [string, string]> = {
  Q: ["NMS", "NasdaqGS"],
  N: ["NYQ", "NYSE"],
  A: ["ASE", "NYSE American"],
  P: ["PCX", "NYSEArca"],
  Z: ["BTS", "Cboe US"],
  V: ["IEX", "IEX"],
};

/** Which extras a chart carries: dividends, splits (`events=div|split`), the adjclose column. */
export interface ChartParts {
  dividends: boolean;
  splits: boolean;
  adjclose: boolean;
}

/** One chart to write: the bars `[first, end)` of `series` (indexes into it) and what the request asked for. */
export interface Chart {
  series: SimSeries;
  /** The symbol as the request spelled it (upper-cased), echoed in `meta.symbol`. */
  yahooSymbol: string;
  first: number;
  end: number;
  /** `meta.range`: the range asked for, or "" for period1/period2. */
  range: string;
  parts: ChartParts;
  /** The simulator's last trading day: the market time and trading periods of `meta`. */
  asOf: string;
  /** Grid index of the symbol's first trading day (`meta.firstTradeDate`). */
  firstTradeIndex: number;
}

/** The chart's body; with `options.nullBars`, some bars (at least one) come back as nulls, as Yahoo sends them. */
export function buildChart(chart: Chart, options: RespondOptions): Buffer {
  const metaJson = chartMetaJson(chart);
  if (chart.end <= chart.first) {
    return Buffer.from(
      `{"chart":{"result":[{"meta":${metaJson},"indicators":{"quote":[{}],"adjclose":[{}]}}],"error":null}}`,
      "utf8",
    );
  }
  const isNull = nullMask(chart.end - chart.first, options);
  return writeChartBody(chart, metaJson, chartEventsJson(chart), isNull);
}

/** `meta`: the listing, the last day's quote, the 52-week range and the trading periods of `asOf`. */
function chartMetaJson({ series, yahooSymbol, first, range, asOf, firstTradeIndex }: Chart): string {
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
  return `${JSON.stringify(meta).slice(0, -1)},"validRanges":${VALID_RANGES_JSON}}`;
}

/** 1 for each bar to send as nulls: about 3 % of them, at least one, when the `nulls` fault asks. */
function nullMask(count: number, options: RespondOptions): Uint8Array {
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
  return isNull;
}

/** `,"events":{...}` with the dividends and the split inside the chart's days, when asked for; else "". */
function chartEventsJson({ series, first, end, parts }: Chart): string {
  if (!(parts.dividends || parts.splits)) return "";
  const events: string[] = [];
  if (parts.dividends) {
    const divs: string[] = [];
    for (let i = first; i < end; i++) {
      const amount = series.dividend[i]!;
      if (amount > 0) {
        const t = timestampOf(series.dates[i]!);
        // Adjusted for the splits after it, with the precision the division needs (1.4733333333333334
        // for 4.42 before a 3-for-1), as Yahoo's adjusted dividends are spelled: not rounded to the cent.
        divs.push(`"${t}":{"amount":${amount / series.multiplier[i]!},"date":${t}}`);
      }
    }
    if (divs.length) events.push(`"dividends":{${divs.join(",")}}`);
  }
  const split = series.profile.split;
  if (parts.splits && split) {
    const i = split.index - series.startIndex;
    if (i >= first && i < end) {
      const t = timestampOf(series.dates[i]!);
      events.push(
        `"splits":{"${t}":{"date":${t},"numerator":${split.numerator},"denominator":${split.denominator},"splitRatio":"${split.numerator}:${split.denominator}"}}`,
      );
    }
  }
  return events.length ? `,"events":{${events.join(",")}}` : "";
}

const writer = new ByteWriter();

/** Cells of the column being written: one array reused, joined natively. */
const cells: string[] = [];

/** The whole body, written as bytes, column by column. */
function writeChartBody(chart: Chart, metaJson: string, eventsJson: string, isNull: Uint8Array): Buffer {
  const { series, first, parts } = chart;
  const count = isNull.length;
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
