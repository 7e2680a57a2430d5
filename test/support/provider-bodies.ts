import { readAlphaVantageResponse } from "../../packages/adapters/providers/alphavantage.ts";
import { dailyWindow } from "../../packages/adapters/providers/bars.ts";
import { readFmpResponse } from "../../packages/adapters/providers/fmp.ts";
import { readYahooResponse } from "../../packages/adapters/providers/yahoo.ts";
import type { FetchResult, ProviderName } from "../../packages/core/market-data.port.ts";

/**
 * A year of daily bars (260 weekdays from 2023-12-01) as Yahoo, FMP and Alpha
 * Vantage send them, and each adapter's reader of a body: the long bodies a
 * scan reads for every ticker. Shared by the test that they are read whole
 * (test/providers/long-bodies.test.ts) and the benchmark of reading them
 * (bench/body-validation.ts).
 */

export const BARS = 260;

/** The providers whose bodies are here (Polygon's and Alpaca's bars come in pages, read elsewhere). */
export type LongBodyProvider = Exclude<ProviderName, "polygon" | "alpaca">;

function sessions(): { dates: string[]; seconds: number[]; prices: number[] } {
  const dates: string[] = [];
  const seconds: number[] = [];
  const prices: number[] = [];
  let day = Date.UTC(2023, 11, 1);
  while (dates.length < BARS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) {
      dates.push(new Date(day).toISOString().slice(0, 10));
      seconds.push(day / 1000 + 14.5 * 3600);
      prices.push(100 + Math.sin(dates.length));
    }
    day += 86_400_000;
  }
  return { dates, seconds, prices };
}

const { dates, seconds, prices } = sessions();

/** The bars' dates, ascending: what every reader must return. */
export const BAR_DATES: readonly string[] = dates;

const window = dailyWindow({ days: BARS, to: dates[BARS - 1]! });

export const LONG_BODIES: Record<LongBodyProvider, string> = {
  yahoo: JSON.stringify({
    chart: {
      result: [
        {
          meta: { symbol: "AAPL", gmtoffset: -18000 },
          timestamp: seconds,
          indicators: {
            quote: [
              { open: prices, high: prices, low: prices, close: prices, volume: prices.map((p) => p * 1e6) },
            ],
            adjclose: [{ adjclose: prices }],
          },
        },
      ],
      error: null,
    },
  }),
  fmp: JSON.stringify(
    dates
      .map((date, i) => ({
        symbol: "AAPL",
        date,
        open: prices[i],
        high: prices[i],
        low: prices[i],
        close: prices[i],
        volume: 1e6,
        change: 0,
        changePercent: 0,
        vwap: prices[i],
      }))
      .reverse(),
  ),
  alphavantage: JSON.stringify({
    "Meta Data": { "2. Symbol": "AAPL" },
    "Time Series (Daily)": Object.fromEntries(
      dates
        .map((date, i) => [
          date,
          {
            "1. open": String(prices[i]),
            "2. high": String(prices[i]),
            "3. low": String(prices[i]),
            "4. close": String(prices[i]),
            "5. volume": "1000000",
          },
        ])
        .reverse(),
    ),
  }),
};

/** Each adapter's whole reading of a 200 body: parse, validate, normalise to a Series. */
export const BODY_READERS: Record<LongBodyProvider, (text: string) => FetchResult> = {
  yahoo: (text) =>
    readYahooResponse({ provider: "yahoo", symbol: "AAPL", secrets: [] }, window, "AAPL", {
      status: 200,
      headers: {},
      text,
    }),
  fmp: (text) =>
    readFmpResponse({ provider: "fmp", symbol: "AAPL", secrets: [] }, window, "AAPL", {
      status: 200,
      headers: {},
      text,
    }),
  alphavantage: (text) =>
    readAlphaVantageResponse(
      { provider: "alphavantage", symbol: "AAPL", secrets: [] },
      window,
      "AAPL",
      { status: 200, headers: {}, text },
      "full",
    ),
};
