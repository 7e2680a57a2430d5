import { describe, expect, it } from "vitest";
import { readAlphaVantageResponse } from "../../packages/adapters/providers/alphavantage.ts";
import { dailyWindow } from "../../packages/adapters/providers/bars.ts";
import { readFmpResponse } from "../../packages/adapters/providers/fmp.ts";
import { readYahooResponse } from "../../packages/adapters/providers/yahoo.ts";
import type { FetchResult, ProviderName } from "../../packages/core/market-data.port.ts";

/**
 * Body validation and normalisation run for every ticker of a scan. Measured
 * on the 2-core dev machine (Node 20): per 260-bar body, JSON.parse alone
 * ~160 µs; Yahoo read+validate+normalise ~250 µs (a zod schema of the same
 * fields, validation only, ~280 µs); FMP ~510 µs (53 KiB); Alpha Vantage
 * ~320 µs. The bound here is 20× that, to catch an accidental quadratic
 * path or per-bar allocation storm without being flaky on a busy machine.
 */

const BARS = 260;
const ROUNDS = 200;
const BOUND_MS = 5;

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
const window = dailyWindow({ days: BARS, to: dates[BARS - 1]! });

const bodies: Record<Exclude<ProviderName, "polygon">, string> = {
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

const readers: Record<keyof typeof bodies, (text: string) => FetchResult> = {
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

describe.each(Object.keys(bodies) as Array<keyof typeof bodies>)("%s body handling speed", (name) => {
  it(`validates and normalises a ${BARS}-bar body in under ${BOUND_MS} ms on average`, () => {
    const read = readers[name];
    const first = read(bodies[name]);
    if (!first.ok) throw new Error(first.message);
    expect(first.series.dates).toStrictEqual(dates);
    const started = performance.now();
    for (let i = 0; i < ROUNDS; i++) read(bodies[name]);
    const perBody = (performance.now() - started) / ROUNDS;
    expect(perBody).toBeLessThan(BOUND_MS);
  });
});
