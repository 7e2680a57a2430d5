import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tradingDaysBetween } from "../../packages/core/trading-calendar.ts";
import { defaultConfig, type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { allPages, fmp, type Json, KEY, polygon, type SimClient, simClient } from "./sim-client.ts";

/**
 * Each simulated provider's corporate actions, as that provider reports them:
 * Massive's (Polygon's) `/stocks/v1/splits` and `/stocks/v1/dividends` (per
 * ticker and market-wide, filters, sort, `next_url` paging), FMP's stable
 * splits, dividends and non-split-adjusted prices, Yahoo's chart events and
 * Alpha Vantage's adjusted series; and the same auth, limits, log and body
 * cache as every other endpoint.
 */

const ANCHOR = "2026-12-02";
let sim: Simulator;
let client: SimClient;

beforeAll(async () => {
  sim = await startMarketSimulator({ asOf: ANCHOR, seed: 42 });
  client = simClient(sim.url);
}, 30_000);

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

beforeEach(() => {
  sim.configure(defaultConfig());
  sim.clearRequests();
});

const symbolsWith = async (query: string): Promise<string[]> =>
  (await client.getJson<string[]>(`/_sim/symbols?${query}`)).body;

describe("Massive (Polygon) splits: GET /stocks/v1/splits", () => {
  it("one ticker's split, with Massive's fields", async () => {
    const [forward] = await symbolsWith("split=2:1&limit=1");
    const [reverse] = await symbolsWith("split=1:10&limit=1");
    const info = (await client.getJson(`/_sim/symbols/${forward}`)).body;
    const { status, body } = await client.getJson(polygon(`/stocks/v1/splits?ticker=${forward}`));
    expect(status).toBe(200);
    expect(body.status).toBe("OK");
    expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.next_url).toBeUndefined();
    expect(body.results).toHaveLength(1);
    expect(Object.keys(body.results[0])).toStrictEqual([
      "adjustment_type",
      "execution_date",
      "historical_adjustment_factor",
      "id",
      "split_from",
      "split_to",
      "ticker",
    ]);
    expect(body.results[0]).toMatchObject({
      adjustment_type: "forward_split",
      execution_date: info.splits[0].date,
      historical_adjustment_factor: 0.5,
      split_from: 1,
      split_to: 2,
      ticker: forward,
    });
    expect(body.results[0].id).toMatch(/^E[0-9a-f]{64}$/);
    const reversed = (await client.getJson(polygon(`/stocks/v1/splits?ticker=${reverse}`))).body.results[0];
    expect(reversed).toMatchObject({ adjustment_type: "reverse_split", split_from: 10, split_to: 1 });
    expect(reversed.historical_adjustment_factor).toBe(10);
    expect((await client.getJson(polygon("/stocks/v1/splits?ticker=AAPL"))).body.results).toStrictEqual([]);
    expect(
      (await client.getJson(polygon("/stocks/v1/splits?ticker=NOSUCHTICKER"))).body.results,
    ).toStrictEqual([]);
  });

  it("the whole market by date range, filtered by type, sorted as asked, paged by next_url", async () => {
    const whole = (
      await client.getJson(polygon("/stocks/v1/splits?execution_date.gte=2025-01-01&limit=5000"))
    ).body.results as Json[];
    expect(whole.length).toBeGreaterThan(40);
    // Massive's default order: newest execution date first.
    const dates = whole.map((s) => s.execution_date as string);
    expect(dates).toStrictEqual([...dates].sort().reverse());
    expect(dates.every((d) => d >= "2025-01-01" && d <= ANCHOR)).toBe(true);
    const tickers = new Set(whole.map((s) => s.ticker));
    expect(tickers.size).toBe(whole.length);
    for (const s of whole) {
      expect(s.adjustment_type).toBe(s.split_to > s.split_from ? "forward_split" : "reverse_split");
      expect(s.historical_adjustment_factor).toBe(s.split_from / s.split_to);
    }

    const pages = await allPages(
      client,
      sim.url,
      polygon("/stocks/v1/splits?execution_date.gte=2025-01-01&limit=7"),
    );
    expect(pages.length).toBe(Math.ceil(whole.length / 7));
    expect(pages.flat()).toStrictEqual(whole);

    const reverseOnly = (
      await client.getJson(
        polygon("/stocks/v1/splits?execution_date.gte=2025-01-01&adjustment_type=reverse_split&limit=5000"),
      )
    ).body.results as Json[];
    expect(reverseOnly).toStrictEqual(whole.filter((s) => s.adjustment_type === "reverse_split"));

    const range = (
      await client.getJson(
        polygon(
          "/stocks/v1/splits?execution_date.gt=2025-06-01&execution_date.lte=2025-12-31&sort=execution_date.asc",
        ),
      )
    ).body.results as Json[];
    expect(range.map((s) => s.execution_date)).toStrictEqual(
      whole
        .map((s) => s.execution_date)
        .filter((d) => d > "2025-06-01" && d <= "2025-12-31")
        .sort(),
    );

    const some = [...tickers].slice(0, 3);
    const anyOf = (
      await client.getJson(polygon(`/stocks/v1/splits?ticker.any_of=${some.join(",")}&sort=ticker.asc`))
    ).body.results as Json[];
    expect(anyOf.map((s) => s.ticker)).toStrictEqual([...some].sort());
  });

  it("names bad parameters in a 400, and keys, limits and faults apply as to every endpoint", async () => {
    for (const [query, error] of [
      ["limit=5001", /limit/],
      ["limit=0", /limit/],
      ["execution_date.gte=2025-13-01", /execution_date\.gte/],
      ["sort=price.asc", /sort/],
      ["cursor=bm9wZQ", /cursor/],
    ] as const) {
      const reply = await client.getJson(polygon(`/stocks/v1/splits?${query}`));
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ status: "ERROR", error: expect.stringMatching(error) });
    }
    const missing = await client.getJson("/polygon/stocks/v1/splits?ticker=AAPL");
    expect(missing).toMatchObject({ status: 401, body: { error: "API Key was not provided" } });

    sim.configure({ polygon: { rateLimit: { limit: 2, windowMs: 60_000 } } });
    expect((await client.get(polygon("/stocks/v1/dividends?ticker=SPY"))).status).toBe(200);
    expect((await client.get(polygon("/stocks/v1/splits?ticker=SPY"))).status).toBe(200);
    expect((await client.get(polygon("/stocks/v1/splits?ticker=SPY"))).status).toBe(429);
    sim.configure({ polygon: { rateLimit: null, faultSymbols: { SPY: "status5xx" } } });
    expect((await client.get(polygon("/stocks/v1/dividends?ticker=SPY"))).status).toBeGreaterThanOrEqual(502);

    const log = sim.requests();
    expect(log.at(-1)).toMatchObject({ provider: "polygon", symbol: "SPY", outcome: "fault:status5xx" });
    expect(log.find((e) => e.status === 429)).toMatchObject({ outcome: "rate-limited" });
    expect(log.find((e) => e.path.startsWith("/stocks/v1/dividends"))!.path).toBe(
      "/stocks/v1/dividends?ticker=SPY&apiKey=REDACTED",
    );
  });
});

describe("Massive (Polygon) dividends: GET /stocks/v1/dividends", () => {
  it("one ticker's dividends, with Massive's fields and factors", async () => {
    const info = (await client.getJson("/_sim/symbols/SPY")).body;
    const results = (
      await allPages(client, sim.url, polygon("/stocks/v1/dividends?ticker=SPY&limit=6"))
    ).flat();
    expect(Object.keys(results[0])).toStrictEqual([
      "cash_amount",
      "currency",
      "declaration_date",
      "distribution_type",
      "ex_dividend_date",
      "frequency",
      "historical_adjustment_factor",
      "id",
      "pay_date",
      "record_date",
      "split_adjusted_cash_amount",
      "ticker",
    ]);
    // Sorted by ticker by default, then by date.
    expect(results.map((d) => ({ date: d.ex_dividend_date, amount: d.cash_amount }))).toStrictEqual(
      info.dividends,
    );
    for (const d of results) {
      expect(d).toMatchObject({
        currency: "USD",
        distribution_type: "recurring",
        frequency: 4,
        ticker: "SPY",
      });
      expect(d.split_adjusted_cash_amount).toBe(d.cash_amount);
      expect(d.declaration_date < d.ex_dividend_date).toBe(true);
      expect(d.pay_date > d.ex_dividend_date).toBe(true);
      expect(d.record_date).toBe(d.ex_dividend_date);
    }
    // Each factor is the next one's times 1 − cash / the close before the ex-date (CRSP).
    const closeBefore = async (date: string) => {
      const aggs = await client.getJson(
        polygon(`/v2/aggs/ticker/SPY/range/1/day/2021-01-01/${date}?adjusted=false&sort=desc&limit=2`),
      );
      return aggs.body.results[1].c as number;
    };
    const last = results.at(-1);
    expect(last.historical_adjustment_factor).toBeCloseTo(
      1 - last.cash_amount / (await closeBefore(last.ex_dividend_date)),
      12,
    );
    const previous = results.at(-2);
    expect(previous.historical_adjustment_factor).toBeCloseTo(
      last.historical_adjustment_factor *
        (1 - previous.cash_amount / (await closeBefore(previous.ex_dividend_date))),
      12,
    );
  });

  it("a dividend before a split: cash as paid, split-adjusted cash per share of today", async () => {
    const candidates = await symbolsWith("split=2:1&dividend=true&limit=20");
    for (const symbol of candidates) {
      const split = (await client.getJson(`/_sim/symbols/${symbol}`)).body.splits[0];
      const results = (
        await client.getJson(
          polygon(`/stocks/v1/dividends?ticker=${symbol}&ex_dividend_date.lt=${split.date}`),
        )
      ).body.results as Json[];
      if (results.length === 0) continue;
      for (const d of results) expect(d.split_adjusted_cash_amount).toBe(d.cash_amount / 2);
      return;
    }
    throw new Error("no 2:1 split with an earlier dividend");
  });

  it("the whole market for a date range in a page or two, paged by next_url", async () => {
    const query = "/stocks/v1/dividends?ex_dividend_date.gte=2026-11-20&ex_dividend_date.lte=2026-11-30";
    const one = (await client.getJson(polygon(`${query}&limit=5000`))).body;
    expect(one.next_url).toBeUndefined();
    const results = one.results as Json[];
    expect(results.length).toBeGreaterThan(300);
    const days = new Set(results.map((d) => d.ex_dividend_date));
    for (const day of days) expect(tradingDaysBetween("2026-11-20", "2026-11-30")).toContain(day);
    const tickers = results.map((d) => d.ticker as string);
    expect(tickers).toStrictEqual([...tickers].sort());

    const pages = await allPages(client, sim.url, polygon(`${query}&limit=100`));
    expect(pages.length).toBe(Math.ceil(results.length / 100));
    expect(pages.flat()).toStrictEqual(results);
    const byDate = (await client.getJson(polygon(`${query}&limit=5000&sort=ex_dividend_date.desc`))).body
      .results as Json[];
    expect(byDate.map((d) => d.ex_dividend_date)).toStrictEqual(
      [...byDate.map((d) => d.ex_dividend_date)].sort().reverse(),
    );
    const monthly = (await client.getJson(polygon(`${query}&frequency=12`))).body.results;
    expect(monthly).toStrictEqual([]);
  });

  it("is rendered once: a repeated request is served from the body cache", async () => {
    const path = polygon("/stocks/v1/dividends?ex_dividend_date.gte=2026-06-01&limit=1000");
    const first = await client.getJson(path);
    const hits = sim.renderCacheStats().hits;
    const second = await client.getJson(path);
    expect(sim.renderCacheStats().hits).toBe(hits + 1);
    expect({ ...second.body, request_id: "" }).toStrictEqual({ ...first.body, request_id: "" });
    expect(second.body.request_id).not.toBe(first.body.request_id);
  });
});

describe("FMP: splits, dividends and non-split-adjusted prices", () => {
  it("/stable/splits: FMP's fields, numerator new shares for denominator old", async () => {
    const [forward] = await symbolsWith("split=3:1&limit=1");
    const [reverse] = await symbolsWith("split=1:10&limit=1");
    const info = (await client.getJson(`/_sim/symbols/${forward}`)).body;
    expect((await client.getJson<Json[]>(fmp(`/stable/splits?symbol=${forward}`))).body).toStrictEqual([
      { symbol: forward, date: info.splits[0].date, numerator: 3, denominator: 1, splitType: "stock-split" },
    ]);
    expect((await client.getJson<Json[]>(fmp(`/stable/splits?symbol=${reverse}`))).body[0]).toMatchObject({
      numerator: 1,
      denominator: 10,
    });
    expect(await client.getJson(fmp("/stable/splits?symbol=AAPL"))).toStrictEqual({ status: 200, body: [] });
  });

  it("/stable/dividends: newest first, dividend as paid and adjDividend per share of today", async () => {
    const info = (await client.getJson("/_sim/symbols/KO")).body;
    const { status, body } = await client.getJson<Json[]>(fmp("/stable/dividends?symbol=KO"));
    expect(status).toBe(200);
    expect(Object.keys(body[0])).toStrictEqual([
      "symbol",
      "date",
      "recordDate",
      "paymentDate",
      "declarationDate",
      "adjDividend",
      "dividend",
      "yield",
      "frequency",
    ]);
    expect(body.map((d) => ({ date: d.date, amount: d.dividend }))).toStrictEqual(
      [...info.dividends].reverse(),
    );
    expect(body[0]).toMatchObject({ symbol: "KO", frequency: "Quarterly" });
    expect(body[0].yield).toBeGreaterThan(0);
    expect((await client.getJson<Json[]>(fmp("/stable/dividends?symbol=KO&limit=2"))).body).toStrictEqual(
      body.slice(0, 2),
    );
    expect(await client.getJson(fmp("/stable/dividends?symbol=NOSUCHTICKER"))).toStrictEqual({
      status: 200,
      body: [],
    });
    expect((await client.getJson(fmp("/stable/dividends"))).status).toBe(400);
    expect((await client.getJson("/fmp/stable/dividends?symbol=KO")).status).toBe(401);

    const [split] = await symbolsWith("split=2:1&dividend=true&limit=20");
    const splitInfo = (await client.getJson(`/_sim/symbols/${split}`)).body;
    for (const d of (await client.getJson<Json[]>(fmp(`/stable/dividends?symbol=${split}`))).body)
      expect(d.adjDividend).toBe(d.date < splitInfo.splits[0].date ? d.dividend / 2 : d.dividend);
  });

  it("/stable/historical-price-eod/non-split-adjusted: raw bars, as Polygon's unadjusted ones", async () => {
    const [symbol] = await symbolsWith("split=2:1&limit=1");
    const split = (await client.getJson(`/_sim/symbols/${symbol}`)).body.splits[0].date as string;
    const from = tradingDaysBetween("2020-01-01", split).at(-3)!;
    const raw = (
      await client.getJson<Json[]>(
        fmp(`/stable/historical-price-eod/non-split-adjusted?symbol=${symbol}&from=${from}&to=${split}`),
      )
    ).body;
    expect(Object.keys(raw[0])).toStrictEqual([
      "symbol",
      "date",
      "adjOpen",
      "adjHigh",
      "adjLow",
      "adjClose",
      "volume",
    ]);
    expect(raw.map((r) => r.date)).toStrictEqual(tradingDaysBetween(from, split).reverse());
    const aggs = (
      await client.getJson(polygon(`/v2/aggs/ticker/${symbol}/range/1/day/${from}/${split}?adjusted=false`))
    ).body.results as Json[];
    expect(
      [...raw].reverse().map((r) => [r.adjOpen, r.adjHigh, r.adjLow, r.adjClose, r.volume]),
    ).toStrictEqual(aggs.map((a) => [a.o, a.h, a.l, a.c, a.v]));
    // FMP's full series is split-adjusted: half the raw price before a 2:1 split.
    const full = (
      await client.getJson<Json[]>(
        fmp(`/stable/historical-price-eod/full?symbol=${symbol}&from=${from}&to=${split}`),
      )
    ).body;
    expect(full.at(-1).close).toBeCloseTo(raw.at(-1).adjClose / 2, 2);
    expect(full[0].close).toBe(raw[0].adjClose);
  });
});

describe("Yahoo's chart events and Alpha Vantage's adjusted series", () => {
  it("Yahoo: splits as numerator:denominator, dividends split-adjusted as of today", async () => {
    const [symbol] = await symbolsWith("split=2:1&dividend=true&limit=20");
    const info = (await client.getJson(`/_sim/symbols/${symbol}`)).body;
    const chart = (
      await client.getJson(`/yahoo/v8/finance/chart/${symbol}?interval=1d&range=10y&events=div%7Csplit`)
    ).body.chart.result[0];
    expect(Object.values(chart.events.splits)).toStrictEqual([
      expect.objectContaining({ numerator: 2, denominator: 1, splitRatio: "2:1" }),
    ]);
    const amounts = Object.values(chart.events.dividends).map((d: Json) => d.amount);
    expect(amounts).toStrictEqual(
      info.dividends.map((d: Json) =>
        d.date < info.splits[0].date ? Math.round((d.amount / 2) * 10_000) / 10_000 : d.amount,
      ),
    );
  });

  it("Alpha Vantage: dividend amounts as paid, split coefficient on the ex-date, compact is the last 100", async () => {
    const [symbol] = await symbolsWith("split=3:1&limit=1");
    const info = (await client.getJson(`/_sim/symbols/${symbol}`)).body;
    const series = (
      await client.getJson(
        `/alphavantage/query?function=TIME_SERIES_DAILY_ADJUSTED&symbol=${symbol}&outputsize=full&apikey=${KEY}`,
      )
    ).body["Time Series (Daily)"];
    expect(series[info.splits[0].date]["8. split coefficient"]).toBe("3.0");
    const paid = Object.entries(series)
      .filter(([, bar]: [string, Json]) => bar["7. dividend amount"] !== "0.0000")
      .map(([date, bar]: [string, Json]) => ({ date, amount: Number(bar["7. dividend amount"]) }))
      .reverse();
    expect(paid).toStrictEqual(info.dividends);
    const compact = (
      await client.getJson(
        `/alphavantage/query?function=TIME_SERIES_DAILY_ADJUSTED&symbol=${symbol}&apikey=${KEY}`,
      )
    ).body["Time Series (Daily)"];
    expect(Object.keys(compact)).toStrictEqual(Object.keys(series).slice(0, 100));
  });
});
