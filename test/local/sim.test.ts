import { Agent, request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { simCommand } from "../../packages/cli/commands/sim.ts";
import { ConfigError } from "../../packages/core/errors.ts";
import { tradingDaysBetween } from "../../packages/core/trading-calendar.ts";
import {
  defaultConfig,
  maxRequestsInAnyWindow,
  type SimRequestLog,
  type Simulator,
  startMarketSimulator,
} from "../../packages/local/sim/index.ts";

/**
 * The market simulator over real HTTP on loopback: each provider's wire
 * format, determinism, split and dividend adjustments, paging, rate limits
 * per key, latency, every fault class, the request log and the config API.
 */

const AS_OF = "2026-08-14";
const KEY = "test-key-1";
const OTHER_KEY = "test-key-2";
const agent = new Agent({ keepAliveTimeout: 1_000, connections: 32 });

let sim: Simulator;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await request(url, { dispatcher: agent, headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

async function getJson<T = Json>(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const reply = await get(url, headers);
  return { status: reply.status, body: JSON.parse(reply.text) as T };
}

async function post(url: string, body: string): Promise<{ status: number; body: Json }> {
  const res = await request(url, {
    dispatcher: agent,
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
  });
  return { status: res.statusCode, body: await res.body.json() };
}

/** Parsed provider JSON: the tests assert its shape field by field. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by assertions, not by types
type Json = any;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Trading days strictly after `exclusiveFrom` up to `to`. */
function daysAfter(exclusiveFrom: string, to: string): string[] {
  return tradingDaysBetween(exclusiveFrom, to).filter((d) => d > exclusiveFrom);
}

function expectConsistentBars(
  bars: { open: number; high: number; low: number; close: number; volume: number }[],
) {
  expect(bars.length).toBeGreaterThan(0);
  for (const b of bars) {
    expect(b.low).toBeGreaterThan(0);
    expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close));
    expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
    expect(b.volume).toBeGreaterThan(0);
  }
}

const yahooChart = (symbol: string, query: string) =>
  `${sim.urls.yahoo}/v8/finance/chart/${symbol}?interval=1d&${query}`;
const fmpFull = (symbol: string, query = "") =>
  `${sim.urls.fmp}/stable/historical-price-eod/full?symbol=${encodeURIComponent(symbol)}&apikey=${KEY}${query}`;
const polygonAggs = (ticker: string, from: string, to: string, query = "") =>
  `${sim.urls.polygon}/v2/aggs/ticker/${encodeURIComponent(ticker)}/range/1/day/${from}/${to}?apiKey=${KEY}${query}`;
const avDaily = (symbol: string, query = "") =>
  `${sim.urls.alphavantage}/query?function=TIME_SERIES_DAILY&symbol=${encodeURIComponent(symbol)}&apikey=${KEY}${query}`;

beforeAll(async () => {
  sim = await startMarketSimulator({ asOf: AS_OF, seed: 42 });
}, 30_000);

afterAll(async () => {
  await sim?.close();
  await agent.close();
});

beforeEach(() => {
  sim.configure(defaultConfig());
  sim.clearRequests();
});

describe("yahoo chart API", () => {
  it("answers a 1y daily chart with Yahoo's shape, ascending, one bar per trading day", async () => {
    const { status, body } = await getJson(yahooChart("AAPL", "range=1y&events=div%7Csplit"));
    expect(status).toBe(200);
    expect(body.chart.error).toBeNull();
    const result = body.chart.result[0];
    expect(Object.keys(result)).toEqual(expect.arrayContaining(["meta", "timestamp", "indicators"]));
    expect(result.meta).toMatchObject({
      currency: "USD",
      symbol: "AAPL",
      instrumentType: "EQUITY",
      exchangeTimezoneName: "America/New_York",
      dataGranularity: "1d",
      range: "1y",
    });
    const expectedDays = daysAfter("2025-08-14", AS_OF);
    const ts: number[] = result.timestamp;
    expect(ts).toHaveLength(expectedDays.length);
    // Each day is stamped 09:30 New York: 13:30 UTC in summer.
    expect(new Date(ts.at(-1)! * 1000).toISOString()).toBe(`${AS_OF}T13:30:00.000Z`);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    const q = result.indicators.quote[0];
    const adj: number[] = result.indicators.adjclose[0].adjclose;
    for (const column of [q.open, q.high, q.low, q.close, q.volume, adj])
      expect(column).toHaveLength(ts.length);
    expectConsistentBars(
      ts.map((_, i) => ({
        open: q.open[i],
        high: q.high[i],
        low: q.low[i],
        close: q.close[i],
        volume: q.volume[i],
      })),
    );
    // Single-precision floats widened to double, as Yahoo sends them.
    expect(q.close.every((x: number) => Math.fround(x) === x)).toBe(true);
    expect(result.meta.regularMarketPrice).toBeCloseTo(q.close.at(-1), 2);
  });

  it("selects bars by period1/period2 epoch seconds, period2 exclusive", async () => {
    const period1 = Date.UTC(2026, 6, 1) / 1000; // 2026-07-01 00:00 UTC
    const period2 = Date.UTC(2026, 6, 10) / 1000; // 2026-07-10 00:00 UTC: excludes July 10
    const { body } = await getJson(yahooChart("MSFT", `period1=${period1}&period2=${period2}`));
    const dates = body.chart.result[0].timestamp.map((t: number) =>
      new Date(t * 1000).toISOString().slice(0, 10),
    );
    expect(dates).toEqual(tradingDaysBetween("2026-07-01", "2026-07-09"));
    expect(body.chart.result[0].meta.range).toBe("");
  });

  it("answers 404 with Yahoo's JSON error for an unknown symbol", async () => {
    const reply = await get(yahooChart("NOSUCHTICKER", "range=1mo"));
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.text)).toStrictEqual({
      chart: {
        result: null,
        error: { code: "Not Found", description: "No data found, symbol may be delisted" },
      },
    });
  });

  it("knows ETFs: SPY is an ETF with a full history", async () => {
    const { status, body } = await getJson(yahooChart("SPY", "range=5y"));
    expect(status).toBe(200);
    expect(body.chart.result[0].meta.instrumentType).toBe("ETF");
    expect(body.chart.result[0].timestamp.length).toBeGreaterThan(1200);
  });

  it("logs the bytes of each answer it sent", async () => {
    const reply = await get(yahooChart("AAPL", "range=5d"));
    expect(sim.requests().at(-1)).toMatchObject({ symbol: "AAPL", bytes: Buffer.byteLength(reply.text) });
  });

  it("maps Yahoo's dash spelling to the canonical symbol", async () => {
    const { status, body } = await getJson(yahooChart("BRK-B", "range=5d"));
    expect(status).toBe(200);
    expect(body.chart.result[0].meta.symbol).toBe("BRK-B");
    expect(body.chart.result[0].timestamp).toHaveLength(5);
    expect(sim.requests().at(-1)).toMatchObject({
      provider: "yahoo",
      symbol: "BRK.B",
      status: 200,
      outcome: "ok",
    });
  });
});

describe("FMP", () => {
  it("income statements: published quarters newest first, FMP's fields, the same each time", async () => {
    const url = (symbol: string, query = "&period=quarter&limit=8") =>
      `${sim.urls.fmp}/stable/income-statement?symbol=${symbol}&apikey=${KEY}${query}`;
    const { status, body } = await getJson<Json[]>(url("AAPL"));
    expect(status).toBe(200);
    expect(body).toHaveLength(8);
    expect(Object.keys(body[0])).toEqual([
      "date",
      "symbol",
      "reportedCurrency",
      "cik",
      "filingDate",
      "acceptedDate",
      "fiscalYear",
      "period",
      "revenue",
      "netIncome",
      "eps",
      "epsDiluted",
      "weightedAverageShsOut",
      "weightedAverageShsOutDil",
    ]);
    const dates = body.map((r) => r.date as string);
    expect([...dates].sort().reverse()).toEqual(dates);
    // Quarter ends, each filed 35 days later, the latest filed by the simulator's day.
    for (const r of body) expect(r.date).toMatch(/-(03-31|06-30|09-30|12-31)$/);
    expect(body[0].filingDate <= AS_OF).toBe(true);
    expect(body.map((r) => r.period)).toEqual(
      body.map((r) => `Q${Math.floor(Number((r.date as string).slice(5, 7)) / 3)}`),
    );
    for (const r of body) expect(Number.isFinite(r.epsDiluted)).toBe(true);
    expect((await getJson(url("AAPL"))).body).toStrictEqual(body);
    expect(await getJson(url("NOSUCHTICKER"))).toStrictEqual({ status: 200, body: [] });
    expect((await getJson(url("AAPL", "&period=annual"))).status).toBe(400);
  });

  it("stable full: flat array newest first with FMP's fields", async () => {
    const { status, body } = await getJson<Json[]>(fmpFull("AAPL", "&from=2026-06-01&to=2026-07-31"));
    expect(status).toBe(200);
    const expected = tradingDaysBetween("2026-06-01", "2026-07-31");
    expect(body.map((r) => r.date)).toEqual([...expected].reverse());
    expect(Object.keys(body[0])).toEqual([
      "symbol",
      "date",
      "open",
      "high",
      "low",
      "close",
      "volume",
      "change",
      "changePercent",
      "vwap",
    ]);
    expect(body[0].symbol).toBe("AAPL");
    expectConsistentBars(body);
    for (const r of body) {
      expect(r.change).toBeCloseTo(r.close - r.open, 2);
      expect(r.vwap).toBeCloseTo((r.high + r.low + r.close) / 3, 2);
    }
  });

  it("dividend-adjusted and v3 historical-price-full shapes", async () => {
    const adjusted = await getJson<Json[]>(
      `${sim.urls.fmp}/stable/historical-price-eod/dividend-adjusted?symbol=SPY&from=2026-08-10&apikey=${KEY}`,
    );
    expect(adjusted.body.map((r) => r.date)).toEqual([
      "2026-08-14",
      "2026-08-13",
      "2026-08-12",
      "2026-08-11",
      "2026-08-10",
    ]);
    expect(Object.keys(adjusted.body[0])).toEqual([
      "symbol",
      "date",
      "adjOpen",
      "adjHigh",
      "adjLow",
      "adjClose",
      "volume",
    ]);
    const v3 = await getJson(
      `${sim.urls.fmp}/api/v3/historical-price-full/SPY?from=2026-08-10&apikey=${KEY}`,
    );
    expect(v3.body.symbol).toBe("SPY");
    expect(v3.body.historical).toHaveLength(5);
    expect(v3.body.historical[0]).toMatchObject({ date: "2026-08-14", label: "August 14, 26" });
    expect(v3.body.historical[0].adjClose).toBe(adjusted.body[0].adjClose);
  });

  it("unknown symbol: empty array on stable, empty object on v3", async () => {
    expect(await getJson(fmpFull("NOSUCHTICKER"))).toStrictEqual({ status: 200, body: [] });
    expect(
      await getJson(`${sim.urls.fmp}/api/v3/historical-price-full/NOSUCHTICKER?apikey=${KEY}`),
    ).toStrictEqual({
      status: 200,
      body: {},
    });
  });

  it("missing key: 401 with FMP's Invalid API KEY message", async () => {
    const { status, body } = await getJson(`${sim.urls.fmp}/stable/historical-price-eod/full?symbol=AAPL`);
    expect(status).toBe(401);
    expect(body["Error Message"]).toMatch(/^Invalid API KEY\./);
  });
});

describe("Polygon", () => {
  it("aggregates ascending, t at New York midnight, resultsCount = trading days", async () => {
    const { body } = await getJson(polygonAggs("AAPL", "2026-01-01", "2026-03-31"));
    const expected = tradingDaysBetween("2026-01-01", "2026-03-31");
    expect(body).toMatchObject({
      ticker: "AAPL",
      adjusted: true,
      status: "OK",
      resultsCount: expected.length,
    });
    expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.next_url).toBeUndefined();
    // 2026-01-02 00:00 EST = 05:00 UTC.
    expect(body.results[0].t).toBe(Date.UTC(2026, 0, 2, 5));
    expect(Object.keys(body.results[0])).toEqual(["v", "vw", "o", "c", "h", "l", "t", "n"]);
    expectConsistentBars(
      body.results.map((r: Json) => ({ open: r.o, high: r.h, low: r.l, close: r.c, volume: r.v })),
    );
  });

  it("pages with next_url and a cursor when more bars match than the limit", async () => {
    const whole = await getJson(polygonAggs("MSFT", "2025-08-01", AS_OF));
    const all = whole.body.results.map((r: Json) => r.t);
    for (const sort of ["asc", "desc"]) {
      const seen: number[] = [];
      let url: string | undefined = polygonAggs("MSFT", "2025-08-01", AS_OF, `&limit=100&sort=${sort}`);
      let pages = 0;
      while (url && pages < 10) {
        const page: { body: Json } = await getJson(url);
        pages++;
        expect(page.body.resultsCount).toBeLessThanOrEqual(100);
        seen.push(...page.body.results.map((r: Json) => r.t));
        url = page.body.next_url ? `${page.body.next_url}&apiKey=${KEY}` : undefined;
        if (url) expect(url).toContain("cursor=");
      }
      expect(pages).toBe(Math.ceil(all.length / 100));
      expect(seen).toEqual(sort === "asc" ? all : [...all].reverse());
    }
  });

  it("grouped daily: every symbol's bar for the date, T in Polygon's spelling, equal to the ticker's aggregate", async () => {
    const { body } = await getJson(
      `${sim.urls.polygon}/v2/aggs/grouped/locale/us/market/stocks/2026-08-13?adjusted=true&apiKey=${KEY}`,
    );
    expect(body.status).toBe("OK");
    expect(body.resultsCount).toBeGreaterThan(12_000);
    expect(body.results).toHaveLength(body.resultsCount);
    const byTicker = new Map(body.results.map((r: Json) => [r.T, r]));
    expect(byTicker.has("SPY")).toBe(true);
    expect(byTicker.has("BRK.B")).toBe(true);
    const single = await getJson(polygonAggs("BRK.B", "2026-08-13", "2026-08-13"));
    const { T, ...grouped } = byTicker.get("BRK.B") as Json;
    expect(T).toBe("BRK.B");
    expect(grouped).toStrictEqual(single.body.results[0]);
    const weekend = await getJson(
      `${sim.urls.polygon}/v2/aggs/grouped/locale/us/market/stocks/2026-08-15?apiKey=${KEY}`,
    );
    expect(weekend.body).toMatchObject({ resultsCount: 0, status: "OK" });
  });

  it("unknown ticker: 200 with resultsCount 0", async () => {
    const { status, body } = await getJson(polygonAggs("NOSUCHTICKER", "2026-01-01", "2026-02-01"));
    expect(status).toBe(200);
    expect(body).toMatchObject({ ticker: "NOSUCHTICKER", resultsCount: 0, queryCount: 0, status: "OK" });
    expect(body.results).toBeUndefined();
  });

  it("keys: query apiKey or Bearer header; missing and rejected keys get Polygon's 401s", async () => {
    const path = `${sim.urls.polygon}/v2/aggs/ticker/AAPL/range/1/day/2026-08-01/2026-08-14`;
    expect((await getJson(path, { authorization: `Bearer ${KEY}` })).status).toBe(200);
    const missing = await getJson(path);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ status: "ERROR", error: "API Key was not provided" });
    sim.configure({ polygon: { rejectedKeys: ["revoked"] } });
    const rejected = await getJson(`${path}?apiKey=revoked`);
    expect(rejected.status).toBe(401);
    expect(rejected.body).toMatchObject({ status: "ERROR", error: "Unknown API Key" });
  });
});

describe("Alpha Vantage", () => {
  it("TIME_SERIES_DAILY compact: 100 days newest first, string values, raw prices", async () => {
    const { status, body } = await getJson(avDaily("IBM"));
    expect(status).toBe(200);
    expect(body["Meta Data"]).toStrictEqual({
      "1. Information": "Daily Prices (open, high, low, close) and Volumes",
      "2. Symbol": "IBM",
      "3. Last Refreshed": AS_OF,
      "4. Output Size": "Compact",
      "5. Time Zone": "US/Eastern",
    });
    const series = body["Time Series (Daily)"];
    const dates = Object.keys(series);
    expect(dates).toHaveLength(100);
    expect(dates[0]).toBe(AS_OF);
    expect([...dates].sort().reverse()).toEqual(dates);
    const bar = series[AS_OF];
    expect(Object.keys(bar)).toEqual(["1. open", "2. high", "3. low", "4. close", "5. volume"]);
    expect(bar["1. open"]).toMatch(/^\d+\.\d{4}$/);
    expectConsistentBars(
      dates.map((d) => ({
        open: Number(series[d]["1. open"]),
        high: Number(series[d]["2. high"]),
        low: Number(series[d]["3. low"]),
        close: Number(series[d]["4. close"]),
        volume: Number(series[d]["5. volume"]),
      })),
    );
    const full = await getJson(avDaily("IBM", "&outputsize=full"));
    expect(Object.keys(full.body["Time Series (Daily)"]).length).toBeGreaterThan(1200);
  });

  it("unknown symbol and missing key are HTTP 200 with an Error Message", async () => {
    const unknown = await getJson(avDaily("NOSUCHTICKER"));
    expect(unknown.status).toBe(200);
    expect(unknown.body["Error Message"]).toMatch(/^Invalid API call\. .* for TIME_SERIES_DAILY\.$/);
    const missing = await getJson(`${sim.urls.alphavantage}/query?function=TIME_SERIES_DAILY&symbol=IBM`);
    expect(missing.status).toBe(200);
    expect(missing.body["Error Message"]).toMatch(/apikey is invalid or missing/);
  });
});

describe("generated data", () => {
  it("is deterministic: same seed, same bodies; another seed, other prices", async () => {
    const twin = await startMarketSimulator({ asOf: AS_OF, seed: 42 });
    const other = await startMarketSimulator({ asOf: AS_OF, seed: 7 });
    try {
      for (const path of [
        "/yahoo/v8/finance/chart/AAPL?interval=1d&range=2y",
        `/fmp/stable/historical-price-eod/full?symbol=XOM&apikey=${KEY}`,
        `/alphavantage/query?function=TIME_SERIES_DAILY_ADJUSTED&symbol=KO&apikey=${KEY}`,
      ]) {
        const [a, b, c] = await Promise.all([
          get(sim.url + path),
          get(twin.url + path),
          get(other.url + path),
        ]);
        expect(a.status).toBe(200);
        expect(b.text).toBe(a.text);
        expect(c.text).not.toBe(a.text);
      }
    } finally {
      await Promise.all([twin.close(), other.close()]);
    }
  });

  it("the four providers agree on a day's bar, however much history was generated first", async () => {
    // A short request first (generates a short window), then the whole history: same bars.
    const short = await getJson(yahooChart("KO", "range=5d"));
    const long = await getJson(yahooChart("KO", "range=max"));
    const shortQuote = short.body.chart.result[0].indicators.quote[0];
    const longQuote = long.body.chart.result[0].indicators.quote[0];
    expect(longQuote.close.slice(-5)).toStrictEqual(shortQuote.close);
    expect(longQuote.volume.slice(-5)).toStrictEqual(shortQuote.volume);
    expect(long.body.chart.result[0].meta.firstTradeDate).toBe(
      short.body.chart.result[0].meta.firstTradeDate,
    );

    const day = "2026-08-12";
    const fmp = (await getJson<Json[]>(fmpFull("KO", `&from=${day}&to=${day}`))).body[0];
    const polygon = (await getJson(polygonAggs("KO", day, day))).body.results[0];
    const av = (await getJson(avDaily("KO"))).body["Time Series (Daily)"][day];
    const yahooIndex = long.body.chart.result[0].timestamp.indexOf(Date.UTC(2026, 7, 12, 13, 30) / 1000);
    expect([fmp.open, fmp.high, fmp.low, fmp.close]).toStrictEqual([
      polygon.o,
      polygon.h,
      polygon.l,
      polygon.c,
    ]);
    expect([av["1. open"], av["4. close"]].map(Number)).toStrictEqual([fmp.open, fmp.close]);
    expect(longQuote.close[yahooIndex]).toBe(Math.fround(fmp.close));
    expect(fmp.volume).toBe(polygon.v);
  });

  it("a 2:1 split: raw prices halve at the ex-date, adjusted series stay continuous", async () => {
    const [symbol] = sim.findSymbols({ split: "2:1", limit: 1 });
    const info = sim.symbolInfo(symbol!)!;
    const split = info.splits[0]!;
    expect(split).toMatchObject({ numerator: 2, denominator: 1 });
    const before = tradingDaysBetween("2020-01-01", split.date).at(-2)!;
    const raw = await getJson(polygonAggs(symbol!, before, split.date, "&adjusted=false"));
    const adjusted = await getJson(polygonAggs(symbol!, before, split.date, "&adjusted=true"));
    const [rawPrev, rawSplit] = raw.body.results;
    const [adjPrev, adjSplit] = adjusted.body.results;
    expect(rawSplit.o / rawPrev.c).toBeGreaterThan(0.35);
    expect(rawSplit.o / rawPrev.c).toBeLessThan(0.65);
    expect(adjSplit.o / adjPrev.c).toBeGreaterThan(0.75);
    expect(adjSplit.o / adjPrev.c).toBeLessThan(1.3);
    expect(adjPrev.c).toBeCloseTo(rawPrev.c / 2, 3);
    expect(adjPrev.v).toBe(rawPrev.v * 2);

    const av = await getJson(
      `${sim.urls.alphavantage}/query?function=TIME_SERIES_DAILY_ADJUSTED&symbol=${symbol}&outputsize=full&apikey=${KEY}`,
    );
    const days = av.body["Time Series (Daily)"];
    expect(days[split.date]["8. split coefficient"]).toBe("2.0");
    expect(Number(days[before]["4. close"])).toBe(rawPrev.c);
    expect(Number(days[before]["5. adjusted close"])).toBeLessThanOrEqual(rawPrev.c / 2 + 1e-9);

    const yahoo = await getJson(yahooChart(symbol!, "range=max&events=split"));
    const chart = yahoo.body.chart.result[0];
    const splitTs = Object.keys(chart.events.splits);
    expect(splitTs).toHaveLength(1);
    expect(chart.events.splits[splitTs[0]!]).toMatchObject({
      numerator: 2,
      denominator: 1,
      splitRatio: "2:1",
    });
    const at = chart.timestamp.indexOf(Number(splitTs[0]));
    const closes: number[] = chart.indicators.quote[0].close;
    expect(closes[at]! / closes[at - 1]!).toBeGreaterThan(0.75);
    expect(closes[at]! / closes[at - 1]!).toBeLessThan(1.3);
  });

  it("a 1:10 reverse split multiplies raw prices by ten", async () => {
    const [symbol] = sim.findSymbols({ split: "1:10", limit: 1 });
    const split = sim.symbolInfo(symbol!)!.splits[0]!;
    const before = tradingDaysBetween("2020-01-01", split.date).at(-2)!;
    const raw = await getJson(polygonAggs(symbol!, before, split.date, "&adjusted=false"));
    const [prev, at] = raw.body.results;
    expect(at.o / prev.c).toBeGreaterThan(6);
    expect(at.o / prev.c).toBeLessThan(15);
  });

  it("dividends: the adjusted close sits slightly below the close before an ex-date", async () => {
    const info = sim.symbolInfo("SPY")!;
    expect(info.dividends.length).toBeGreaterThan(10);
    const { body } = await getJson<Json[]>(
      `${sim.urls.fmp}/stable/historical-price-eod/dividend-adjusted?symbol=SPY&from=2024-01-01&apikey=${KEY}`,
    );
    const full = await getJson<Json[]>(fmpFull("SPY", "&from=2024-01-01"));
    const ratio = body.at(-1)!.adjClose / full.body.at(-1)!.close;
    expect(ratio).toBeLessThan(1);
    expect(ratio).toBeGreaterThan(0.9);
    expect(body[0].adjClose).toBe(full.body[0].close);
  });

  it("recent IPOs have short histories", async () => {
    const [symbol] = sim.findSymbols({ ipo: true, limit: 1 });
    const info = sim.symbolInfo(symbol!)!;
    const { body } = await getJson(yahooChart(symbol!, "range=max"));
    const ts: number[] = body.chart.result[0].timestamp;
    expect(ts.length).toBeLessThan(520);
    expect(new Date(ts[0]! * 1000).toISOString().slice(0, 10)).toBe(info.ipoDate);
    expect(body.chart.result[0].meta.firstTradeDate).toBe(ts[0]);
  });
});

describe("rate limits", () => {
  const limited = async (url: () => string, expectOver: (r: Reply) => void) => {
    for (let i = 0; i < 3; i++) expect((await get(url())).status).toBe(200);
    const over = await get(url());
    expectOver(over);
    return over;
  };

  it("polygon: N accepted per key, then 429 with Retry-After; keys don't share; the window frees", async () => {
    sim.configure({ polygon: { rateLimit: { limit: 3, windowMs: 1_500 } } });
    const url = () => polygonAggs("AAPL", "2026-08-01", AS_OF);
    const over = await limited(url, (r) => {
      expect(r.status).toBe(429);
      expect(JSON.parse(r.text)).toMatchObject({
        status: "ERROR",
        error: expect.stringMatching(/^You've exceeded the maximum requests per minute/),
      });
    });
    expect(Number(over.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(over.headers["retry-after"])).toBeLessThanOrEqual(2);
    expect((await get(url().replace(KEY, OTHER_KEY))).status).toBe(200);
    await sleep(1_600);
    expect((await get(url())).status).toBe(200);
  });

  it("fmp: 429 Limit Reach without Retry-After (or 200 when configured)", async () => {
    sim.configure({ fmp: { rateLimit: { limit: 3, windowMs: 60_000 } } });
    const over = await limited(
      () => fmpFull("AAPL", "&from=2026-08-01"),
      (r) => {
        expect(r.status).toBe(429);
        expect(JSON.parse(r.text)["Error Message"]).toMatch(/^Limit Reach \. Please upgrade your plan/);
      },
    );
    expect(over.headers["retry-after"]).toBeUndefined();
    sim.configure({ fmp: { rateLimitStatus: 200 } });
    const again = await get(fmpFull("AAPL"));
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text)["Error Message"]).toMatch(/^Limit Reach/);
  });

  it("alpha vantage: HTTP 200 with Information, or the older Note", async () => {
    sim.configure({ alphavantage: { rateLimit: { limit: 3, windowMs: 86_400_000 } } });
    await limited(
      () => avDaily("IBM"),
      (r) => {
        expect(r.status).toBe(200);
        expect(JSON.parse(r.text).Information).toMatch(/rate limit is 3 requests per day/);
      },
    );
    sim.configure({ alphavantage: { rateLimitStyle: "note" } });
    const note = JSON.parse((await get(avDaily("IBM"))).text);
    expect(note.Note).toMatch(
      /^Thank you for using Alpha Vantage! Our standard API call frequency is 3 calls per day/,
    );
  });

  it("enforces every window of a limit with several, naming the one that refused", async () => {
    // Alpha Vantage's free plan in small: 2 a short window, 3 a long one.
    sim.configure({
      alphavantage: {
        rateLimit: [
          { limit: 2, windowMs: 400 },
          { limit: 3, windowMs: 86_400_000 },
        ],
      },
    });
    const information = async () =>
      JSON.parse((await get(avDaily("IBM"))).text).Information as string | undefined;
    expect(await information()).toBeUndefined();
    expect(await information()).toBeUndefined();
    expect(await information()).toMatch(/rate limit is 2 requests per/);
    await sleep(450);
    // The short window has room again; the day's third is allowed, its fourth is not.
    expect(await information()).toBeUndefined();
    await sleep(450);
    expect(await information()).toMatch(/rate limit is 3 requests per day/);
    const accepted = (e: SimRequestLog) => e.provider === "alphavantage" && e.outcome === "ok";
    expect(sim.requests().filter(accepted)).toHaveLength(3);
    expect(sim.config.alphavantage.rateLimit).toStrictEqual([
      { limit: 2, windowMs: 400 },
      { limit: 3, windowMs: 86_400_000 },
    ]);
  });

  it("yahoo: one bucket for every caller, 429 as plain text or JSON", async () => {
    sim.configure({ yahoo: { rateLimit: { limit: 3, windowMs: 60_000 } } });
    await limited(
      () => yahooChart("AAPL", "range=5d"),
      (r) => {
        expect(r.status).toBe(429);
        expect(r.text).toContain("Too Many Requests");
        expect(String(r.headers["content-type"])).toMatch(/^text\/plain/);
        expect(Number(r.headers["retry-after"])).toBeGreaterThan(0);
      },
    );
    sim.configure({ yahoo: { rateLimitBody: "json", retryAfter: false } });
    const json = await get(yahooChart("MSFT", "range=5d"));
    expect(json.status).toBe(429);
    expect(JSON.parse(json.text).chart.error.code).toBe("Too Many Requests");
    expect(json.headers["retry-after"]).toBeUndefined();
  });

  it("never admits more than the limit in any window, by the log's arrival times", async () => {
    sim.configure({ polygon: { rateLimit: { limit: 5, windowMs: 300 } } });
    const deadline = Date.now() + 1_000;
    const statuses: number[] = [];
    while (Date.now() < deadline && statuses.length < 400) {
      const batch = await Promise.all(
        Array.from({ length: 8 }, () => get(polygonAggs("SPY", "2026-08-10", AS_OF))),
      );
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const accepted = (e: SimRequestLog) => e.provider === "polygon" && e.outcome === "ok";
    expect(maxRequestsInAnyWindow(sim.requests(), 300, accepted)).toBe(5);
  });
});

describe("latency", () => {
  const durations = async (n: number) => {
    await Promise.all(Array.from({ length: n }, (_, i) => get(avDaily(i % 2 ? "IBM" : "KO"))));
    return sim
      .requests()
      .map((e) => e.endMs! - e.startMs)
      .sort((a, b) => a - b);
  };

  it("lognormal: median and tail roughly as configured", async () => {
    sim.configure({ alphavantage: { latency: { kind: "lognormal", medianMs: 40, p99Ms: 120 } } });
    const d = await durations(60);
    const median = d[Math.floor(d.length / 2)]!;
    expect(median).toBeGreaterThan(30);
    expect(median).toBeLessThan(60);
    expect(d[0]!).toBeGreaterThan(10);
    expect(d.at(-1)!).toBeLessThan(400);
  });

  it("uniform: every delay inside the interval", async () => {
    sim.configure({ alphavantage: { latency: { kind: "uniform", minMs: 30, maxMs: 60 } } });
    const d = await durations(30);
    expect(d[0]!).toBeGreaterThanOrEqual(29);
    expect(d.at(-1)!).toBeLessThan(150);
    expect(d.at(-1)! - d[0]!).toBeGreaterThan(10);
  });
});

describe("faults", () => {
  it("status5xx: a 502 or 503 with a gateway error page", async () => {
    sim.configure({ fmp: { faultSymbols: { AAPL: "status5xx" } } });
    const r = await get(fmpFull("AAPL"));
    expect([502, 503]).toContain(r.status);
    expect(r.text).toMatch(/<title>50[23] /);
    expect((await get(fmpFull("MSFT", "&from=2026-08-01"))).status).toBe(200);
    expect(sim.requests()[0]).toMatchObject({ outcome: "fault:status5xx", status: r.status, symbol: "AAPL" });
  });

  it("timeout: the request is held until the client gives up", async () => {
    sim.configure({ polygon: { faultSymbols: { AAPL: "timeout" } } });
    const started = Date.now();
    await expect(
      request(polygonAggs("AAPL", "2026-08-01", AS_OF), { dispatcher: agent, headersTimeout: 300 }),
    ).rejects.toMatchObject({ code: "UND_ERR_HEADERS_TIMEOUT" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const entry = sim.requests()[0]!;
    expect(entry).toMatchObject({ outcome: "fault:timeout", status: null });
    for (let i = 0; i < 50 && entry.endMs === null; i++) await sleep(10);
    expect(entry.endMs).not.toBeNull();
  });

  it("timeout: close() releases held requests", async () => {
    const local = await startMarketSimulator({
      asOf: AS_OF,
      config: { yahoo: { faultSymbols: { SPY: "timeout" } } },
    });
    const pending = request(`${local.urls.yahoo}/v8/finance/chart/SPY?range=5d`, { headersTimeout: 20_000 });
    const outcome = pending.then(
      () => "answered",
      () => "dropped",
    );
    for (let i = 0; i < 50 && local.requests().length === 0; i++) await sleep(10);
    const started = Date.now();
    await local.close();
    expect(await outcome).toBe("dropped");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("reset: the socket is destroyed mid-body", async () => {
    sim.configure({ yahoo: { faultSymbols: { AAPL: "reset" } } });
    const res = await request(yahooChart("AAPL", "range=1y"), { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    expect(sim.requests()[0]!.outcome).toBe("fault:reset");
  });

  it("truncated: part of the JSON, then a clean end", async () => {
    sim.configure({ alphavantage: { faultSymbols: { IBM: "truncated" } } });
    const r = await get(avDaily("IBM"));
    expect(r.status).toBe(200);
    expect(r.text.length).toBeGreaterThan(10);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it("nulls: Yahoo quote arrays with null entries", async () => {
    sim.configure({ yahoo: { faultSymbols: { MSFT: "nulls" } } });
    const { body } = await getJson(yahooChart("MSFT", "range=1y"));
    const q = body.chart.result[0].indicators.quote[0];
    const nullIndexes = q.close.flatMap((x: number | null, i: number) => (x === null ? [i] : []));
    expect(nullIndexes.length).toBeGreaterThan(0);
    for (const i of nullIndexes)
      expect([q.open[i], q.high[i], q.low[i], q.volume[i]]).toEqual([null, null, null, null]);
  });

  it("ratios: all, none, and a deterministic share of requests fail", async () => {
    sim.configure({ polygon: { faults: { status5xx: 1 } } });
    const all = await Promise.all(
      Array.from({ length: 5 }, () => get(polygonAggs("SPY", "2026-08-10", AS_OF))),
    );
    expect(all.every((r) => r.status >= 502)).toBe(true);
    sim.configure({ polygon: { faults: { status5xx: 0.5 } } });
    const some = await Promise.all(
      Array.from({ length: 40 }, () => get(polygonAggs("SPY", "2026-08-10", AS_OF))),
    );
    const failed = some.filter((r) => r.status >= 500).length;
    expect(failed).toBeGreaterThan(8);
    expect(failed).toBeLessThan(32);
  });
});

describe("request log and admin API", () => {
  it("records provider, key hash, redacted path, canonical symbol, status and outcome", async () => {
    await get(fmpFull("BRK-B", "&from=2026-08-10"));
    await get(fmpFull("NOSUCHTICKER"));
    const log = sim.requests();
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({
      provider: "fmp",
      method: "GET",
      symbol: "BRK.B",
      status: 200,
      outcome: "ok",
    });
    expect(log[0]!.path).toBe(
      "/stable/historical-price-eod/full?symbol=BRK-B&apikey=REDACTED&from=2026-08-10",
    );
    expect(log[0]!.keyId).toMatch(/^[0-9a-f]{10}$/);
    expect(JSON.stringify(log)).not.toContain(KEY);
    expect(log[1]).toMatchObject({ symbol: null, outcome: "not-found" });
    expect(log[0]!.endMs!).toBeGreaterThanOrEqual(log[0]!.startMs);

    const overHttp = await getJson<SimRequestLog[]>(`${sim.url}/_sim/requests?since=${log[1]!.startMs}`);
    expect(overHttp.body).toHaveLength(1);
    const deleted = await request(`${sim.url}/_sim/requests`, { dispatcher: agent, method: "DELETE" });
    await deleted.body.dump();
    expect(deleted.statusCode).toBe(204);
    expect(sim.requests()).toHaveLength(0);
  });

  it("maxRequestsInAnyWindow counts arrivals in half-open sliding windows", () => {
    const at = (startMs: number, provider: SimRequestLog["provider"] = "polygon"): SimRequestLog => ({
      provider,
      keyId: null,
      method: "GET",
      path: "/",
      symbol: null,
      status: 200,
      outcome: "ok",
      startMs,
      endMs: startMs,
      bytes: 0,
    });
    const log = [at(0), at(100), at(999), at(1000), at(1001), at(1002, "fmp"), at(2000)];
    // [100, 1100) holds five arrivals; 1100 would be one window length after 100, and is not in it.
    expect(maxRequestsInAnyWindow(log, 1000)).toBe(5);
    expect(maxRequestsInAnyWindow(log, 1000, (e) => e.provider === "polygon")).toBe(4);
    expect(maxRequestsInAnyWindow(log, 1002)).toBe(5);
    expect(maxRequestsInAnyWindow(log, 900)).toBe(4);
    expect(maxRequestsInAnyWindow(log, 1)).toBe(1);
    expect(maxRequestsInAnyWindow([], 1000)).toBe(0);
  });

  it("/_sim/config validates patches with 400s naming the bad fields", async () => {
    const bad = await post(
      `${sim.url}/_sim/config`,
      JSON.stringify({
        polygon: { rateLimit: { limit: -1, windowMs: 1000 }, faults: { reset: 2 } },
        yahoo: { latency: { kind: "lognormal", medianMs: 50, p99Ms: 10 } },
        nonsense: true,
      }),
    );
    expect(bad.status).toBe(400);
    const problems: string[] = bad.body.problems;
    expect(problems.some((p) => p.startsWith("polygon.rateLimit.limit:"))).toBe(true);
    expect(problems.some((p) => p.startsWith("polygon.faults.reset:"))).toBe(true);
    expect(problems.some((p) => p.includes("yahoo.latency") && p.includes("p99Ms"))).toBe(true);
    expect(problems.some((p) => p.includes("nonsense"))).toBe(true);
    expect((await post(`${sim.url}/_sim/config`, "{not json")).status).toBe(400);
    expect(sim.config.polygon.rateLimit).toBeNull();

    const good = await post(
      `${sim.url}/_sim/config`,
      JSON.stringify({ fmp: { rateLimit: { limit: 2, windowMs: 1000 } } }),
    );
    expect(good.status).toBe(200);
    expect(good.body.fmp.rateLimit).toStrictEqual({ limit: 2, windowMs: 1000 });
    expect((await getJson(`${sim.url}/_sim/config`)).body.fmp.rateLimit).toStrictEqual({
      limit: 2,
      windowMs: 1000,
    });
    expect(() => sim.configure({ fmp: { rateLimitStatus: 500 as 429 } })).toThrow(/fmp\.rateLimitStatus/);
  });

  it("/_sim/health and /_sim/symbols", async () => {
    const health = await getJson(`${sim.url}/_sim/health`);
    expect(health.body).toMatchObject({ status: "ok", seed: 42, asOf: AS_OF, urls: sim.urls });
    const spy = await getJson(`${sim.url}/_sim/symbols/SPY`);
    expect(spy.body).toMatchObject({ symbol: "SPY", etf: true });
    const splits = await getJson<string[]>(`${sim.url}/_sim/symbols?split=3:1&limit=2`);
    expect(splits.body).toHaveLength(2);
    expect(sim.symbolInfo(splits.body[0]!)!.splits[0]).toMatchObject({ numerator: 3, denominator: 1 });
  });
});

describe("tickerfleet sim", () => {
  it("prints one TICKERFLEET_<PROVIDER>_URL line per provider and a key per keyed provider, applies the options, stops on abort", async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const running = simCommand(
      {
        seed: 9,
        asOf: AS_OF,
        rateLimit: "polygon=5/60s,yahoo=100/1s,alphavantage=5/1m+25/1d",
        latency: "fmp=fixed:5",
      },
      { stdout: { write: (t: string) => lines.push(t) }, stderr: { write: () => true }, signal: stop.signal },
    );
    for (let i = 0; i < 200 && lines.length < 10; i++) await sleep(10);
    const env = Object.fromEntries(lines.map((l) => l.trim().split("=") as [string, string]));
    expect(Object.keys(env)).toEqual([
      "TICKERFLEET_YAHOO_URL",
      "TICKERFLEET_FMP_URL",
      "TICKERFLEET_POLYGON_URL",
      "TICKERFLEET_ALPHAVANTAGE_URL",
      "TICKERFLEET_ALPACA_URL",
      "FMP_API_KEY",
      "POLYGON_API_KEY",
      "ALPHAVANTAGE_API_KEY",
      "APCA_API_KEY_ID",
      "APCA_API_SECRET_KEY",
    ]);
    const base = env.TICKERFLEET_POLYGON_URL!.replace(/\/polygon$/, "");
    const config = (await getJson(`${base}/_sim/config`)).body;
    expect(config.polygon.rateLimit).toStrictEqual({ limit: 5, windowMs: 60_000 });
    expect(config.yahoo.rateLimit).toStrictEqual({ limit: 100, windowMs: 1_000 });
    expect(config.alphavantage.rateLimit).toStrictEqual([
      { limit: 5, windowMs: 60_000 },
      { limit: 25, windowMs: 86_400_000 },
    ]);
    expect(config.fmp.latency).toStrictEqual({ kind: "fixed", ms: 5 });
    expect((await getJson(`${base}/_sim/health`)).body.seed).toBe(9);
    stop.abort();
    await running;
    await expect(request(`${base}/_sim/health`)).rejects.toThrow();
  });

  it("rejects a malformed option with a ConfigError naming it", async () => {
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    await expect(simCommand({ rateLimit: "polygon=5 per minute" }, io)).rejects.toThrow(ConfigError);
    await expect(simCommand({ rateLimit: "bloomberg=5/60s" }, io)).rejects.toThrow(/bloomberg/);
    await expect(simCommand({ latency: "gaussian:5" }, io)).rejects.toThrow(/gaussian:5/);
  });
});
